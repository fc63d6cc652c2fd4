//! Driving the sans-I/O [`ClientSession`] with scripted server bytes: what
//! it wrote, what it reported, a session ready after a given EHLO, and the
//! AUTH options the security tests use.
#![allow(dead_code, unreachable_pub)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use smtp_client::Mechanism;
use smtp_client::session::{AuthOptions, ClientSession, Event, SessionConfig};

/// Everything the session has queued to send, as text.
pub fn output(session: &mut ClientSession) -> String {
    let mut out = Vec::new();
    session.poll_output(&mut out);
    String::from_utf8(out).expect("client output is UTF-8 here")
}

/// Every event the session has queued.
pub fn events(session: &mut ClientSession) -> Vec<Event> {
    std::iter::from_fn(|| session.poll_event()).collect()
}

/// A session (TLS or not) greeted, then answered with the whole `ehlo` reply.
pub fn ready(tls: bool, ehlo: &str) -> ClientSession {
    let mut s = ClientSession::new(SessionConfig::default(), tls);
    s.handle_input(b"220 mx ESMTP\r\n").unwrap();
    output(&mut s);
    s.handle_input(ehlo.as_bytes()).unwrap();
    events(&mut s);
    assert!(s.is_ready());
    s
}

/// AUTH options with a fixed SCRAM nonce, for `mx.example:587`.
pub fn options(
    mechanism: Option<Mechanism<'static>>,
    allow_plaintext: bool,
) -> AuthOptions<'static> {
    AuthOptions {
        mechanism,
        allow_plaintext,
        scram_nonce: "rOprNGfwEbeRWgbNEkqO",
        host: "mx.example",
        port: 587,
    }
}

/// Standard base64, as SASL exchanges carry it.
pub fn b64(s: &[u8]) -> String {
    STANDARD.encode(s)
}
