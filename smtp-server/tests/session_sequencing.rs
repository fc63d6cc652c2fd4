//! Sequencing and syntax rules of the sans-I/O session, with exact reply codes.

mod session_common;

use session_common::{Harness, codes};
use smtp_server::Config;

#[test]
fn full_transaction_with_data() {
    let mut h = Harness::greeted();
    h.open_transaction();
    assert_eq!(
        h.send("DATA\r\n"),
        "354 Start mail input; end with <CRLF>.<CRLF>\r\n"
    );
    let out = h.send("Subject: hi\r\n\r\n..dot\r\n.\r\n");
    assert_eq!(out, "250 2.0.0 Message accepted\r\n");
    assert_eq!(h.messages, vec![b"Subject: hi\r\n\r\n.dot\r\n".to_vec()]);
    assert_eq!(
        h.send("QUIT\r\n"),
        "221 2.0.0 Service closing transmission channel\r\n"
    );
    assert!(h.conn.is_closed());
}

#[test]
fn ehlo_advertises_the_extensions() {
    let mut h = Harness::new(Config::new("mx.example"));
    let out = h.send("EHLO client.example\r\n");
    for keyword in [
        "SIZE ",
        "PIPELINING",
        "8BITMIME",
        "BINARYMIME",
        "CHUNKING",
        "ENHANCEDSTATUSCODES",
        "DSN",
        "SMTPUTF8",
        "HELP",
    ] {
        assert!(out.contains(keyword), "{keyword} missing in {out}");
    }
    assert!(!out.contains("STARTTLS"), "no TLS configured: {out}");
    assert!(!out.contains("AUTH"), "no authenticator: {out}");
}

#[test]
fn mail_requires_helo() {
    let mut h = Harness::new(Config::new("mx.example"));
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org>\r\n")),
        ["503 5.5.1"]
    );
    assert_eq!(codes(&h.send("HELO client.example\r\n")), ["250"]);
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org>\r\n")),
        ["250 2.1.0"]
    );
}

#[test]
fn out_of_order_commands_get_503() {
    let mut h = Harness::greeted();
    assert_eq!(codes(&h.send("RCPT TO:<b@example.net>\r\n")), ["503 5.5.1"]);
    assert_eq!(codes(&h.send("DATA\r\n")), ["503 5.5.1"]);
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org>\r\n")),
        ["250 2.1.0"]
    );
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org>\r\n")),
        ["503 5.5.1"],
        "nested MAIL"
    );
    assert_eq!(
        codes(&h.send("DATA\r\n")),
        ["503 5.5.1"],
        "DATA before a RCPT"
    );
}

#[test]
fn second_ehlo_resets_like_rset() {
    let mut h = Harness::greeted();
    h.open_transaction();
    let out = h.send("EHLO again.example\r\n");
    assert!(out.starts_with("250-mx.example"));
    assert_eq!(codes(&h.send("RCPT TO:<b@example.net>\r\n")), ["503 5.5.1"]);
    assert!(h.events.contains(&smtp_server::Event::TransactionReset));
}

#[test]
fn rset_resets_and_never_closes() {
    let mut h = Harness::greeted();
    h.open_transaction();
    assert_eq!(codes(&h.send("RSET\r\n")), ["250 2.0.0"]);
    assert!(!h.conn.is_closed());
    assert_eq!(codes(&h.send("DATA\r\n")), ["503 5.5.1"]);
    assert_eq!(
        codes(&h.send("RSET\r\nRSET\r\n")),
        ["250 2.0.0", "250 2.0.0"]
    );
}

#[test]
fn syntax_errors_have_their_codes() {
    let mut h = Harness::greeted();
    assert_eq!(codes(&h.send("XYZZY\r\n")), ["500 5.5.2"]);
    assert_eq!(codes(&h.send("MAIL FROM:garbage\r\n")), ["501 5.1.3"]);
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org> FOO=BAR\r\n")),
        ["555 5.5.4"]
    );
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org>\r\n")),
        ["250 2.1.0"]
    );
    assert_eq!(
        codes(&h.send("RCPT TO:<b@example.net> XYZ=1\r\n")),
        ["555 5.5.4"]
    );
    assert_eq!(codes(&h.send("QUIT now\r\n")), ["501 5.5.4"]);
}

