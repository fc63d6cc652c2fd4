//! The `server_session` target: a scripted client (bytes, TLS handshake
//! done, timeout, end of stream, graceful shutdown and its deadline) against
//! the sans-I/O `smtp_server::Connection`, with a handler and an
//! authenticator whose answers come from the input.
//!
//! Input (see [`Script`](super::script::Script)): header byte 0 holds flags
//! (bit 0 STARTTLS offered, 1 AUTH allowed without TLS, 2 LMTP, 3 bare CR/LF
//! normalised instead of refused, 4 lenient grammar, 5 relay limited to
//! `example.org`, 6 SMTPUTF8 off, 7 AUTH offered: PLAIN LOGIN CRAM-MD5
//! SCRAM-SHA-256); byte 1 the size limit in units of 16 octets (0: default);
//! byte 2 the recipient limit (0: default); byte 3 the error limit (0:
//! default). Decisions: even grants, odd refuses with one of [`REFUSALS`].
//! Ops: 0 client bytes, 1 TLS handshake done, 2 timeout, 3 end of stream,
//! 4 shutdown, 5 shutdown deadline.
//!
//! Checked after every step: no panic; each output chunk is whole, well-formed
//! replies with valid codes; no `DataStarted` without an accepted MAIL and
//! RCPT; no `MessageReceived` without `DataStarted` and a complete body; no
//! `MessageAccepted` unless the handler accepted a complete body the protocol
//! did not refuse (and then a `250` was sent); no RCPT reaches the handler
//! beyond the recipient limit or (relay limited, unauthenticated) for a
//! foreign domain; no AUTH reaches the authenticator before TLS unless
//! allowed, and no `Authenticated` without a grant; the session never waits
//! for input it cannot get (a deadlock); output and body (at most twice, once
//! bare line endings are normalised) stay in proportion to the input; after
//! the close, nothing more comes out.

use std::sync::{Arc, OnceLock};

use smtp_proto::sasl::scram::{MIN_ITERATIONS, ScramCredentials};
use smtp_proto::{BareLineEndings, ForwardPath, Host, ParseOptions, Reply};
use smtp_server::TlsInfo;
use smtp_server::{AuthRequest, BodyState, Config, Connection, ConnectionInfo, Event, Offer};

use super::script::{Script, Step, parse_replies};

/// Op kinds of this target (see the module documentation).
const OP_KINDS: u8 = 6;

/// Replies the handler refuses with, chosen by `decision >> 1`.
pub const REFUSALS: [Reply<'static>; 5] = [
    Reply::from_static(450, Some((4, 2, 0)), "Mailbox busy"),
    Reply::from_static(451, Some((4, 3, 0)), "Try again later"),
    Reply::from_static(550, Some((5, 1, 1)), "No such user"),
    Reply::from_static(552, Some((5, 3, 4)), "Too big for this mailbox"),
    Reply::from_static(554, None, "Refused"),
];

/// The password every user has for CRAM-MD5 and SCRAM-SHA-256 lookups.
pub const PASSWORD: &str = "pencil";

/// Output allowed per op and per input octet: generous, but a session that
/// answered one command with unbounded output would exceed it.
const OUTPUT_PER_OP: usize = 1024;
const OUTPUT_PER_INPUT_OCTET: usize = 64;

/// What the script has seen so far: the reference the session is held to.
#[derive(Debug, Default)]
struct Model {
    allow_insecure_auth: bool,
    relay_limited: bool,
    max_recipients: usize,
    mail_accepted: bool,
    rcpts_accepted: usize,
    data_started: bool,
    message_received: bool,
    /// The last data verdict granted a body the protocol did not refuse.
    acceptance_due: bool,
    auth_granted: bool,
    tls: bool,
    handshake_pending: bool,
    closed: bool,
    input_total: usize,
    output_total: usize,
    body_total: usize,
    ops: usize,
}

impl Model {
    fn end_transaction(&mut self) {
        self.mail_accepted = false;
        self.rcpts_accepted = 0;
        self.data_started = false;
        self.message_received = false;
        self.acceptance_due = false;
    }
}

/// Runs the `server_session` checks on one fuzz input; panics on a violation.
pub fn check_server_session(data: &[u8]) {
    let mut script = Script::new(data);
    let (mut conn, mut model) = connection(&script);
    drain(&mut conn, &mut script, &mut model);
    while let Some(step) = script.next_step(OP_KINDS) {
        model.ops += 1;
        let closed_before = model.closed;
        match step {
            Step::Bytes(bytes) => {
                model.input_total += bytes.len();
                conn.handle_input(bytes);
            }
            Step::Op(1) => {
                let tls_before = conn.info().tls.is_some();
                conn.handle_tls_established(TlsInfo::new(
                    "TLSv1.3",
                    "TLS13_AES_128_GCM_SHA256",
                    None,
                ));
                if model.handshake_pending && !conn.is_closed() {
                    model.handshake_pending = false;
                    model.tls = true;
                    model.auth_granted = false;
                    assert!(
                        conn.info().tls.is_some(),
                        "TLS not recorded after the handshake"
                    );
                    assert!(
                        conn.info().helo_name.is_none() && conn.info().authenticated_as.is_none(),
                        "state learnt before STARTTLS survived the handshake (RFC 3207 §4.2)"
                    );
                } else {
                    assert_eq!(
                        conn.info().tls.is_some(),
                        tls_before,
                        "a handshake nobody asked for changed the TLS state"
                    );
                }
            }
            Step::Op(2) => conn.handle_timeout(),
            Step::Op(3) => conn.handle_eof(),
            Step::Op(4) => conn.handle_shutdown(),
            Step::Op(_) => conn.handle_shutdown_deadline(),
        }
        if closed_before {
            assert!(
                conn.poll_event().is_none(),
                "event after the connection closed"
            );
            let mut out = Vec::new();
            assert!(
                !conn.poll_output(&mut out),
                "output after the connection closed: {:?}",
                String::from_utf8_lossy(&out)
            );
        }
        drain(&mut conn, &mut script, &mut model);
    }
}

