//! The sans-I/O client session: server bytes in, client bytes and events
//! out, no socket and no clock (the model of quinn-proto and rustls).
//!
//! # Driving loop
//!
//! A driver owns the connection and the timers, and repeats:
//!
//! 1. write everything [`ClientSession::poll_output`] gives to the server;
//! 2. handle every [`ClientSession::poll_event`] (on
//!    [`Event::TlsUpgradeRequested`], run the TLS handshake and call
//!    [`ClientSession::tls_established`]; on [`Event::BodyRequested`], feed
//!    the body with [`ClientSession::send_body`] while
//!    [`ClientSession::wants_body`] and end it with [`ClientSession::finish_body`]);
//! 3. read from the server, waiting at most [`ClientSession::current_timeout`],
//!    and give the bytes to [`ClientSession::handle_input`] (or call
//!    [`ClientSession::handle_eof`] at the end of the stream).
//!
//! The user's commands are plain verbs ([`ClientSession::send_mail`],
//! [`ClientSession::start_tls`], [`ClientSession::authenticate`],
//! [`ClientSession::noop`], [`ClientSession::reset`], [`ClientSession::quit`]);
//! each checks its input before anything is written, then queues its
//! commands. An `Err` from an input method means the connection is unusable.
//!
//! ```
//! use smtp_client::session::{ClientSession, Event, SessionConfig};
//!
//! let mut session = ClientSession::new(SessionConfig::default(), false);
//! session.handle_input(b"220 mx.example ESMTP\r\n").unwrap();
//! assert!(matches!(session.poll_event(), Some(Event::GreetingReceived(_))));
//! let mut wire = Vec::new();
//! session.poll_output(&mut wire);
//! assert_eq!(wire, b"EHLO localhost\r\n");
//! session.handle_input(b"250-mx.example\r\n250 PIPELINING\r\n").unwrap();
//! assert!(matches!(session.poll_event(), Some(Event::CapabilitiesReceived)));
//! assert!(session.capabilities().unwrap().has_pipelining());
//! ```

mod config;
mod event;
mod expected;
mod trace;
mod transaction;

use std::collections::VecDeque;
use std::time::Duration;

use smtp_proto::sasl::{
    decode_challenge, encode_cancel, encode_client_response, encode_initial_response,
};
use smtp_proto::{Command, EhloInfo, Encode, ParseError, Reply};

pub use config::SessionConfig;
pub use event::Event;
pub use trace::WIRE_TARGET;

use crate::auth::{Credentials, Mechanism, SaslClient, choose_mechanism};
use crate::envelope::Envelope;
use crate::error::Error;
use crate::message::BodyInfo;
use crate::timeouts::Phase;
use expected::Expected;
use transaction::{BDAT_WINDOW, BodyTransport, Stage, Transaction};

/// Most server bytes buffered while a reply is incomplete. A reply has at
/// most 1000 lines of 8 KiB; anything near this is an attack, not a reply.
const MAX_PENDING_INPUT: usize = 1 << 20;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the `220` greeting.
    Greeting,
    /// EHLO/HELO sent.
    Hello,
    /// Greeted and introduced: commands may be sent.
    Ready,
    /// `220` to STARTTLS read; waiting for the driver's handshake.
    TlsUpgrade,
    /// The connection is over (QUIT answered, 421, EOF or a fatal error).
    Closed,
}

/// How to authenticate: see [`ClientSession::authenticate`].
#[derive(Debug, Clone)]
pub struct AuthOptions<'a> {
    /// Force this mechanism instead of the strongest offered.
    pub mechanism: Option<Mechanism<'static>>,
    /// Allow AUTH on a connection without TLS.
    pub allow_plaintext: bool,
    /// The SCRAM client nonce: at least 18 random bytes as printable ASCII
    /// without `,` (e.g. 24 base64 characters), never reused.
    pub scram_nonce: &'a str,
    /// The server host name (OAUTHBEARER sends it).
    pub host: &'a str,
    /// The server port (OAUTHBEARER sends it).
    pub port: u16,
}