#[test]
fn misc_commands() {
    let mut h = Harness::greeted();
    assert_eq!(codes(&h.send("VRFY bob\r\n")), ["252 2.5.0"]);
    assert_eq!(codes(&h.send("EXPN list\r\n")), ["502 5.5.1"]);
    assert_eq!(codes(&h.send("ETRN example.org\r\n")), ["502 5.5.1"]);
    assert_eq!(codes(&h.send("HELP\r\n")), ["214 2.0.0"]);
    assert_eq!(codes(&h.send("NOOP\r\n")), ["250 2.0.0"]);
    assert_eq!(
        codes(&h.send("STARTTLS\r\n")),
        ["502 5.5.1"],
        "no TLS configured"
    );
}

#[test]
fn over_long_line_is_answered_once_and_resynchronises() {
    let mut h = Harness::greeted();
    let long = format!("NOOP {}\r\n", "x".repeat(10_000));
    // Fed in pieces, as a socket would.
    let mut out = String::new();
    for piece in long.as_bytes().chunks(700) {
        out.push_str(&h.send_bytes(piece));
    }
    out.push_str(&h.send("NOOP\r\n"));
    assert_eq!(codes(&out), ["500 5.5.6", "250 2.0.0"]);
}

#[test]
fn pipelined_group_is_answered_in_order() {
    let mut h = Harness::greeted();
    let out = h.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n",
    );
    assert_eq!(codes(&out), ["250 2.1.0", "250 2.1.5", "250 2.1.5", "354"]);
    let out = h.send("body\r\n.\r\nMAIL FROM:<d@example.org>\r\nRSET\r\nQUIT\r\n");
    assert_eq!(
        codes(&out),
        ["250 2.0.0", "250 2.1.0", "250 2.0.0", "221 2.0.0"]
    );
    assert_eq!(h.messages, vec![b"body\r\n".to_vec()]);
}

#[test]
fn pipelined_commands_split_anywhere_give_the_same_replies() {
    let script =
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n";
    let mut whole = Harness::greeted();
    let expected = whole.send(script);
    for cut in 1..script.len() {
        let mut h = Harness::greeted();
        let mut out = h.send(&script[..cut]);
        out.push_str(&h.send(&script[cut..]));
        assert_eq!(out, expected, "cut at {cut}");
    }
}

#[test]
fn too_many_recipients() {
    let mut config = Config::new("mx.example");
    config.max_recipients = 2;
    let mut h = Harness::new(config);
    h.send("EHLO c.example\r\n");
    let out = h.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@x.example>\r\nRCPT TO:<c@x.example>\r\nRCPT TO:<d@x.example>\r\n",
    );
    assert_eq!(
        codes(&out),
        ["250 2.1.0", "250 2.1.5", "250 2.1.5", "452 4.5.3"]
    );
}

#[test]
fn relay_denied_for_foreign_domains() {
    let mut config = Config::new("mx.example");
    config.local_domains = vec!["example.net".into()];
    let mut h = Harness::new(config);
    h.send("EHLO c.example\r\n");
    let out = h.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@elsewhere.example>\r\nRCPT TO:<b@EXAMPLE.net>\r\nRCPT TO:<Postmaster>\r\n",
    );
    assert_eq!(
        codes(&out),
        ["250 2.1.0", "550 5.7.1", "250 2.1.5", "250 2.1.5"]
    );
}

#[test]
fn handler_refusal_is_sent() {
    let mut h = Harness::greeted();
    h.refuse_rcpt = Some(smtp_proto::Reply::RELAY_DENIED);
    let out = h.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    assert_eq!(codes(&out), ["250 2.1.0", "550 5.7.1", "503 5.5.1"]);
}