/// The connection the header describes, and the model that follows it.
fn connection(script: &Script<'_>) -> (Connection, Model) {
    let mut config = Config::new("mx.example.net");
    config.allow_insecure_auth = script.flag(0, 1);
    config.lmtp = script.flag(0, 2);
    if script.flag(0, 3) {
        config.bare_line_endings = BareLineEndings::Normalise;
    }
    if script.flag(0, 4) {
        config.parse_options = ParseOptions::lenient();
    }
    if script.flag(0, 5) {
        config.local_domains = vec!["example.org".to_owned()];
    }
    config.smtputf8 = !script.flag(0, 6);
    if script.header[1] != 0 {
        config.max_message_size = u64::from(script.header[1]) * 16;
    }
    if script.header[2] != 0 {
        config.max_recipients = usize::from(script.header[2]);
    }
    if script.header[3] != 0 {
        config.max_errors = u32::from(script.header[3]);
    }
    let mechanisms = if script.flag(0, 7) {
        vec!["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"]
    } else {
        Vec::new()
    };
    let model = Model {
        allow_insecure_auth: config.allow_insecure_auth,
        relay_limited: !config.local_domains.is_empty() || !mechanisms.is_empty(),
        max_recipients: config.max_recipients,
        ..Model::default()
    };
    let info = ConnectionInfo::new(
        "192.0.2.1:40000".parse().expect("literal address"),
        "192.0.2.25:25".parse().expect("literal address"),
    );
    let conn = Connection::new(
        Arc::new(config),
        info,
        Offer::new(script.flag(0, 0), mechanisms),
    );
    (conn, model)
}

