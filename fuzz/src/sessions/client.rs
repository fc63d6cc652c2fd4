//! The `client_session` target: a scripted server (reply bytes split at the
//! script's points, TLS handshake done, end of stream) against the sans-I/O
//! `smtp_client::session::ClientSession` sending one message with TLS
//! required and credentials configured, driven the way `Client` drives it
//! (STARTTLS first, then AUTH, then the transaction, then QUIT).
//!
//! Input (see [`Script`](super::script::Script)): header byte 0 holds flags
//! (bit 0 use PIPELINING, 1 use CHUNKING, 2 an OAuth token instead of a
//! password, 3 implicit TLS); byte 1 the BDAT chunk size minus one; byte 2
//! picks one of [`MESSAGES`]; byte 3 the recipient count (1 + byte % 3).
//! Decisions are not used. Ops: 0 server bytes, 1 TLS handshake done, 2 end
//! of stream, 3 QUIT (when the session is ready), 4 try AUTH now (TLS
//! required: refused before TLS).
//!
//! A model reads the client's output (command lines, DATA bodies up to the
//! terminator, BDAT chunks) and matches the server's replies to it in order,
//! independently of the session. Checked: no panic; before the TLS handshake
//! the client writes nothing but EHLO, HELO, STARTTLS, NOOP, RSET and QUIT
//! (so no AUTH, credentials or envelope in plaintext); bytes after the `220`
//! to STARTTLS are refused (response injection); after the handshake the
//! capabilities are forgotten; `MessageAccepted` only after a positive
//! completion reply (2yz, RFC 5321 §4.2.1) to the end of data (`.` or
//! `BDAT LAST`) of a transaction whose MAIL and at least one RCPT were
//! accepted, once per such reply; an `Err` closes the session; output stays
//! in proportion to the replies read.

use std::collections::VecDeque;

use smtp_client::session::{AuthOptions, ClientSession, Event, SessionConfig};
use smtp_client::{BodyInfo, Credentials, Envelope};
use smtp_proto::{Command, ParseOptions, Reply};

use super::script::{Script, Step};

/// Op kinds of this target (see the module documentation).
const OP_KINDS: u8 = 5;

/// The messages the client sends: plain, dot lines, bare LF line endings,
/// 8-bit, binary (NUL), empty, bare CR, and one longer than a BDAT chunk.
pub const MESSAGES: [&[u8]; 8] = [
    b"Subject: hi\r\n\r\nHello.\r\n",
    b"Subject: dots\r\n\r\n.\r\n..x\r\n.\r\nend",
    b"Subject: lf\n\na\nb\n.\n",
    b"Subject: caf\xc3\xa9\r\n\r\n\xc3\xa9t\xc3\xa9\r\n",
    b"Subject: bin\r\n\r\n\x00\x01\x02\r\n",
    b"",
    b"Subject: cr\r\n\r\na\rb\r\n",
    b"Subject: long\r\n\r\n0123456789012345678901234567890123456789012345678901234567890123456789\r\n0123456789012345678901234567890123456789012345678901234567890123456789\r\n0123456789012345678901234567890123456789012345678901234567890123456789\r\n.\r\n",
];

/// Body octets handed to the session per `send_body` call.
const BODY_PIECE: usize = 37;

/// Output allowed: a base, per op, per reply read, and per body octet.
const OUTPUT_BASE: usize = 8192;
const OUTPUT_PER_STEP: usize = 1024;

/// What the client wrote that awaits a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Mail,
    Rcpt,
    Data,
    StartTls,
    /// The body of DATA, up to and including the terminator.
    DataEnd,
    Bdat {
        last: bool,
    },
    /// Any other line (EHLO, AUTH, SASL responses, RSET, QUIT...).
    Other,
}

/// How the model reads the client's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Command,
    /// A DATA body; `line_start` tracks where a terminator may begin.
    Body {
        line_start: bool,
        dot: u8,
    },
    /// The octets of a BDAT chunk still to come.
    Chunk {
        remaining: usize,
        last: bool,
    },
}

