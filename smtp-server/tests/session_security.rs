//! STARTTLS (and its injection attack) and AUTH in the sans-I/O session.

mod session_common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use session_common::{Harness, codes, tls_info};
use smtp_proto::sasl::cram_md5::cram_md5_response;
use smtp_proto::sasl::scram::{ScramClient, ScramClientOutcome};
use smtp_server::{Config, Event, Offer};

fn all_mechanisms() -> Vec<&'static str> {
    vec!["SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN"]
}

/// A server with TLS and AUTH, greeted, after STARTTLS.
fn over_tls() -> Harness {
    let mut h = Harness::with_offer(
        Config::new("mx.example"),
        Offer::new(true, all_mechanisms()),
    );
    let ehlo = h.send("EHLO c.example\r\n");
    assert!(
        ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"),
        "{ehlo}"
    );
    assert_eq!(codes(&h.send("STARTTLS\r\n")), ["220 2.0.0"]);
    assert!(h.tls_requested);
    h.conn.handle_tls_established(tls_info());
    let ehlo = h.send("EHLO c.example\r\n");
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(
        ehlo.contains("AUTH SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN"),
        "{ehlo}"
    );
    h
}

fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

#[test]
fn starttls_injection_is_dropped_with_the_connection() {
    let mut h = Harness::with_offer(Config::new("mx.example"), Offer::new(true, vec![]));
    h.send("EHLO c.example\r\n");
    let out = h.send("STARTTLS\r\nRSET\r\n");
    assert_eq!(codes(&out), ["220 2.0.0"], "RSET must not be answered");
    assert!(h.conn.is_closed());
    assert!(!h.tls_requested);
}

#[test]
fn starttls_forgets_everything() {
    let mut h = Harness::with_offer(Config::new("mx.example"), Offer::new(true, vec![]));
    h.send("EHLO c.example\r\nMAIL FROM:<a@example.org>\r\n");
    assert_eq!(codes(&h.send("STARTTLS\r\n")), ["220 2.0.0"]);
    assert!(h.events.contains(&Event::TransactionReset));
    h.conn.handle_tls_established(tls_info());
    assert_eq!(h.conn.info().helo_name, None);
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org>\r\n")),
        ["503 5.5.1"],
        "EHLO needed again"
    );
    h.send("EHLO c.example\r\n");
    assert_eq!(
        codes(&h.send("STARTTLS\r\n")),
        ["503 5.5.1"],
        "already under TLS"
    );
}

#[test]
fn auth_before_tls_is_refused_with_538() {
    let mut h = Harness::with_offer(
        Config::new("mx.example"),
        Offer::new(true, all_mechanisms()),
    );
    h.send("EHLO c.example\r\n");
    let plain = b64(b"\0alice\0secret");
    assert_eq!(
        codes(&h.send(&format!("AUTH PLAIN {plain}\r\n"))),
        ["538 5.7.11"]
    );

    let mut config = Config::new("mx.example");
    config.allow_insecure_auth = true;
    let mut insecure = Harness::with_offer(config, Offer::new(false, all_mechanisms()));
    let ehlo = insecure.send("EHLO c.example\r\n");
    assert!(ehlo.contains("AUTH "), "{ehlo}");
    assert_eq!(
        codes(&insecure.send(&format!("AUTH PLAIN {plain}\r\n"))),
        ["235 2.7.0"]
    );
}

#[test]
fn auth_plain_initial_and_continued() {
    let mut h = over_tls();
    let out = h.send(&format!("AUTH PLAIN {}\r\n", b64(b"\0alice\0wrong")));
    assert_eq!(codes(&out), ["535 5.7.8"]);
    assert_eq!(h.send("AUTH PLAIN\r\n"), "334 \r\n");
    let out = h.send(&format!("{}\r\n", b64(b"\0alice\0secret")));
    assert_eq!(codes(&out), ["235 2.7.0"]);
    assert_eq!(h.conn.info().authenticated_as.as_deref(), Some("alice"));
    assert_eq!(
        codes(&h.send("AUTH PLAIN =\r\n")),
        ["503 5.5.1"],
        "already authenticated"
    );
}

#[test]
fn auth_login() {
    let mut h = over_tls();
    assert_eq!(
        h.send("AUTH LOGIN\r\n"),
        format!("334 {}\r\n", b64(b"Username:"))
    );
    assert_eq!(
        h.send(&format!("{}\r\n", b64(b"alice"))),
        format!("334 {}\r\n", b64(b"Password:"))
    );
    assert_eq!(
        codes(&h.send(&format!("{}\r\n", b64(b"secret")))),
        ["235 2.7.0"]
    );
}

