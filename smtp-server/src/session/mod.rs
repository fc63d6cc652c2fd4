//! The sans-I/O server session: bytes in, replies and events out, no socket
//! and no clock (in the style of quinn-proto and rustls).
//!
//! # Driving loop
//!
//! ```text
//! let mut conn = Connection::new(config, info, offer);   // queues the 220 greeting
//! loop {
//!     while let Some(event) = conn.poll_event() {
//!         // MailReceived / RcptReceived   -> ask the handler, conn.handle_mail_verdict(..) / handle_rcpt_verdict(..)
//!         // DataStarted                   -> stream conn.take_body(..) to the handler while feeding input
//!         // MessageReceived               -> conn.handle_data_verdict(handler's result)
//!         // AuthRequested(request)        -> ask the authenticator, conn.handle_password_verdict(..) etc.
//!         // TlsUpgradeRequested           -> flush output, handshake, conn.handle_tls_established(..)
//!         // TransactionReset              -> the handler's session.reset()
//!     }
//!     conn.poll_output(&mut out); write_all(out);       // replies, flushed per pipelined group
//!     if conn.is_closed() { break }
//!     match read_with_timeout(conn.timeout()) {         // 5 min per command, 10 min in DATA/BDAT
//!         Ok(0)      => conn.handle_eof(),
//!         Ok(bytes)  => conn.handle_input(bytes),
//!         Err(timed_out) => conn.handle_timeout(),      // 421 4.4.2, then closed
//!     }
//! }
//! ```
//!
//! The session processes every complete command it holds (PIPELINING,
//! RFC 2920) and stops where a decision is needed; [`Connection::wants_input`]
//! says when the driver may read more. It never holds more than one command
//! line (under the current limit) plus what the driver fed in one call.
//!
//! # STARTTLS and CVE-2011-0411
//!
//! When STARTTLS arrives with more plaintext buffered behind it, that
//! plaintext is thrown away unread and the connection is closed after the
//! `220`: a client that pipelines behind STARTTLS is broken or an attacker
//! injecting commands that would otherwise run inside the TLS session.

mod auth;
mod body;
mod commands;
mod event;
pub(crate) mod replies;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use smtp_proto::data::DataDecoder;
use smtp_proto::encode::Encode;
use smtp_proto::framing::{COMMAND_LINE_MAX, LineFramer};
use smtp_proto::{BdatReader, ForwardPath, Reply};

pub use event::{AuthRequest, Event};

use crate::config::Config;
use crate::handler::{ConnectionInfo, TlsInfo};

/// What the server offers on this connection besides the fixed extensions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Offer {
    /// A TLS configuration is available for STARTTLS.
    pub starttls: bool,
    /// SASL mechanisms the authenticator serves (empty: no AUTH).
    pub auth_mechanisms: Vec<&'static str>,
}

impl Offer {
    /// An offer with STARTTLS when `starttls` and these AUTH mechanisms.
    pub fn new(starttls: bool, auth_mechanisms: Vec<&'static str>) -> Self {
        Offer {
            starttls,
            auth_mechanisms,
        }
    }
}

/// Where the body of the current message stands (for the driver streaming it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyState {
    /// No body is being received.
    Idle,
    /// Body octets are arriving (DATA, or BDAT chunks).
    Receiving,
    /// The whole body arrived; a [`Event::MessageReceived`] is pending.
    Complete,
    /// The body will never complete (RSET, QUIT, EOF, timeout, too many errors).
    Aborted,
}

/// The state of one mail transaction.
#[derive(Debug, Default)]
struct Transaction {
    /// MAIL was accepted.
    mail: bool,
    /// BODY=BINARYMIME was declared.
    binarymime: bool,
    /// Recipients the handler accepted.
    recipients: Vec<ForwardPath<'static>>,
    /// BDAT chunks are being received.
    bdat: Option<BdatReader>,
}

/// What the session waits for.
#[derive(Debug)]
enum Phase {
    /// The next command line.
    Command,
    /// A SASL continuation line.
    Auth(auth::Exchange),
    /// A decision of the driver.
    Awaiting(Pending),
    /// DATA body octets.
    Data(Box<DataDecoder>),
    /// The octets of an accepted BDAT chunk.
    BdatChunk,
    /// The octets of a refused BDAT chunk, to skip before answering `reply`.
    BdatSkip {
        remaining: u64,
        reply: Reply<'static>,
    },
    /// The TLS handshake, done by the driver.
    TlsHandshake,
    /// Nothing: the connection is over.
    Closed,
}

