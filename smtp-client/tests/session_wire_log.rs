//! The conversation log (`tracing` target `smtp_client::wire`) never shows
//! credentials. Alone in its own test binary: `tracing` caches per-callsite
//! interest process-wide, so a scoped subscriber in a binary whose other
//! tests run in parallel without one may miss events.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use smtp_client::session::{AuthOptions, ClientSession, SessionConfig};
use smtp_client::{Credentials, Mechanism};

fn ready(tls: bool, ehlo: &str) -> ClientSession {
    let mut s = ClientSession::new(SessionConfig::default(), tls);
    s.handle_input(b"220 mx ESMTP\r\n").unwrap();
    s.poll_output(&mut Vec::new());
    s.handle_input(ehlo.as_bytes()).unwrap();
    while s.poll_event().is_some() {}
    assert!(s.is_ready());
    s
}

fn options(mechanism: Option<Mechanism<'static>>, allow_plaintext: bool) -> AuthOptions<'static> {
    AuthOptions {
        mechanism,
        allow_plaintext,
        scram_nonce: "rOprNGfwEbeRWgbNEkqO",
        host: "mx.example",
        port: 587,
    }
}

fn b64(s: &[u8]) -> String {
    STANDARD.encode(s)
}

/// Collects what a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn conversation_log_redacts_credentials() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let mut s = ready(true, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
        s.authenticate(
            &Credentials::password("user", "hunter2"),
            &options(Some(Mechanism::Login), false),
        )
        .unwrap();
        s.handle_input(format!("334 {}\r\n", b64(b"Username:")).as_bytes())
            .unwrap();
        s.handle_input(format!("334 {}\r\n", b64(b"Password:")).as_bytes())
            .unwrap();
        s.handle_input(b"235 2.7.0 ok\r\n").unwrap();
        let mut s = ready(true, "250-mx\r\n250 AUTH PLAIN\r\n");
        s.authenticate(
            &Credentials::password("user", "hunter2"),
            &options(None, false),
        )
        .unwrap();
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("C: AUTH LOGIN"), "{log}");
    assert!(log.contains("S: 235 2.7.0 ok"), "{log}");
    assert!(log.contains("C: AUTH PLAIN <redacted>"), "{log}");
    assert!(log.contains("C: <redacted>"), "{log}");
    for secret in ["hunter2", &b64(b"hunter2"), &b64(b"\0user\0hunter2")] {
        assert!(!log.contains(secret), "{secret} leaked: {log}");
    }
}