/// The reference the session is held to.
#[derive(Debug)]
struct Model {
    tls: bool,
    upgrade_pending: bool,
    /// The session failed (`Err`) or was closed: matching stops.
    done: bool,
    server_input: Vec<u8>,
    /// Replies read whose unit the client has not written yet: output
    /// written while handling input is read after it.
    replies: VecDeque<Reply<'static>>,
    client_line: Vec<u8>,
    mode: Mode,
    units: VecDeque<Unit>,
    mail_ok: bool,
    rcpts_ok: usize,
    /// Positive replies to an end of data not yet reported by the session.
    acknowledged: usize,
    output_total: usize,
    steps: usize,
}

/// What the driver does next.
#[derive(Debug, Default)]
struct Driver {
    auth_started: bool,
    authenticated: bool,
    mail_sent: bool,
    body: Option<usize>,
    quitting: bool,
}

/// Runs the `client_session` checks on one fuzz input; panics on a violation.
pub fn check_client_session(data: &[u8]) {
    let mut script = Script::new(data);
    let config = SessionConfig {
        use_pipelining: script.flag(0, 0),
        use_chunking: script.flag(0, 1),
        chunk_size: 1 + usize::from(script.header[1]),
        ..SessionConfig::default()
    };
    let credentials = if script.flag(0, 2) {
        Credentials::oauth_bearer("user@example.com", "ya29.token")
    } else {
        Credentials::password("user@example.com", "pencil")
    };
    let implicit_tls = script.flag(0, 3);
    let message = MESSAGES[usize::from(script.header[2]) % MESSAGES.len()];
    let count = 1 + usize::from(script.header[3]) % 3;
    let recipients: Vec<String> = (0..count).map(|k| format!("rcpt{k}@example.org")).collect();
    let envelope = Envelope::new("sender@example.com", &recipients).expect("valid envelope");

    let mut session = ClientSession::new(config, implicit_tls);
    let mut model = Model {
        tls: implicit_tls,
        upgrade_pending: false,
        done: false,
        server_input: Vec::new(),
        replies: VecDeque::new(),
        client_line: Vec::new(),
        mode: Mode::Command,
        // The greeting.
        units: VecDeque::from([Unit::Other]),
        mail_ok: false,
        rcpts_ok: 0,
        acknowledged: 0,
        output_total: 0,
        steps: 0,
    };
    let mut driver = Driver::default();
    let run = Run {
        credentials: &credentials,
        envelope: &envelope,
        message,
    };
    while let Some(step) = script.next_step(OP_KINDS) {
        model.steps += 1;
        match step {
            Step::Bytes(bytes) => {
                let injection = model.upgrade_pending && !bytes.is_empty();
                let result = session.handle_input(bytes);
                if injection {
                    assert!(
                        result.is_err(),
                        "bytes before the TLS handshake were accepted"
                    );
                }
                // The replies before an error were handled: the model reads
                // them too, and stops after.
                if !model.done {
                    model.server_bytes(bytes);
                }
                if result.is_err() {
                    assert!(
                        !session.is_connected(),
                        "an input error left the session connected"
                    );
                    model.done = true;
                }
            }
            Step::Op(1) => {
                let pending = model.upgrade_pending && session.is_connected();
                let tls_before = session.is_tls();
                session.tls_established();
                if pending {
                    model.upgrade_pending = false;
                    model.tls = true;
                    model.server_input.clear();
                    model.replies.clear();
                    assert!(session.is_tls(), "TLS not recorded after the handshake");
                    assert!(
                        session.capabilities().is_none(),
                        "capabilities learnt before STARTTLS survived the handshake (RFC 3207 §4.2)"
                    );
                } else {
                    assert_eq!(
                        session.is_tls(),
                        tls_before,
                        "a handshake nobody asked for changed the TLS state"
                    );
                }
            }
            Step::Op(2) => {
                let _ = session.handle_eof();
                assert!(
                    !session.is_connected(),
                    "connected after the end of the stream"
                );
                model.done = true;
            }
            Step::Op(3) => {
                if session.is_ready() {
                    session.quit().expect("QUIT on a ready session");
                }
            }
            Step::Op(_) => {
                let result = session.authenticate(run.credentials, &auth_options());
                if !session.is_tls() {
                    assert!(
                        result.is_err(),
                        "AUTH accepted without TLS although TLS is required"
                    );
                }
                if result.is_ok() {
                    driver.auth_started = true;
                }
            }
        }
        drive(&mut session, &mut model, &mut driver, &run);
    }
}

/// What the driver sends.
struct Run<'a> {
    credentials: &'a Credentials,
    envelope: &'a Envelope,
    message: &'a [u8],
}

