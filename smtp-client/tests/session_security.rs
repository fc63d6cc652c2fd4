//! The sans-I/O session's security rules against scripted server bytes:
//! STARTTLS (response injection, capabilities forgotten), AUTH mechanism
//! choice, no credentials without TLS, SASL exchanges. No sockets.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use smtp_client::session::{AuthOptions, ClientSession, Event, SessionConfig};
use smtp_client::{Credentials, Error, Mechanism};
use smtp_proto::sasl::cram_md5::{CramMd5Challenge, CramMd5Response};
use smtp_proto::sasl::scram::{ScramCredentials, ScramServer, ScramServerOutcome};

fn output(session: &mut ClientSession) -> String {
    let mut out = Vec::new();
    session.poll_output(&mut out);
    String::from_utf8(out).unwrap()
}

fn events(session: &mut ClientSession) -> Vec<Event> {
    std::iter::from_fn(|| session.poll_event()).collect()
}

fn ready(tls: bool, ehlo: &str) -> ClientSession {
    let mut s = ClientSession::new(SessionConfig::default(), tls);
    s.handle_input(b"220 mx ESMTP\r\n").unwrap();
    output(&mut s);
    s.handle_input(ehlo.as_bytes()).unwrap();
    events(&mut s);
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

#[test]
fn starttls_upgrade_forgets_capabilities_and_says_ehlo_again() {
    let mut s = ready(false, "250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n");
    s.start_tls().unwrap();
    assert_eq!(output(&mut s), "STARTTLS\r\n");
    s.handle_input(b"220 2.0.0 go ahead\r\n").unwrap();
    assert!(matches!(events(&mut s)[..], [Event::TlsUpgradeRequested]));
    assert!(!s.is_ready());
    s.tls_established();
    assert!(s.capabilities().is_none(), "pre-TLS capabilities forgotten");
    assert!(s.is_tls());
    assert_eq!(output(&mut s), "EHLO localhost\r\n");
    s.handle_input(b"250-mx\r\n250 AUTH PLAIN LOGIN\r\n")
        .unwrap();
    assert!(matches!(events(&mut s)[..], [Event::CapabilitiesReceived]));
    assert!(!s.capabilities().unwrap().has_starttls());
}

#[test]
fn bytes_after_starttls_220_are_response_injection() {
    // In the same read as the 220.
    let mut s = ready(false, "250-mx\r\n250 STARTTLS\r\n");
    s.start_tls().unwrap();
    output(&mut s);
    let error = s
        .handle_input(b"220 go ahead\r\n250-evil\r\n250 AUTH PLAIN\r\n")
        .unwrap_err();
    assert!(
        matches!(&error, Error::Protocol(m) if m.contains("injection")),
        "{error}"
    );
    assert!(!s.is_connected());
    assert!(
        !events(&mut s)
            .iter()
            .any(|e| matches!(e, Event::TlsUpgradeRequested))
    );
    // In a later read, before the handshake is done.
    let mut s = ready(false, "250-mx\r\n250 STARTTLS\r\n");
    s.start_tls().unwrap();
    output(&mut s);
    s.handle_input(b"220 go ahead\r\n").unwrap();
    assert!(matches!(
        s.handle_input(b"250 x\r\n"),
        Err(Error::Protocol(_))
    ));
    assert!(!s.is_connected());
}

#[test]
fn starttls_not_offered_or_refused() {
    let mut s = ready(false, "250 mx\r\n");
    assert!(matches!(s.start_tls(), Err(Error::Unsupported(w)) if w == "STARTTLS"));
    assert_eq!(output(&mut s), "");
    let mut s = ready(false, "250-mx\r\n250 STARTTLS\r\n");
    s.start_tls().unwrap();
    output(&mut s);
    s.handle_input(b"454 4.7.0 TLS not available\r\n").unwrap();
    let Some(Event::CommandFailed(error)) = events(&mut s).pop() else {
        panic!()
    };
    assert!(error.is_transient());
    assert!(s.is_ready(), "usable in plaintext if the caller allows it");
}

#[test]
fn no_credentials_without_tls_unless_allowed() {
    let mut s = ready(false, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
    let creds = Credentials::password("user", "secret");
    let error = s.authenticate(&creds, &options(None, false)).unwrap_err();
    assert!(matches!(error, Error::Unsupported(_)), "{error}");
    assert_eq!(output(&mut s), "", "nothing written");
    s.authenticate(&creds, &options(None, true)).unwrap();
    assert_eq!(
        output(&mut s),
        format!("AUTH PLAIN {}\r\n", b64(b"\0user\0secret"))
    );
}

#[test]
fn strongest_password_mechanism_is_chosen() {
    let creds = Credentials::password("user", "secret");
    for (offered, expected) in [
        ("LOGIN PLAIN", "AUTH PLAIN "),
        ("LOGIN", "AUTH LOGIN\r\n"),
        ("PLAIN CRAM-MD5 LOGIN", "AUTH CRAM-MD5\r\n"),
        (
            "CRAM-MD5 SCRAM-SHA-256 PLAIN XOAUTH2",
            "AUTH SCRAM-SHA-256 ",
        ),
    ] {
        let mut s = ready(true, &format!("250-mx\r\n250 AUTH {offered}\r\n"));
        s.authenticate(&creds, &options(None, false)).unwrap();
        let out = output(&mut s);
        assert!(out.starts_with(expected), "{offered}: {out}");
    }
    let mut s = ready(true, "250-mx\r\n250 AUTH XOAUTH2\r\n");
    assert!(matches!(
        s.authenticate(&creds, &options(None, false)),
        Err(Error::Unsupported(_))
    ));
    let mut s = ready(true, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
    s.authenticate(&creds, &options(Some(Mechanism::Login), false))
        .unwrap();
    assert_eq!(output(&mut s), "AUTH LOGIN\r\n", "forced mechanism");
    let mut s = ready(true, "250-mx\r\n250 AUTH PLAIN\r\n");
    assert!(matches!(
        s.authenticate(&creds, &options(Some(Mechanism::CramMd5), false)),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn tokens_use_oauthbearer_or_xoauth2() {
    let creds = Credentials::oauth_bearer("me@gmail.com", "ya29.token");
    let mut s = ready(true, "250-mx\r\n250 AUTH PLAIN XOAUTH2\r\n");
    s.authenticate(&creds, &options(None, false)).unwrap();
    assert_eq!(
        output(&mut s),
        format!(
            "AUTH XOAUTH2 {}\r\n",
            b64(b"user=me@gmail.com\x01auth=Bearer ya29.token\x01\x01")
        )
    );
    // An error challenge is answered with an empty line, then 535.
    s.handle_input(format!("334 {}\r\n", b64(br#"{"status":"401"}"#)).as_bytes())
        .unwrap();
    assert_eq!(output(&mut s), "\r\n");
    s.handle_input(
        b"535-5.7.8 Username and Password not accepted\r\n535 5.7.8 https://support.google.com\r\n",
    )
    .unwrap();
    let Some(Event::CommandFailed(error)) = events(&mut s).pop() else {
        panic!()
    };
    assert_eq!(error.reply().unwrap().lines().count(), 2);
    assert!(error.is_permanent());

    let mut s = ready(true, "250-mx\r\n250 AUTH XOAUTH2 OAUTHBEARER\r\n");
    s.authenticate(&creds, &options(None, false)).unwrap();
    assert!(output(&mut s).starts_with("AUTH OAUTHBEARER "));
    s.handle_input(b"235 2.7.0 ok\r\n").unwrap();
    assert!(matches!(events(&mut s)[..], [Event::Authenticated]));
    assert!(s.is_ready());
}

#[test]
fn login_exchange() {
    let mut s = ready(true, "250-mx\r\n250 AUTH LOGIN\r\n");
    s.authenticate(&Credentials::password("user", "pw"), &options(None, false))
        .unwrap();
    assert_eq!(output(&mut s), "AUTH LOGIN\r\n");
    s.handle_input(format!("334 {}\r\n", b64(b"Username:")).as_bytes())
        .unwrap();
    assert_eq!(output(&mut s), format!("{}\r\n", b64(b"user")));
    s.handle_input(format!("334 {}\r\n", b64(b"Password:")).as_bytes())
        .unwrap();
    assert_eq!(output(&mut s), format!("{}\r\n", b64(b"pw")));
    s.handle_input(b"235 ok\r\n").unwrap();
    assert!(matches!(events(&mut s)[..], [Event::Authenticated]));
}

#[test]
fn cram_md5_exchange_verifies_on_the_server_side() {
    let mut s = ready(true, "250-mx\r\n250 AUTH CRAM-MD5\r\n");
    s.authenticate(
        &Credentials::password("tim", "tanstaaftanstaaf"),
        &options(None, false),
    )
    .unwrap();
    output(&mut s);
    let challenge = CramMd5Challenge::new("<1896.697170952@postoffice.example.net>").unwrap();
    s.handle_input(format!("334 {}\r\n", b64(challenge.as_bytes())).as_bytes())
        .unwrap();
    let line = output(&mut s);
    let decoded = STANDARD.decode(line.trim_end()).unwrap();
    let response = CramMd5Response::parse(&decoded).unwrap();
    assert_eq!(response.username(), "tim");
    assert!(response.verify(&challenge, b"tanstaaftanstaaf"));
    s.handle_input(b"235 ok\r\n").unwrap();
    assert!(matches!(events(&mut s)[..], [Event::Authenticated]));
}

fn scram_until_final(password_on_server: &str) -> (ClientSession, Vec<u8>) {
    let mut s = ready(true, "250-mx\r\n250 AUTH SCRAM-SHA-256\r\n");
    s.authenticate(
        &Credentials::password("user", "pencil"),
        &options(None, false),
    )
    .unwrap();
    let line = output(&mut s);
    let first = STANDARD
        .decode(line.trim_end().strip_prefix("AUTH SCRAM-SHA-256 ").unwrap())
        .unwrap();
    let server = ScramServer::handle_client_first(&first).unwrap();
    let stored = ScramCredentials::derive(password_on_server, b"salt-salt-salt", 4096).unwrap();
    let server = server
        .server_first(stored, "%hvYDpWUa2RaTCAfuxFIlj)hNlF")
        .unwrap();
    s.handle_input(format!("334 {}\r\n", b64(server.server_first_message())).as_bytes())
        .unwrap();
    let client_final = STANDARD.decode(output(&mut s).trim_end()).unwrap();
    let server_final = match server.handle_client_final(&client_final).unwrap() {
        ScramServerOutcome::Authenticated { server_final, .. } => server_final,
        ScramServerOutcome::InvalidProof { server_final } => server_final,
    };
    (s, server_final)
}

#[test]
fn scram_sha_256_mutual_authentication() {
    let (mut s, server_final) = scram_until_final("pencil");
    s.handle_input(format!("334 {}\r\n", b64(&server_final)).as_bytes())
        .unwrap();
    assert_eq!(output(&mut s), "\r\n");
    s.handle_input(b"235 2.7.0 ok\r\n").unwrap();
    assert!(matches!(events(&mut s)[..], [Event::Authenticated]));
}

#[test]
fn scram_success_without_server_proof_is_refused() {
    let (mut s, _) = scram_until_final("pencil");
    assert!(matches!(
        s.handle_input(b"235 ok\r\n"),
        Err(Error::Protocol(_))
    ));
    assert!(!s.is_connected());
}

#[test]
fn scram_server_error_cancels() {
    let (mut s, server_final) = scram_until_final("wrong");
    assert!(String::from_utf8_lossy(&server_final).starts_with("e="));
    let result = s.handle_input(format!("334 {}\r\n", b64(&server_final)).as_bytes());
    assert!(result.is_err());
    assert_eq!(output(&mut s), "*\r\n");
}

#[test]
fn credentials_are_redacted_in_debug() {
    let creds = Credentials::password("user", "hunter2");
    assert!(!format!("{creds:?}").contains("hunter2"));
    let creds = Credentials::oauth_bearer("user", "ya29.secret");
    assert!(!format!("{creds:?}").contains("ya29"));
}