/// The client side of one SMTP connection, without I/O.
#[derive(Debug)]
pub struct ClientSession {
    config: SessionConfig,
    state: State,
    input: Vec<u8>,
    output: Vec<u8>,
    events: VecDeque<Event>,
    expected: VecDeque<Expected>,
    capabilities: Option<EhloInfo<'static>>,
    tls_active: bool,
    transaction: Option<Transaction>,
    sasl: Option<SaslClient>,
    rset_for_failure: bool,
}

impl ClientSession {
    /// A session waiting for the greeting. `tls_active` is true on an
    /// implicit-TLS connection.
    pub fn new(config: SessionConfig, tls_active: bool) -> Self {
        ClientSession {
            config,
            state: State::Greeting,
            input: Vec::new(),
            output: Vec::new(),
            events: VecDeque::new(),
            expected: VecDeque::from([Expected::Greeting]),
            capabilities: None,
            tls_active,
            transaction: None,
            sasl: None,
            rset_for_failure: false,
        }
    }

    // ----- output -------------------------------------------------------

    /// Appends the bytes to send to `out`; true when there were any.
    pub fn poll_output(&mut self, out: &mut Vec<u8>) -> bool {
        if self.output.is_empty() {
            return false;
        }
        if out.is_empty() {
            std::mem::swap(out, &mut self.output);
        } else {
            out.append(&mut self.output);
        }
        true
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The RFC 5321 §4.5.3.2 timeout of the current wait: the phase of the
    /// oldest unanswered command, or [`Phase::DataBlock`] while the body is
    /// being sent; `None` when the session waits for nothing.
    pub fn current_timeout(&self) -> Option<(Phase, Duration)> {
        let phase = match self.expected.front() {
            Some(expected) => expected.phase(),
            None if self.wants_body() => Phase::DataBlock,
            None => return None,
        };
        self.config
            .timeouts
            .for_phase(phase)
            .map(|timeout| (phase, timeout))
    }

    // ----- state --------------------------------------------------------

    /// False once the connection is over (QUIT, 421, end of stream, fatal error).
    pub fn is_connected(&self) -> bool {
        self.state != State::Closed
    }

    /// True when a command may be sent: greeted, introduced, and nothing in progress.
    pub fn is_ready(&self) -> bool {
        self.state == State::Ready
            && self.expected.is_empty()
            && self.transaction.is_none()
            && self.sasl.is_none()
    }

    /// True on a TLS connection (implicit, or after STARTTLS).
    pub fn is_tls(&self) -> bool {
        self.tls_active
    }

    /// What the server announced in its last EHLO answer (`None` before it,
    /// and again right after a TLS upgrade).
    pub fn capabilities(&self) -> Option<&EhloInfo<'static>> {
        self.capabilities.as_ref()
    }