#[test]
fn too_many_errors_close_with_421() {
    let mut config = Config::new("mx.example");
    config.max_errors = 3;
    let mut h = Harness::new(config);
    let out = h.send("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n");
    assert_eq!(
        codes(&out),
        ["500 5.5.2", "500 5.5.2", "500 5.5.2", "421 4.7.0"]
    );
    assert!(h.conn.is_closed());
}

#[test]
fn size_parameter_over_the_limit() {
    let mut config = Config::new("mx.example");
    config.max_message_size = 1000;
    let mut h = Harness::new(config);
    h.send("EHLO c.example\r\n");
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org> SIZE=1001\r\n")),
        ["552 5.3.4"]
    );
    assert_eq!(
        codes(&h.send("MAIL FROM:<a@example.org> SIZE=1000\r\n")),
        ["250 2.1.0"]
    );
}

#[test]
fn dsn_parameters_reach_the_handler() {
    let mut h = Harness::greeted();
    h.send("MAIL FROM:<a@example.org> RET=HDRS ENVID=abc\r\nRCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE\r\n");
    let mail = h.events.iter().find_map(|e| match e {
        smtp_server::Event::MailReceived { params, .. } => Some(params.clone()),
        _ => None,
    });
    let mail = mail.unwrap();
    assert!(mail.ret().is_some() && mail.envid().is_some());
    let rcpt = h.events.iter().find_map(|e| match e {
        smtp_server::Event::RcptReceived { params, .. } => Some(params.clone()),
        _ => None,
    });
    assert!(rcpt.unwrap().notify.is_some());
}

#[test]
fn timeouts_are_the_rfc_ones_and_close_with_421() {
    let mut h = Harness::greeted();
    assert_eq!(h.conn.timeout(), Some(std::time::Duration::from_secs(300)));
    h.open_transaction();
    h.send("DATA\r\n");
    assert_eq!(h.conn.timeout(), Some(std::time::Duration::from_secs(600)));
    h.conn.handle_timeout();
    h.pump();
    assert_eq!(codes(&h.output()), ["421 4.4.2"]);
    assert!(h.conn.is_closed());
    assert!(h.messages.is_empty());
    assert!(h.events.contains(&smtp_server::Event::TransactionReset));
}

#[test]
fn shutdown_waits_for_the_running_transaction() {
    let mut h = Harness::greeted();
    h.open_transaction();
    h.conn.handle_shutdown();
    assert!(!h.conn.is_closed());
    let out = h.send("DATA\r\nx\r\n.\r\n");
    assert_eq!(codes(&out), ["354", "250 2.0.0", "421 4.3.2"]);
    assert!(h.conn.is_closed());

    let mut idle = Harness::greeted();
    idle.conn.handle_shutdown();
    assert_eq!(codes(&idle.output()), ["421 4.3.2"]);
    assert!(idle.conn.is_closed());
}

#[test]
fn lmtp_answers_once_per_recipient() {
    let mut config = Config::new("mx.example");
    config.lmtp = true;
    let mut h = Harness::new(config);
    assert_eq!(codes(&h.send("EHLO c.example\r\n")), ["500 5.5.2"]);
    assert!(h.send("LHLO c.example\r\n").starts_with("250-"));
    let out = h.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@x.example>\r\nRCPT TO:<c@x.example>\r\nDATA\r\nhi\r\n.\r\n",
    );
    assert_eq!(
        codes(&out),
        [
            "250 2.1.0",
            "250 2.1.5",
            "250 2.1.5",
            "354",
            "250 2.0.0",
            "250 2.0.0"
        ]
    );
}

#[test]
fn smtputf8_addresses() {
    let mut h = Harness::greeted();
    let out = h.send("MAIL FROM:<jöran@exämple.org> SMTPUTF8\r\nRCPT TO:<用户@例子.广告>\r\n");
    assert_eq!(codes(&out), ["250 2.1.0", "250 2.1.5"]);
    let mut config = Config::new("mx.example");
    config.smtputf8 = false;
    let mut strict = Harness::new(config);
    strict.send("EHLO c.example\r\n");
    assert_eq!(
        codes(&strict.send("MAIL FROM:<jöran@exämple.org>\r\n")),
        ["553 5.6.7"]
    );
}