fn auth_options() -> AuthOptions<'static> {
    AuthOptions {
        mechanism: None,
        allow_plaintext: false,
        scram_nonce: "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF",
        host: "mx.example.net",
        port: 587,
    }
}

/// Handles events, feeds the body and takes the output until nothing moves.
fn drive(session: &mut ClientSession, model: &mut Model, driver: &mut Driver, run: &Run<'_>) {
    loop {
        let mut progressed = false;
        while let Some(event) = session.poll_event() {
            progressed = true;
            handle_event(session, model, driver, run, event);
        }
        if let Some(sent) = driver.body.filter(|_| session.wants_body()) {
            progressed = true;
            if sent < run.message.len() {
                let end = (sent + BODY_PIECE).min(run.message.len());
                session
                    .send_body(&run.message[sent..end])
                    .expect("send_body while the session wants the body");
                driver.body = Some(end);
            } else {
                session
                    .finish_body()
                    .expect("finish_body while the session wants the body");
                driver.body = None;
            }
        }
        let mut out = Vec::new();
        if session.poll_output(&mut out) {
            progressed = true;
            model.client_bytes(&out);
            let bound = OUTPUT_BASE + OUTPUT_PER_STEP * model.steps + 4 * run.message.len();
            assert!(
                model.output_total <= bound,
                "client output out of proportion: {} octets after {} steps",
                model.output_total,
                model.steps
            );
        }
        if !progressed {
            break;
        }
    }
}

fn handle_event(
    session: &mut ClientSession,
    model: &mut Model,
    driver: &mut Driver,
    run: &Run<'_>,
    event: Event,
) {
    match event {
        Event::CapabilitiesReceived => {
            if !session.is_tls() {
                // TLS is required: without STARTTLS the driver gives up.
                if session.start_tls().is_err() {
                    quit(session, driver);
                }
            } else if !driver.auth_started {
                driver.auth_started = true;
                if session
                    .authenticate(run.credentials, &auth_options())
                    .is_err()
                {
                    quit(session, driver);
                }
            } else if driver.authenticated && !driver.mail_sent {
                send_mail(session, driver, run);
            }
        }
        Event::TlsUpgradeRequested => {
            assert!(!model.tls, "TLS upgrade requested on a TLS connection");
            model.upgrade_pending = true;
        }
        Event::Authenticated => {
            assert!(session.is_tls(), "authenticated without TLS");
            driver.authenticated = true;
            if !driver.mail_sent {
                send_mail(session, driver, run);
            }
        }
        Event::BodyRequested => {
            assert!(driver.mail_sent, "body requested without a transaction");
            driver.body = Some(0);
        }
        Event::MessageAccepted(report) => {
            assert!(
                model.acknowledged > 0,
                "MessageAccepted without a positive reply to the end of data"
            );
            model.acknowledged -= 1;
            assert!(
                report.reply.is_positive(),
                "the report carries a negative reply"
            );
            assert!(
                report.recipients.iter().any(|r| r.is_accepted()),
                "a message accepted for no recipient"
            );
            driver.body = None;
            quit(session, driver);
        }
        Event::TransactionFailed(_) | Event::CommandFailed(_) => {
            driver.body = None;
            quit(session, driver);
        }
        _ => {}
    }
}

fn send_mail(session: &mut ClientSession, driver: &mut Driver, run: &Run<'_>) {
    driver.mail_sent = true;
    if session
        .send_mail(run.envelope, BodyInfo::of(run.message))
        .is_err()
    {
        quit(session, driver);
    }
}

fn quit(session: &mut ClientSession, driver: &mut Driver) {
    if !driver.quitting && session.is_connected() {
        driver.quitting = true;
        let _ = session.quit();
    }
}

impl Model {
    /// Reads the complete replies in the server's bytes and matches them.
    fn server_bytes(&mut self, bytes: &[u8]) {
        self.server_input.extend_from_slice(bytes);
        while let Ok((reply, used)) = Reply::parse(&self.server_input) {
            let reply = reply.into_owned();
            self.server_input.drain(..used);
            self.replies.push_back(reply);
        }
        self.match_replies();
    }

    /// A unit the client wrote.
    fn push_unit(&mut self, unit: Unit) {
        self.units.push_back(unit);
        self.match_replies();
    }