#[test]
fn auth_cram_md5() {
    let mut h = over_tls();
    let out = h.send("AUTH CRAM-MD5\r\n");
    let challenge = STANDARD
        .decode(out.trim_end().strip_prefix("334 ").unwrap())
        .unwrap();
    let challenge = String::from_utf8(challenge).unwrap();
    assert!(
        challenge.starts_with('<') && challenge.ends_with("@mx.example>"),
        "{challenge}"
    );
    let response = cram_md5_response("alice", b"secret", challenge.as_bytes()).unwrap();
    assert_eq!(
        codes(&h.send(&format!("{}\r\n", b64(response.expose())))),
        ["235 2.7.0"]
    );
}

#[test]
fn auth_scram_sha256() {
    for (password, expect) in [("secret", "235 2.7.0"), ("wrong", "535 5.7.8")] {
        let mut h = over_tls();
        let client = ScramClient::new("alice", password, "clientnonce0123456789").unwrap();
        let out = h.send(&format!(
            "AUTH SCRAM-SHA-256 {}\r\n",
            b64(client.client_first_message())
        ));
        let server_first = STANDARD
            .decode(out.trim_end().strip_prefix("334 ").unwrap())
            .unwrap();
        let client = client.handle_server_first(&server_first).unwrap();
        let out = h.send(&format!("{}\r\n", b64(client.client_final_message())));
        if expect == "235 2.7.0" {
            let server_final = STANDARD
                .decode(out.trim_end().strip_prefix("334 ").unwrap())
                .unwrap();
            assert_eq!(
                client.handle_server_final(&server_final),
                Ok(ScramClientOutcome::Verified)
            );
            assert_eq!(codes(&h.send("\r\n")), [expect]);
        } else {
            assert_eq!(codes(&out), [expect]);
        }
    }
}

#[test]
fn auth_cancel_unknown_mechanism_and_transaction() {
    let mut h = over_tls();
    assert_eq!(codes(&h.send("AUTH GSSAPI\r\n")), ["504 5.5.4"]);
    h.send("AUTH LOGIN\r\n");
    assert_eq!(codes(&h.send("*\r\n")), ["501 5.0.0"]);
    assert_eq!(codes(&h.send("AUTH PLAIN !!!\r\n")), ["501 5.5.2"]);
    h.send("MAIL FROM:<a@example.org>\r\n");
    assert_eq!(
        codes(&h.send(&format!("AUTH PLAIN {}\r\n", b64(b"\0alice\0secret")))),
        ["503 5.5.1"]
    );
}

#[test]
fn failed_auth_attempts_are_limited() {
    let mut h = over_tls();
    let wrong = format!("AUTH PLAIN {}\r\n", b64(b"\0alice\0nope"));
    assert_eq!(codes(&h.send(&wrong)), ["535 5.7.8"]);
    assert_eq!(codes(&h.send(&wrong)), ["535 5.7.8"]);
    assert_eq!(codes(&h.send(&wrong)), ["535 5.7.8", "421 4.7.0"]);
    assert!(h.conn.is_closed());
}

#[test]
fn authenticated_clients_may_relay() {
    let mut config = Config::new("mx.example");
    config.local_domains = vec!["example.net".into()];
    let mut h = Harness::with_offer(config, Offer::new(true, all_mechanisms()));
    h.send("EHLO c.example\r\nSTARTTLS\r\n");
    h.conn.handle_tls_established(tls_info());
    h.send("EHLO c.example\r\n");
    let out = h.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<x@far.example>\r\nRSET\r\n");
    assert_eq!(codes(&out), ["250 2.1.0", "550 5.7.1", "250 2.0.0"]);
    h.send(&format!("AUTH PLAIN {}\r\n", b64(b"\0alice\0secret")));
    let out = h.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<x@far.example>\r\n");
    assert_eq!(codes(&out), ["250 2.1.0", "250 2.1.5"]);
}

#[test]
fn auth_configured_without_local_domains_is_no_open_relay() {
    let mut h = over_tls();
    let out = h.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<x@far.example>\r\n");
    assert_eq!(codes(&out), ["250 2.1.0", "550 5.7.1"]);
}