/// A decision the session waits for.
#[derive(Debug)]
enum Pending {
    Mail { binarymime: bool },
    Rcpt(ForwardPath<'static>),
    Data,
    Auth(auth::Lookup),
}

/// One SMTP server connection, without I/O (see the [module documentation](self)).
#[derive(Debug)]
pub struct Connection {
    config: Arc<Config>,
    offer: Offer,
    info: ConnectionInfo,
    input: Vec<u8>,
    /// Start of the unprocessed part of `input`.
    pos: usize,
    output: Vec<u8>,
    body: Vec<u8>,
    events: VecDeque<Event>,
    framer: LineFramer,
    phase: Phase,
    greeted: bool,
    txn: Transaction,
    body_state: BodyState,
    /// Why the current body will be refused once complete (too big, bare CR/LF).
    refusal: Option<Reply<'static>>,
    errors: u32,
    auth_failures: u32,
    shutting_down: bool,
}

/// Buffers bigger than this are released once empty, so an idle connection stays small.
const KEEP_CAPACITY: usize = 8 * 1024;

impl Connection {
    /// A new connection; the greeting (`220 hostname ESMTP`) is queued.
    pub fn new(config: Arc<Config>, info: ConnectionInfo, offer: Offer) -> Self {
        let framer = LineFramer::new(COMMAND_LINE_MAX)
            .with_lf_line_endings(config.parse_options.lf_line_endings);
        let mut conn = Connection {
            config,
            offer,
            info,
            input: Vec::new(),
            pos: 0,
            output: Vec::new(),
            body: Vec::new(),
            events: VecDeque::new(),
            framer,
            phase: Phase::Command,
            greeted: false,
            txn: Transaction::default(),
            body_state: BodyState::Idle,
            refusal: None,
            errors: 0,
            auth_failures: 0,
            shutting_down: false,
        };
        let service = if conn.config.lmtp { "LMTP" } else { "ESMTP" };
        let greeting = Reply::new(
            Reply::SERVICE_READY.code(),
            None,
            [format!("{} {service} ready", conn.hostname())],
        )
        .unwrap_or(Reply::SERVICE_READY);
        conn.reply(&greeting);
        conn
    }

    /// The reply a driver sends when it refuses a connection at accept
    /// (`421 4.7.0 Too many connections`), before any session exists.
    pub fn too_many_connections_reply() -> Reply<'static> {
        replies::TOO_MANY_CONNECTIONS.clone()
    }

    /// What the server knows about the connection (updated by EHLO, AUTH, TLS).
    pub fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Takes the queued replies (appends them to `out`); true if there were any.
    pub fn poll_output(&mut self, out: &mut Vec<u8>) -> bool {
        if self.output.is_empty() {
            return false;
        }
        out.extend_from_slice(&self.output);
        self.output.clear();
        if self.output.capacity() > KEEP_CAPACITY {
            self.output = Vec::new();
        }
        true
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Moves the body octets received so far (unstuffed) to `out`.
    pub fn take_body(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.body);
        self.body.clear();
        if self.body.capacity() > KEEP_CAPACITY {
            self.body = Vec::new();
        }
    }

    /// Whether body octets are waiting in [`Connection::take_body`].
    pub fn has_body(&self) -> bool {
        !self.body.is_empty()
    }

    /// Where the current body stands.
    pub fn body_state(&self) -> BodyState {
        self.body_state
    }