    /// Pairs replies and units in order (RFC 2920: replies come in command order).
    fn match_replies(&mut self) {
        while !self.units.is_empty() && !self.replies.is_empty() {
            let unit = self.units.pop_front().expect("checked non-empty");
            let reply = self.replies.pop_front().expect("checked non-empty");
            self.reply_to(unit, &reply);
        }
    }

    fn reply_to(&mut self, unit: Unit, reply: &Reply<'_>) {
        let code = reply.code().get();
        let positive = reply.is_positive();
        match unit {
            Unit::Mail => {
                self.mail_ok = positive;
                self.rcpts_ok = 0;
            }
            Unit::Rcpt => self.rcpts_ok += usize::from(positive),
            Unit::Data if code == 354 => {
                self.mode = Mode::Body {
                    line_start: true,
                    dot: 0,
                };
            }
            Unit::DataEnd | Unit::Bdat { last: true } => {
                if positive && self.mail_ok && self.rcpts_ok > 0 {
                    self.acknowledged += 1;
                }
                self.mail_ok = false;
                self.rcpts_ok = 0;
            }
            Unit::StartTls if code == 220 => {
                // Everything after the 220 was sent before the handshake.
                self.server_input.clear();
                self.replies.clear();
            }
            _ => {}
        }
    }

    /// Reads the client's output: checks what may go out before TLS and
    /// queues a unit for every reply it calls for.
    fn client_bytes(&mut self, bytes: &[u8]) {
        self.output_total += bytes.len();
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.mode {
                Mode::Chunk { remaining, last } => {
                    let take = remaining.min(rest.len());
                    rest = &rest[take..];
                    if take == remaining {
                        self.mode = Mode::Command;
                        self.push_unit(Unit::Bdat { last });
                    } else {
                        self.mode = Mode::Chunk {
                            remaining: remaining - take,
                            last,
                        };
                    }
                }
                Mode::Body {
                    mut line_start,
                    mut dot,
                } => {
                    let (&byte, tail) = rest.split_first().expect("non-empty");
                    rest = tail;
                    // States: dot 1 = "." at a line start, 2 = ".\r" after it.
                    let ended = match (dot, byte) {
                        (2, b'\n') => true,
                        (1, b'\r') => {
                            dot = 2;
                            false
                        }
                        (0, b'.') if line_start => {
                            dot = 1;
                            false
                        }
                        _ => {
                            dot = 0;
                            false
                        }
                    };
                    if ended {
                        self.mode = Mode::Command;
                        self.push_unit(Unit::DataEnd);
                        continue;
                    }
                    if dot == 0 {
                        line_start = byte == b'\n';
                    }
                    self.mode = Mode::Body { line_start, dot };
                }
                Mode::Command => {
                    let end = rest.iter().position(|&b| b == b'\n');
                    let take = end.map_or(rest.len(), |k| k + 1);
                    self.client_line.extend_from_slice(&rest[..take]);
                    rest = &rest[take..];
                    if end.is_some() {
                        let line = std::mem::take(&mut self.client_line);
                        self.client_command(&line);
                    }
                }
            }
        }
    }

    fn client_command(&mut self, line: &[u8]) {
        let options = ParseOptions::strict().with_smtputf8(true);
        let command = Command::parse(line, &options)
            .ok()
            .map(|(command, _)| command);
        if !self.tls {
            let allowed = matches!(
                command,
                Some(
                    Command::Ehlo(_)
                        | Command::Helo(_)
                        | Command::StartTls
                        | Command::Noop(_)
                        | Command::Rset
                        | Command::Quit
                )
            );
            assert!(
                allowed,
                "written before the TLS handshake: {:?}",
                String::from_utf8_lossy(line)
            );
        }
        let unit = match command {
            Some(Command::Mail { .. }) => Unit::Mail,
            Some(Command::Rcpt { .. }) => Unit::Rcpt,
            Some(Command::Data) => Unit::Data,
            Some(Command::StartTls) => Unit::StartTls,
            Some(Command::Bdat { size, last }) => {
                let remaining = usize::try_from(size).expect("chunk size fits in memory");
                if remaining == 0 {
                    Unit::Bdat { last }
                } else {
                    self.mode = Mode::Chunk { remaining, last };
                    return;
                }
            }
            _ => Unit::Other,
        };
        self.push_unit(unit);
    }
}
