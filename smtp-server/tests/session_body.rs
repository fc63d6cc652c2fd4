//! DATA and BDAT in the sans-I/O session: smuggling vectors, size limits,
//! CHUNKING rules, clients leaving mid-body.

mod session_common;

use session_common::{Harness, codes};
use smtp_proto::BareLineEndings;
use smtp_server::{BodyState, Config, Event};

/// Every SMTP smuggling vector: none ends DATA, and the message is refused.
#[test]
fn smuggling_vectors_never_end_data_and_are_refused() {
    let vectors: [&[u8]; 9] = [
        b"\n.\n",
        b"\r.\r",
        b"\r.\n",
        b"\n.\r",
        b"\n.\r\n",
        b"\r\n.\n",
        b"\r.\r\n",
        b"\r\n.\r",
        b"\r\n\x00.\r\n",
    ];
    for vector in vectors {
        let mut h = Harness::greeted();
        h.open_transaction();
        h.send("DATA\r\n");
        let mut body = b"Subject: a\r\n\r\nfirst".to_vec();
        body.extend_from_slice(vector);
        body.extend_from_slice(
            b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n",
        );
        let out = h.send_bytes(&body);
        assert_eq!(out, "", "vector {vector:?} ended DATA");
        assert_eq!(h.conn.body_state(), BodyState::Receiving, "{vector:?}");
        let out = h.send("smuggled\r\n.\r\n");
        if vector == b"\r\n\x00.\r\n" {
            // NUL is no line ending: the message is legitimate, and whole.
            assert_eq!(codes(&out), ["250 2.0.0"], "{vector:?}");
            assert_eq!(h.messages.len(), 1);
        } else {
            assert_eq!(codes(&out), ["550 5.6.0"], "{vector:?}");
            assert!(h.messages.is_empty(), "{vector:?}");
        }
        assert!(
            !h.events
                .iter()
                .any(|e| matches!(e, Event::MailReceived { from, .. } if from.to_string().contains("evil"))),
            "{vector:?} smuggled a command"
        );
    }
}

#[test]
fn bare_line_endings_can_be_normalised() {
    let mut config = Config::new("mx.example");
    config.bare_line_endings = BareLineEndings::Normalise;
    let mut h = Harness::new(config);
    h.send("EHLO c.example\r\n");
    h.open_transaction();
    h.send("DATA\r\n");
    let out = h.send("a\nb\r\n.\r\n");
    assert_eq!(codes(&out), ["250 2.0.0"]);
    assert_eq!(h.messages, vec![b"a\r\nb\r\n".to_vec()]);
}

#[test]
fn streamed_body_over_the_limit_is_refused_after_the_terminator() {
    let mut config = Config::new("mx.example");
    config.max_message_size = 100;
    let mut h = Harness::new(config);
    h.send("EHLO c.example\r\n");
    h.open_transaction();
    h.send("DATA\r\n");
    for _ in 0..10 {
        assert_eq!(h.send(&"y".repeat(99)), "");
    }
    assert!(h.conn.body_refusal().is_some());
    assert!(
        h.body.len() <= 100,
        "the body is not buffered past the limit"
    );
    assert_eq!(
        codes(&h.send("\r\n.\r\nNOOP\r\n")),
        ["552 5.3.4", "250 2.0.0"]
    );
    assert!(h.messages.is_empty());
}

#[test]
fn client_leaving_mid_data_acknowledges_nothing() {
    let mut h = Harness::greeted();
    h.open_transaction();
    h.send("DATA\r\npart of a message\r\n");
    h.conn.handle_eof();
    h.pump();
    assert_eq!(h.output(), "");
    assert_eq!(h.conn.body_state(), BodyState::Aborted);
    assert!(h.conn.is_closed());
    assert!(h.messages.is_empty());
    assert!(h.events.contains(&Event::TransactionReset));
}

#[test]
fn bdat_chunks_and_last() {
    let mut h = Harness::greeted();
    h.open_transaction();
    let out = h.send("BDAT 5\r\nhelloBDAT 8 LAST\r\n world\r\n");
    assert_eq!(codes(&out), ["250 2.0.0", "250 2.0.0"]);
    assert_eq!(h.messages, vec![b"hello world\r\n".to_vec()]);
    assert_eq!(
        codes(&h.send("BDAT 3 LAST\r\nabc")),
        ["503 5.5.1"],
        "BDAT after LAST"
    );
    assert_eq!(
        codes(&h.send("NOOP\r\n")),
        ["250 2.0.0"],
        "the refused chunk was skipped"
    );
}

#[test]
fn bdat_zero_last_ends_the_message() {
    let mut h = Harness::greeted();
    h.open_transaction();
    let out = h.send("BDAT 4\r\n1234BDAT 0 LAST\r\n");
    assert_eq!(codes(&out), ["250 2.0.0", "250 2.0.0"]);
    assert_eq!(h.messages, vec![b"1234".to_vec()]);
}

#[test]
fn bdat_keeps_bare_line_endings_and_dots() {
    let mut h = Harness::greeted();
    h.open_transaction();
    let out = h.send("BDAT 6 LAST\r\n\n.\r\n.\r");
    assert_eq!(codes(&out), ["250 2.0.0"]);
    assert_eq!(h.messages, vec![b"\n.\r\n.\r".to_vec()]);
}

#[test]
fn data_and_bdat_do_not_mix() {
    let mut h = Harness::greeted();
    h.open_transaction();
    assert_eq!(codes(&h.send("BDAT 2\r\nab")), ["250 2.0.0"]);
    assert_eq!(codes(&h.send("DATA\r\n")), ["503 5.5.1"]);
    assert_eq!(codes(&h.send("RSET\r\n")), ["250 2.0.0"]);
    assert_eq!(h.conn.body_state(), BodyState::Aborted);
    assert!(h.messages.is_empty());
}

#[test]
fn bdat_without_transaction_skips_its_chunk() {
    let mut h = Harness::greeted();
    let out = h.send("BDAT 10\r\nNOOP\r\nNOOPNOOP\r\n");
    assert_eq!(codes(&out), ["503 5.5.1", "250 2.0.0"]);
}

#[test]
fn bdat_over_the_limit() {
    let mut config = Config::new("mx.example");
    config.max_message_size = 10;
    let mut h = Harness::new(config);
    h.send("EHLO c.example\r\n");
    h.open_transaction();
    let out = h.send(&format!("BDAT 20\r\n{}BDAT 1 LAST\r\nx", "z".repeat(20)));
    assert_eq!(codes(&out), ["552 5.3.4", "503 5.5.1"]);
    assert!(h.messages.is_empty());
}

#[test]
fn binarymime_requires_bdat() {
    let mut h = Harness::greeted();
    h.send("MAIL FROM:<a@example.org> BODY=BINARYMIME\r\nRCPT TO:<b@example.net>\r\n");
    assert_eq!(codes(&h.send("DATA\r\n")), ["503 5.5.1"]);
    assert_eq!(codes(&h.send("BDAT 3 LAST\r\n\x00\x01\x02")), ["250 2.0.0"]);
    assert_eq!(h.messages, vec![vec![0, 1, 2]]);
}