    /// The reply the current body will get whatever the handler says (too
    /// big, bare CR/LF), once known. The driver stops feeding the handler then.
    pub fn body_refusal(&self) -> Option<&Reply<'static>> {
        self.refusal.as_ref()
    }

    /// True when the connection is over: flush the output and close.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// The recipients accepted in the current transaction, in RCPT order.
    pub fn recipients(&self) -> &[ForwardPath<'static>] {
        &self.txn.recipients
    }

    /// True while a mail transaction is open (MAIL accepted).
    pub fn in_transaction(&self) -> bool {
        self.txn.mail
    }

    /// Whether the driver may read and feed more input now (no pending
    /// decision, no undelivered event or body octets).
    pub fn wants_input(&self) -> bool {
        self.events.is_empty()
            && self.body.is_empty()
            && matches!(
                self.phase,
                Phase::Command
                    | Phase::Auth(_)
                    | Phase::Data(_)
                    | Phase::BdatChunk
                    | Phase::BdatSkip { .. }
            )
    }

    /// The RFC 5321 §4.5.3.2 timeout of the current wait for input: the
    /// command timeout, or the data timeout inside a message body. `None`
    /// while the session waits for the driver.
    pub fn timeout(&self) -> Option<Duration> {
        match self.phase {
            Phase::Command if self.txn.bdat.is_some() => Some(self.config.timeouts.data),
            Phase::Command | Phase::Auth(_) => Some(self.config.timeouts.command),
            Phase::Data(_) | Phase::BdatChunk | Phase::BdatSkip { .. } => {
                Some(self.config.timeouts.data)
            }
            Phase::Awaiting(_) | Phase::TlsHandshake | Phase::Closed => None,
        }
    }

    /// Feeds bytes read from the client and processes what they complete.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.is_closed() {
            return;
        }
        self.input.extend_from_slice(bytes);
        self.process();
    }

    /// The timeout of [`Connection::timeout`] expired: `421 4.4.2`, then closed.
    pub fn handle_timeout(&mut self) {
        if !self.is_closed() {
            self.reply(&replies::TIMEOUT);
            self.close();
        }
    }

    /// The client closed its side (or the connection broke).
    pub fn handle_eof(&mut self) {
        self.close();
    }

    /// A graceful shutdown started: close now with `421 4.3.2` unless a
    /// transaction is running, in which case close when it ends.
    pub fn handle_shutdown(&mut self) {
        self.shutting_down = true;
        if !self.txn.mail && matches!(self.phase, Phase::Command | Phase::Auth(_)) {
            self.reply(&Reply::SERVICE_NOT_AVAILABLE);
            self.close();
        }
    }

    /// The shutdown grace period is over: `421 4.3.2` and close, whatever runs.
    pub fn handle_shutdown_deadline(&mut self) {
        if !self.is_closed() {
            self.reply(&Reply::SERVICE_NOT_AVAILABLE);
            self.close();
        }
    }

    /// The TLS handshake after STARTTLS succeeded: everything learnt before is
    /// forgotten (RFC 3207 §4.2), the client must EHLO again.
    pub fn handle_tls_established(&mut self, tls: TlsInfo) {
        if !matches!(self.phase, Phase::TlsHandshake) {
            return;
        }
        self.info.tls = Some(tls);
        self.info.helo_name = None;
        self.info.esmtp = false;
        self.info.authenticated_as = None;
        self.greeted = false;
        self.input.clear();
        self.pos = 0;
        self.framer.reset();
        self.phase = Phase::Command;
    }

    /// The handler's answer to [`Event::MailReceived`].
    pub fn handle_mail_verdict(&mut self, verdict: Result<(), Reply<'static>>) {
        let Phase::Awaiting(Pending::Mail { binarymime }) = self.phase else {
            return;
        };
        self.phase = Phase::Command;
        match verdict {
            Ok(()) => {
                self.txn = Transaction {
                    mail: true,
                    binarymime,
                    ..Transaction::default()
                };
                self.reply(&replies::SENDER_OK);
            }
            Err(reply) => self.reply(&reply),
        }
        self.process();
    }

    /// The handler's answer to [`Event::RcptReceived`].
    pub fn handle_rcpt_verdict(&mut self, verdict: Result<(), Reply<'static>>) {
        if !matches!(self.phase, Phase::Awaiting(Pending::Rcpt(_))) {
            return;
        }
        let Phase::Awaiting(Pending::Rcpt(to)) = std::mem::replace(&mut self.phase, Phase::Command)
        else {
            return;
        };
        match verdict {
            Ok(()) => {
                self.txn.recipients.push(to);
                self.reply(&replies::RECIPIENT_OK);
            }
            Err(reply) => self.reply(&reply),
        }
        self.process();
    }

    /// The handler's answer to [`Event::MessageReceived`]. A body the protocol
    /// refused (too big, bare CR/LF) gets the protocol's reply whatever this says.
    /// In LMTP mode the same answer goes to every accepted recipient.
    pub fn handle_data_verdict(&mut self, verdict: Result<(), Reply<'static>>) {
        let count = if self.config.lmtp {
            self.txn.recipients.len().max(1)
        } else {
            1
        };
        self.handle_data_verdicts(vec![verdict; count]);
    }

    /// LMTP: one answer per accepted recipient, in RCPT order (RFC 2033 §4.2).
    /// In SMTP mode only the first answer counts.
    pub fn handle_data_verdicts(&mut self, verdicts: Vec<Result<(), Reply<'static>>>) {
        if !matches!(self.phase, Phase::Awaiting(Pending::Data)) {
            return;
        }
        self.phase = Phase::Command;
        self.body_state = BodyState::Idle;
        let wanted = if self.config.lmtp {
            self.txn.recipients.len().max(1)
        } else {
            1
        };
        let refusal = self.refusal.take();
        let mut accepted_any = false;
        for index in 0..wanted {
            let verdict = match &refusal {
                Some(reply) => Err(reply.clone()),
                None => verdicts
                    .get(index)
                    .cloned()
                    .unwrap_or(Err(Reply::LOCAL_ERROR)),
            };
            match verdict {
                Ok(()) => {
                    accepted_any = true;
                    self.reply(&replies::MESSAGE_ACCEPTED);
                }
                Err(reply) => self.reply(&reply),
            }
        }
        if accepted_any {
            self.events.push_back(Event::MessageAccepted);
            self.txn = Transaction::default();
        } else {
            self.reset_transaction();
        }
        self.after_transaction();
        self.process();
    }

    /// The host name, or `localhost` when the configured one cannot be sent.
    fn hostname(&self) -> &str {
        let name = self.config.hostname.as_str();
        let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic());
        if valid { name } else { "localhost" }
    }

    fn reply(&mut self, reply: &Reply<'_>) {
        reply.encode(&mut self.output);
    }

    /// A protocol error: answer it and count it; too many close the connection.
    fn error(&mut self, reply: &Reply<'_>) {
        self.reply(reply);
        self.errors = self.errors.saturating_add(1);
        if self.errors >= self.config.max_errors {
            self.reply(&replies::TOO_MANY_ERRORS);
            self.close();
        }
    }

    /// Ends the connection; a running transaction is abandoned.
    fn close(&mut self) {
        if self.is_closed() {
            return;
        }
        self.reset_transaction();
        self.phase = Phase::Closed;
        self.input = Vec::new();
        self.pos = 0;
        self.body = Vec::new();
    }

    /// Forgets the transaction; the handler hears of it if one was open.
    fn reset_transaction(&mut self) {
        if self.txn.mail {
            self.events.push_back(Event::TransactionReset);
        }
        if self.body_state == BodyState::Receiving {
            self.body_state = BodyState::Aborted;
        }
        self.txn = Transaction::default();
        self.refusal = None;
        self.body.clear();
    }

    /// After a transaction ended: a pending graceful shutdown closes now.
    fn after_transaction(&mut self) {
        if self.shutting_down && !self.is_closed() {
            self.reply(&Reply::SERVICE_NOT_AVAILABLE);
            self.close();
        }
    }

    /// Processes buffered input until a decision is needed or more input is.
    fn process(&mut self) {
        loop {
            let progressed = match self.phase {
                Phase::Command => self.process_command_line(),
                Phase::Auth(_) => self.process_auth_line(),
                Phase::Data(_) => self.process_data(),
                Phase::BdatChunk => self.process_bdat_chunk(),
                Phase::BdatSkip { .. } => self.process_bdat_skip(),
                Phase::Awaiting(_) | Phase::TlsHandshake | Phase::Closed => false,
            };
            if !progressed {
                break;
            }
        }
        self.compact_input();
    }

    fn compact_input(&mut self) {
        if self.pos >= self.input.len() {
            self.input.clear();
            self.pos = 0;
            if self.input.capacity() > KEEP_CAPACITY {
                self.input = Vec::new();
            }
        } else if self.pos > 0 {
            self.input.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// The unprocessed input.
    fn pending_input(&self) -> &[u8] {
        self.input.get(self.pos..).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greeting_names_the_host() {
        let info = ConnectionInfo::new(
            "127.0.0.1:1000".parse().unwrap(),
            "127.0.0.1:25".parse().unwrap(),
        );
        let mut conn = Connection::new(Arc::new(Config::new("mx.example")), info, Offer::default());
        let mut out = Vec::new();
        assert!(conn.poll_output(&mut out));
        assert_eq!(out, b"220 mx.example ESMTP ready\r\n");
    }
}