    /// The command whose content is being written (`DATA` or `BDAT`), while
    /// a transaction is in its body phase: what a reply the server sends
    /// before the end of the body refuses.
    pub(crate) fn body_command(&self) -> Option<&'static str> {
        match &self.transaction {
            Some(txn) if txn.stage == Stage::Body => Some(match txn.transport {
                BodyTransport::Data => "DATA",
                BodyTransport::Bdat => "BDAT",
            }),
            _ => None,
        }
    }

    /// True while the session takes body bytes: a transaction is in its
    /// body phase and (for BDAT) the window of unanswered chunks has room.
    pub fn wants_body(&self) -> bool {
        match &self.transaction {
            Some(txn) if txn.stage == Stage::Body => match txn.transport {
                BodyTransport::Data => true,
                BodyTransport::Bdat => {
                    txn.bdat_outstanding < self.bdat_window(txn) && !txn.has_full_chunk()
                }
            },
            _ => false,
        }
    }

    fn bdat_window(&self, txn: &Transaction) -> usize {
        if txn.pipelining { BDAT_WINDOW } else { 1 }
    }

    // ----- input --------------------------------------------------------

    /// Takes bytes from the server. An `Err` is fatal: the connection must
    /// be closed ([`ClientSession::is_connected`] is false).
    pub fn handle_input(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let result = self.handle_input_inner(bytes);
        if result.is_err() {
            self.close();
        }
        result
    }

    /// The server closed the stream. `Ok` after QUIT was answered, else
    /// [`Error::ConnectionClosed`].
    pub fn handle_eof(&mut self) -> Result<(), Error> {
        let expected_close = self.state == State::Closed && self.expected.is_empty();
        self.close();
        if expected_close {
            Ok(())
        } else {
            Err(Error::ConnectionClosed { reply: None })
        }
    }

    fn close(&mut self) {
        self.state = State::Closed;
        self.expected.clear();
        self.transaction = None;
        self.sasl = None;
    }

    fn handle_input_inner(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.state == State::TlsUpgrade && !bytes.is_empty() {
            return Err(response_injection());
        }
        if self.state == State::Closed {
            return Err(Error::ConnectionClosed { reply: None });
        }
        self.input.extend_from_slice(bytes);
        loop {
            let (reply, used) = match Reply::parse(&self.input) {
                Ok((reply, used)) => (reply.into_owned(), used),
                Err(ParseError::Incomplete) => break,
                Err(error) => {
                    return Err(Error::Protocol(format!("malformed reply: {error}")));
                }
            };
            self.input.drain(..used);
            self.handle_reply(reply)?;
            if self.state == State::TlsUpgrade && !self.input.is_empty() {
                return Err(response_injection());
            }
            if self.state == State::Closed {
                break;
            }
        }
        if self.input.len() > MAX_PENDING_INPUT {
            return Err(Error::Protocol("reply too long".into()));
        }
        Ok(())
    }

    fn write_command(&mut self, command: &Command<'_>, expected: Expected) {
        let start = self.output.len();
        command.encode(&mut self.output);
        trace::client_lines(&self.output[start..]);
        self.expected.push_back(expected);
    }

    /// Appends an already encoded command line.
    fn write_line(&mut self, line: &[u8], expected: Expected) {
        trace::client_lines(line);
        self.output.extend_from_slice(line);
        self.expected.push_back(expected);
    }

    fn send_hello(&mut self, expected: Expected) {
        let host = self.config.ehlo_name.clone();
        let command = if expected == Expected::Ehlo {
            Command::Ehlo(host)
        } else {
            Command::Helo(host)
        };
        self.write_command(&command, expected);
        self.state = State::Hello;
    }

    fn handle_reply(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        trace::server_reply(&reply);
        let Some(expected) = self.expected.pop_front() else {
            if reply.code().get() == 421 {
                return Err(Error::ConnectionClosed { reply: Some(reply) });
            }
            return Err(Error::Protocol(format!("reply without a command: {reply}")));
        };
        if reply.code().get() == 421 && expected != Expected::Quit {
            return Err(Error::ConnectionClosed { reply: Some(reply) });
        }
        match expected {
            Expected::Greeting => self.on_greeting(reply),
            Expected::Ehlo => self.on_ehlo(reply),
            Expected::Helo => self.on_helo(reply),
            Expected::StartTls => self.on_starttls(reply),
            Expected::Auth => self.on_auth(reply),
            Expected::Mail => {
                if let Some(txn) = self.transaction.as_mut() {
                    txn.mail = Some(if reply.is_positive() {
                        Ok(reply)
                    } else {
                        Err(reply)
                    });
                }
                self.after_envelope_reply();
                Ok(())
            }
            Expected::Rcpt(index) => {
                if let Some(txn) = self.transaction.as_mut() {
                    txn.record_rcpt(index, &reply);
                }
                self.events.push_back(if reply.is_positive() {
                    Event::RecipientAccepted { index, reply }
                } else {
                    Event::RecipientRefused { index, reply }
                });
                self.after_envelope_reply();
                Ok(())
            }
            Expected::Data => {
                if let Some(txn) = self.transaction.as_mut() {
                    txn.data_reply = Some(reply);
                }
                self.after_envelope_reply();
                Ok(())
            }
            Expected::DataEnd => {
                self.on_final_reply("DATA", reply);
                Ok(())
            }
            Expected::Bdat { last } => {
                self.on_bdat(last, reply);
                Ok(())
            }
            Expected::Rset => {
                self.on_rset(reply);
                Ok(())
            }
            Expected::Noop => {
                self.user_command_done("NOOP", reply);
                Ok(())
            }
            Expected::Quit => {
                self.state = State::Closed;
                self.events.push_back(Event::ReplyReceived {
                    command: "QUIT",
                    reply,
                });
                Ok(())
            }
        }
    }

    fn on_greeting(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        match reply.code().get() {
            220 => {
                self.events.push_back(Event::GreetingReceived(reply));
                self.send_hello(Expected::Ehlo);
                Ok(())
            }
            _ if !reply.is_positive() => Err(Error::from_reply("greeting", reply)),
            _ => Err(Error::Protocol(format!("greeting is not 220: {reply}"))),
        }
    }

    fn on_ehlo(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        match reply.code().get() {
            250 => {
                let info = EhloInfo::from_reply(&reply)
                    .map(EhloInfo::into_owned)
                    .map_err(|e| Error::Protocol(format!("EHLO reply: {e}")))?;
                self.capabilities = Some(info);
                self.state = State::Ready;
                self.events.push_back(Event::CapabilitiesReceived);
                Ok(())
            }
            // RFC 5321 §3.2: a server that does not know EHLO answers 500/502.
            500 | 502 => {
                self.send_hello(Expected::Helo);
                Ok(())
            }
            _ => Err(Error::from_reply("EHLO", reply)),
        }
    }

    fn on_helo(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        if reply.code().get() != 250 {
            return Err(Error::from_reply("HELO", reply));
        }
        let text = reply.text();
        let domain = text.split_whitespace().next().unwrap_or("unknown");
        let info = EhloInfo::new(domain, None, Vec::new())
            .or_else(|_| EhloInfo::new("unknown", None, Vec::new()))
            .map(EhloInfo::into_owned)
            .map_err(|e| Error::Protocol(format!("HELO reply: {e}")))?;
        self.capabilities = Some(info);
        self.state = State::Ready;
        self.events.push_back(Event::CapabilitiesReceived);
        Ok(())
    }

    fn on_starttls(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        match reply.code().get() {
            220 => {
                // Checked again after the reply: any byte buffered now was
                // sent before the handshake and must not be trusted.
                if !self.input.is_empty() {
                    return Err(response_injection());
                }
                self.state = State::TlsUpgrade;
                self.events.push_back(Event::TlsUpgradeRequested);
                Ok(())
            }
            _ if !reply.is_positive() => {
                self.events
                    .push_back(Event::CommandFailed(Error::from_reply("STARTTLS", reply)));
                Ok(())
            }
            _ => Err(Error::Protocol(format!(
                "unexpected reply to STARTTLS: {reply}"
            ))),
        }
    }

    fn on_auth(&mut self, reply: Reply<'static>) -> Result<(), Error> {
        match reply.code().get() {
            334 => {
                let Some(sasl) = self.sasl.as_mut() else {
                    return Err(Error::Protocol("AUTH challenge without AUTH".into()));
                };
                let text = reply.text();
                let challenge = decode_challenge(text.as_bytes());
                match challenge
                    .map_err(|e| Error::Protocol(format!("AUTH challenge: {e}")))
                    .and_then(|c| sasl.respond(&c))
                {
                    Ok(answer) => {
                        trace::client_secret();
                        encode_client_response(answer.expose(), &mut self.output);
                        self.expected.push_back(Expected::Auth);
                        Ok(())
                    }
                    Err(error) => {
                        // Cancel politely, then give up on the connection:
                        // a server that fails SCRAM's proof is not trusted.
                        trace::client_lines(b"*\r\n");
                        encode_cancel(&mut self.output);
                        Err(error)
                    }
                }
            }
            235 => {
                let sasl = self.sasl.take();
                if let Some(sasl) = &sasl {
                    sasl.check_success()?;
                }
                self.events.push_back(Event::Authenticated);
                Ok(())
            }
            _ if !reply.is_positive() => {
                self.sasl = None;
                self.events
                    .push_back(Event::CommandFailed(Error::from_reply("AUTH", reply)));
                Ok(())
            }
            _ => Err(Error::Protocol(format!(
                "unexpected reply to AUTH: {reply}"
            ))),
        }
    }

    fn user_command_done(&mut self, command: &'static str, reply: Reply<'static>) {
        self.events.push_back(if reply.is_positive() {
            Event::ReplyReceived { command, reply }
        } else {
            Event::CommandFailed(Error::from_reply(command, reply))
        });
    }

    fn on_rset(&mut self, reply: Reply<'static>) {
        if self.rset_for_failure {
            self.rset_for_failure = false;
            if let Some(mut txn) = self.transaction.take() {
                let error = txn.failure.take().unwrap_or_else(|| {
                    Error::Protocol("transaction failed without a cause".into())
                });
                self.events.push_back(Event::TransactionFailed(error));
            }
            return;
        }
        self.user_command_done("RSET", reply);
    }

    /// True while replies of the envelope (MAIL, RCPT, DATA) are outstanding.
    fn envelope_pending(&self) -> bool {
        self.expected
            .iter()
            .any(|e| matches!(e, Expected::Mail | Expected::Rcpt(_) | Expected::Data))
    }

    fn after_envelope_reply(&mut self) {
        if self.envelope_pending() {
            return;
        }
        let Some(txn) = self.transaction.as_mut() else {
            return;
        };
        if txn.stage == Stage::Failing {
            self.finish_failing();
            return;
        }
        if let Some(error) = txn.envelope_failure() {
            self.fail_transaction(error);
            return;
        }
        if !txn.pipelining && txn.next_rcpt < txn.recipient_count() {
            let index = txn.next_rcpt;
            txn.next_rcpt += 1;
            let line = txn.rcpt_line(index).to_vec();
            self.write_line(&line, Expected::Rcpt(index));
            return;
        }
        match txn.transport {
            BodyTransport::Data => match &txn.data_reply {
                None if !txn.data_sent => {
                    txn.data_sent = true;
                    self.write_command(&Command::Data, Expected::Data);
                }
                None => {}
                Some(reply) if reply.code().get() == 354 => {
                    txn.stage = Stage::Body;
                    self.events.push_back(Event::BodyRequested);
                }
                Some(reply) => {
                    let error = Error::from_reply("DATA", reply.clone());
                    self.fail_transaction(error);
                }
            },
            BodyTransport::Bdat => {
                if txn.stage == Stage::Envelope {
                    txn.stage = Stage::Body;
                    self.events.push_back(Event::BodyRequested);
                }
            }
        }
    }

    fn fail_transaction(&mut self, error: Error) {
        let Some(txn) = self.transaction.as_mut() else {
            return;
        };
        if txn.failure.is_none() {
            txn.failure = Some(error);
        }
        // The server accepted DATA but the body was never requested.
        let in_data_mode = txn.stage == Stage::Envelope
            && txn
                .data_reply
                .as_ref()
                .is_some_and(|r| r.code().get() == 354);
        txn.stage = Stage::Failing;
        if in_data_mode {
            // RFC 2920 §3.1: the server said 354 although nothing can be
            // delivered; end the (empty) data so it reads commands again.
            self.write_line(b".\r\n", Expected::DataEnd);
        }
        self.finish_failing();
    }

    /// Once every outstanding reply of a failed transaction is in, RSET.
    fn finish_failing(&mut self) {
        let outstanding = self.expected.iter().any(|e| e.is_transaction());
        if outstanding || self.rset_for_failure {
            return;
        }
        if self
            .transaction
            .as_ref()
            .is_some_and(|t| t.stage == Stage::Failing)
        {
            self.rset_for_failure = true;
            self.write_command(&Command::Rset, Expected::Rset);
        }
    }

    fn on_final_reply(&mut self, command: &'static str, reply: Reply<'static>) {
        let Some(txn) = self.transaction.as_mut() else {
            return;
        };
        if txn.stage == Stage::Failing {
            self.finish_failing();
            return;
        }
        let txn = self.transaction.take();
        if let Some(txn) = txn {
            self.events.push_back(if reply.is_positive() {
                Event::MessageAccepted(txn.into_report(reply))
            } else {
                Event::TransactionFailed(Error::from_reply(command, reply))
            });
        }
    }

    fn on_bdat(&mut self, last: bool, reply: Reply<'static>) {
        let Some(txn) = self.transaction.as_mut() else {
            return;
        };
        txn.bdat_outstanding = txn.bdat_outstanding.saturating_sub(1);
        if txn.stage == Stage::Failing {
            self.finish_failing();
            return;
        }
        if !reply.is_positive() {
            self.fail_transaction(Error::from_reply("BDAT", reply));
            return;
        }
        if last {
            self.on_final_reply("BDAT", reply);
        } else {
            self.flush_chunks();
        }
    }

    // ----- user commands -------------------------------------------------

    fn require_ready(&self) -> Result<(), Error> {
        match self.state {
            State::Closed => Err(Error::ConnectionClosed { reply: None }),
            _ if !self.is_ready() => Err(Error::InvalidInput(
                "the session is busy (greeting, TLS upgrade, AUTH or a transaction in progress)"
                    .into(),
            )),
            _ => Ok(()),
        }
    }

    /// Sends STARTTLS; on `220` comes [`Event::TlsUpgradeRequested`].
    /// [`Error::Unsupported`] when the server does not offer it.
    pub fn start_tls(&mut self) -> Result<(), Error> {
        self.require_ready()?;
        if self.tls_active {
            return Err(Error::InvalidInput("TLS is already active".into()));
        }
        if !self.capabilities.as_ref().is_some_and(|c| c.has_starttls()) {
            return Err(Error::Unsupported("STARTTLS".into()));
        }
        self.write_command(&Command::StartTls, Expected::StartTls);
        Ok(())
    }

    /// The driver finished the TLS handshake: everything learnt before it is
    /// forgotten (RFC 3207 §4.2) and EHLO is sent again.
    pub fn tls_established(&mut self) {
        if self.state != State::TlsUpgrade {
            return;
        }
        self.tls_active = true;
        self.capabilities = None;
        self.input.clear();
        self.send_hello(Expected::Ehlo);
    }

    /// Starts AUTH with the strongest mechanism both sides support (or the
    /// forced one). Refused before anything is written when the connection
    /// has no TLS (unless allowed), when no mechanism fits, or when the
    /// credentials are malformed. Ends with [`Event::Authenticated`] or
    /// [`Event::CommandFailed`].
    pub fn authenticate(
        &mut self,
        credentials: &Credentials,
        options: &AuthOptions<'_>,
    ) -> Result<(), Error> {
        self.require_ready()?;
        if !self.tls_active && !options.allow_plaintext {
            return Err(Error::Unsupported(
                "TLS, required before sending credentials (allow_plaintext_auth to override)"
                    .into(),
            ));
        }
        let capabilities = self
            .capabilities
            .as_ref()
            .ok_or_else(|| Error::Unsupported("AUTH".into()))?;
        let mechanism = choose_mechanism(credentials, options.mechanism.as_ref(), capabilities)?;
        let (sasl, initial) = SaslClient::start(
            mechanism,
            credentials,
            options.host,
            options.port,
            options.scram_nonce,
        )?;
        trace::client_auth(sasl.mechanism().as_str(), initial.is_some());
        self.output.extend_from_slice(b"AUTH ");
        self.output
            .extend_from_slice(sasl.mechanism().as_str().as_bytes());
        if let Some(initial) = initial {
            self.output.push(b' ');
            encode_initial_response(initial.expose(), &mut self.output);
        }
        self.output.extend_from_slice(b"\r\n");
        self.expected.push_back(Expected::Auth);
        self.sasl = Some(sasl);
        Ok(())
    }

    /// Starts a mail transaction: MAIL, RCPTs (and DATA), pipelined when the
    /// server offers PIPELINING. Everything is checked first (SMTPUTF8,
    /// SIZE, 8BITMIME); on error nothing is written. Then come
    /// [`Event::BodyRequested`], and [`Event::MessageAccepted`] or
    /// [`Event::TransactionFailed`].
    pub fn send_mail(&mut self, envelope: &Envelope, body: BodyInfo) -> Result<(), Error> {
        self.require_ready()?;
        let capabilities = self
            .capabilities
            .as_ref()
            .ok_or_else(|| Error::Protocol("no EHLO answer".into()))?;
        let (mail, mut txn) = transaction::plan(
            envelope,
            body,
            capabilities,
            self.config.use_pipelining,
            self.config.use_chunking,
            self.config.chunk_size,
        )?;
        self.write_line(&mail, Expected::Mail);
        if txn.pipelining {
            for index in 0..txn.recipient_count() {
                self.write_line(txn.rcpt_line(index), Expected::Rcpt(index));
            }
            txn.next_rcpt = txn.recipient_count();
            match txn.transport {
                BodyTransport::Data => {
                    txn.data_sent = true;
                    self.write_command(&Command::Data, Expected::Data);
                }
                BodyTransport::Bdat => {
                    // RFC 3030 §4.2: BDAT may follow RCPT in a pipelined
                    // group; a refused envelope makes the chunks fail too.
                    txn.stage = Stage::Body;
                    self.events.push_back(Event::BodyRequested);
                }
            }
        }
        self.transaction = Some(txn);
        Ok(())
    }

    /// Gives the next piece of the message; line endings are normalised and
    /// (for DATA) dot-stuffed on the fly.
    pub fn send_body(&mut self, data: &[u8]) -> Result<(), Error> {
        let txn = body_transaction(&mut self.transaction)?;
        if txn.transport == BodyTransport::Data {
            trace::client_data(data.len(), "");
        }
        txn.buffer_body(data, &mut self.output);
        self.flush_chunks();
        Ok(())
    }

    /// Writes the BDAT chunks that are complete, as far as the window allows.
    fn flush_chunks(&mut self) {
        let Some(txn) = self.transaction.as_mut() else {
            return;
        };
        let window = if txn.pipelining { BDAT_WINDOW } else { 1 };
        let room = window.saturating_sub(txn.bdat_outstanding);
        let chunks = txn.write_chunks(room, &mut self.output);
        for _ in 0..chunks {
            trace::client_data(self.config.chunk_size, " (BDAT chunk)");
        }
        txn.bdat_outstanding += chunks;
        for _ in 0..chunks {
            self.expected.push_back(Expected::Bdat { last: false });
        }
    }

    /// Ends the message: the `.` terminator, or the `BDAT ... LAST` chunk.
    /// Call it when [`ClientSession::wants_body`] is true.
    pub fn finish_body(&mut self) -> Result<(), Error> {
        if !self.wants_body() {
            return Err(Error::InvalidInput(
                "finish_body while the session does not want the body".into(),
            ));
        }
        let txn = body_transaction(&mut self.transaction)?;
        let start = self.output.len();
        txn.finish_body(&mut self.output);
        let end = if txn.transport == BodyTransport::Data {
            " and ."
        } else {
            " (BDAT LAST chunk)"
        };
        trace::client_data(self.output.len() - start, end);
        txn.stage = Stage::Final;
        let expected = match txn.transport {
            BodyTransport::Data => Expected::DataEnd,
            BodyTransport::Bdat => {
                txn.bdat_outstanding += 1;
                Expected::Bdat { last: true }
            }
        };
        self.expected.push_back(expected);
        Ok(())
    }

    /// Sends NOOP; answered by [`Event::ReplyReceived`] or [`Event::CommandFailed`].
    pub fn noop(&mut self) -> Result<(), Error> {
        self.require_ready()?;
        self.write_command(&Command::Noop(None), Expected::Noop);
        Ok(())
    }

    /// Sends RSET; answered by [`Event::ReplyReceived`] or [`Event::CommandFailed`].
    pub fn reset(&mut self) -> Result<(), Error> {
        self.require_ready()?;
        self.write_command(&Command::Rset, Expected::Rset);
        Ok(())
    }

    /// Sends QUIT (allowed at any time but after the connection closed);
    /// after its reply, [`ClientSession::is_connected`] is false.
    pub fn quit(&mut self) -> Result<(), Error> {
        if self.state == State::Closed {
            return Err(Error::ConnectionClosed { reply: None });
        }
        self.write_command(&Command::Quit, Expected::Quit);
        Ok(())
    }
}

fn body_transaction(transaction: &mut Option<Transaction>) -> Result<&mut Transaction, Error> {
    match transaction.as_mut() {
        Some(txn) if txn.stage == Stage::Body => Ok(txn),
        _ => Err(Error::InvalidInput("no message body is wanted now".into())),
    }
}

fn response_injection() -> Error {
    Error::Protocol("bytes received after the 220 reply to STARTTLS (response injection)".into())
}