/// Answers every event the way a driver would (decisions from the script),
/// takes the body and the output, and checks them.
fn drain(conn: &mut Connection, script: &mut Script<'_>, model: &mut Model) {
    loop {
        let mut progressed = false;
        while let Some(event) = conn.poll_event() {
            progressed = true;
            assert!(!model.closed, "event {event:?} after the connection closed");
            handle_event(conn, script, model, event);
        }
        if take_body(conn, model) {
            progressed = true;
        }
        if take_output(conn, model).is_some() {
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    if conn.is_closed() {
        model.closed = true;
    } else if !model.handshake_pending {
        // Every decision was answered: a session that still does not want
        // input would hang its driver forever.
        assert!(
            conn.wants_input(),
            "session neither closed nor wanting input"
        );
        assert!(
            conn.timeout().is_some(),
            "waiting for input without a timeout"
        );
    }
}

/// Takes the body octets the way a driver streams them to the handler;
/// false when there were none.
fn take_body(conn: &mut Connection, model: &mut Model) -> bool {
    let mut body = Vec::new();
    conn.take_body(&mut body);
    if body.is_empty() {
        return false;
    }
    assert!(model.data_started, "body octets outside a message");
    model.body_total += body.len();
    // Normalising may turn each bare LF or CR into CRLF: at most twice the input.
    assert!(
        model.body_total <= 2 * model.input_total,
        "more body octets ({}) than twice the input ({})",
        model.body_total,
        model.input_total
    );
    true
}

/// Takes and checks the queued output: whole replies, valid codes, bounded;
/// `None` when there was none.
fn take_output(conn: &mut Connection, model: &mut Model) -> Option<(Vec<u8>, Vec<Reply<'static>>)> {
    let mut out = Vec::new();
    if !conn.poll_output(&mut out) {
        return None;
    }
    assert!(
        !model.closed,
        "output after the connection closed: {:?}",
        String::from_utf8_lossy(&out)
    );
    let replies = parse_replies(&out, "server output");
    model.output_total += out.len();
    let bound = OUTPUT_PER_OP * (model.ops + 1) + OUTPUT_PER_INPUT_OCTET * model.input_total;
    assert!(
        model.output_total <= bound,
        "output out of proportion: {} octets for {} input octets in {} ops",
        model.output_total,
        model.input_total,
        model.ops
    );
    Some((out, replies))
}

fn granted(decision: u8) -> bool {
    decision & 1 == 0
}

fn verdict(decision: u8) -> Result<(), Reply<'static>> {
    if granted(decision) {
        Ok(())
    } else {
        Err(REFUSALS[usize::from(decision >> 1) % REFUSALS.len()].clone())
    }
}

fn handle_event(conn: &mut Connection, script: &mut Script<'_>, model: &mut Model, event: Event) {
    match event {
        Event::MailReceived { .. } => {
            assert!(
                !model.mail_accepted,
                "MAIL reached the handler inside a transaction"
            );
            let decision = script.decision();
            if granted(decision) {
                model.end_transaction();
                model.mail_accepted = true;
            }
            conn.handle_mail_verdict(verdict(decision));
        }
        Event::RcptReceived { to, .. } => {
            assert!(
                model.mail_accepted,
                "RCPT reached the handler without an accepted MAIL"
            );
            assert!(
                model.rcpts_accepted < model.max_recipients,
                "RCPT reached the handler beyond the recipient limit"
            );
            if model.relay_limited && conn.info().authenticated_as.is_none() {
                assert!(
                    is_local(&to),
                    "relay: RCPT to a foreign domain reached the handler"
                );
            }
            let decision = script.decision();
            if granted(decision) {
                model.rcpts_accepted += 1;
            }
            conn.handle_rcpt_verdict(verdict(decision));
        }
        Event::DataStarted => {
            assert!(
                model.mail_accepted && model.rcpts_accepted > 0,
                "message body started without an accepted MAIL and RCPT"
            );
            assert!(!model.data_started, "second DataStarted in one transaction");
            model.data_started = true;
        }
        Event::MessageReceived => {
            assert!(model.data_started, "MessageReceived without DataStarted");
            assert_eq!(
                conn.body_state(),
                BodyState::Complete,
                "MessageReceived before the body completed"
            );
            model.message_received = true;
            // The handler reads the whole body before it decides.
            take_body(conn, model);
            let refused = conn.body_refusal().is_some();
            let decision = script.decision();
            model.acceptance_due = granted(decision) && !refused;
            // Replies queued before belong to earlier commands; the first
            // one after the verdict answers the end of the body.
            take_output(conn, model);
            conn.handle_data_verdict(verdict(decision));
            let (out, replies) = take_output(conn, model).unwrap_or_default();
            let first = replies.first().map(|r| r.code().get());
            if model.acceptance_due {
                assert_eq!(
                    first,
                    Some(250),
                    "an accepted message did not get 250: {:?}",
                    String::from_utf8_lossy(&out)
                );
            } else {
                assert!(
                    first.is_some_and(|code| code >= 400),
                    "a refused message did not get a 4xx/5xx reply: {:?}",
                    String::from_utf8_lossy(&out)
                );
            }
        }
        Event::MessageAccepted => {
            assert!(
                model.message_received && model.acceptance_due,
                "MessageAccepted without a complete body the handler accepted"
            );
            model.end_transaction();
        }
        Event::TransactionReset => {
            assert!(!model.acceptance_due, "an accepted message was reset");
            model.end_transaction();
        }
        Event::AuthRequested(request) => {
            assert!(
                model.tls || model.allow_insecure_auth,
                "AUTH reached the authenticator without TLS"
            );
            assert!(
                conn.info().authenticated_as.is_none(),
                "AUTH reached the authenticator on an authenticated connection"
            );
            let grant = granted(script.decision());
            model.auth_granted = grant;
            match request {
                AuthRequest::Password { .. } => {
                    conn.handle_password_verdict(if grant {
                        Ok("user".to_owned())
                    } else {
                        Err(())
                    });
                }
                AuthRequest::CramMd5Password { .. } => {
                    conn.handle_cram_md5_password(grant.then(|| PASSWORD.to_owned()));
                }
                AuthRequest::ScramCredentials { .. } => {
                    conn.handle_scram_credentials(grant.then(scram_credentials));
                }
                _ => {}
            }
        }
        Event::Authenticated { .. } => {
            assert!(model.auth_granted, "Authenticated without a granted lookup");
            model.auth_granted = false;
        }
        Event::TlsUpgradeRequested => {
            assert!(!model.tls, "STARTTLS accepted on a TLS connection");
            assert!(!model.mail_accepted, "STARTTLS inside a transaction");
            model.handshake_pending = true;
        }
        _ => {}
    }
}

/// `<Postmaster>` or a mailbox at `example.org`.
fn is_local(to: &ForwardPath<'_>) -> bool {
    match to.mailbox() {
        None => true,
        Some(mailbox) => match mailbox.domain() {
            Host::Domain(domain) => domain.as_str().eq_ignore_ascii_case("example.org"),
            Host::Literal(_) => false,
        },
    }
}

/// The SCRAM keys of [`PASSWORD`], derived once (PBKDF2 is slow on purpose).
fn scram_credentials() -> ScramCredentials {
    static KEYS: OnceLock<ScramCredentials> = OnceLock::new();
    KEYS.get_or_init(|| {
        ScramCredentials::derive(PASSWORD, b"fuzzing-salt-16b", MIN_ITERATIONS)
            .expect("valid password, salt and iteration count")
    })
    .clone()
}
