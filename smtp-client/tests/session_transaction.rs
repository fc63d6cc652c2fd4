//! The sans-I/O session against scripted server bytes: greeting, EHLO,
//! pipelining, BDAT, SIZE, BODY, SMTPUTF8, DSN, RSET after failures,
//! 421 and EOF, timeouts. No sockets.

use std::time::Duration;

mod session_script;

use session_script::{events, output};
use smtp_client::session::{ClientSession, Event, SessionConfig};
use smtp_client::{BodyInfo, Envelope, Error, Notify, Phase, Recipient, Ret, Timeouts};

/// A session greeted and introduced with the given EHLO keywords.
fn ready_with(config: SessionConfig, keywords: &[&str]) -> ClientSession {
    let mut session = ClientSession::new(config, true);
    session
        .handle_input(b"220 mx.example.org ESMTP\r\n")
        .unwrap();
    assert_eq!(output(&mut session), "EHLO localhost\r\n");
    let mut ehlo = String::from("250");
    ehlo.push(if keywords.is_empty() { ' ' } else { '-' });
    ehlo.push_str("mx.example.org\r\n");
    for (i, keyword) in keywords.iter().enumerate() {
        let sep = if i + 1 == keywords.len() { ' ' } else { '-' };
        ehlo.push_str(&format!("250{sep}{keyword}\r\n"));
    }
    session.handle_input(ehlo.as_bytes()).unwrap();
    let evs = events(&mut session);
    assert!(
        matches!(evs.last(), Some(Event::CapabilitiesReceived)),
        "{evs:?}"
    );
    assert!(session.is_ready());
    session
}

fn ready(keywords: &[&str]) -> ClientSession {
    ready_with(SessionConfig::default(), keywords)
}

fn envelope(recipients: &[&str]) -> Envelope {
    Envelope::new("sender@example.com", recipients.iter().copied()).unwrap()
}

/// A session with the given EHLO keywords that has just sent (and had
/// drained) the commands for a one-byte message to `a@example.net`.
fn sending_one(keywords: &[&str]) -> ClientSession {
    let mut s = ready(keywords);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"x"))
        .unwrap();
    output(&mut s);
    s
}

/// After a failed transaction: checks that the session resets, answers the
/// RSET and returns the failure the session then reports.
fn failed_after_rset(s: &mut ClientSession) -> Error {
    assert_eq!(output(s), "RSET\r\n");
    s.handle_input(b"250 ok\r\n").unwrap();
    match events(s).pop() {
        Some(Event::TransactionFailed(error)) => error,
        other => panic!("{other:?}"),
    }
}

#[test]
fn greeting_then_ehlo_then_capabilities() {
    let s = ready(&["PIPELINING", "SIZE 1000", "8BITMIME"]);
    let caps = s.capabilities().unwrap();
    assert!(caps.has_pipelining());
    assert_eq!(caps.max_size(), Some(1000));
}

#[test]
fn greeting_split_across_reads_and_multiline() {
    let mut s = ClientSession::new(SessionConfig::default(), false);
    s.handle_input(b"220-mx.example.org hello\r\n22").unwrap();
    assert!(events(&mut s).is_empty());
    assert_eq!(output(&mut s), "");
    s.handle_input(b"0 ready\r\n").unwrap();
    assert!(matches!(events(&mut s)[..], [Event::GreetingReceived(_)]));
    assert_eq!(output(&mut s), "EHLO localhost\r\n");
}

#[test]
fn negative_greeting_is_an_error_with_the_whole_reply() {
    for (wire, transient) in [
        (&b"554 5.3.2 no service here\r\n"[..], false),
        (b"421-4.3.2 busy\r\n421 4.3.2 try later\r\n", true),
        (b"450 later\r\n", true),
    ] {
        let mut s = ClientSession::new(SessionConfig::default(), false);
        let error = s.handle_input(wire).unwrap_err();
        assert_eq!(error.is_transient(), transient, "{error}");
        let reply = error.reply().expect("the greeting is kept");
        assert_eq!(reply.code().get() / 100, wire[0] as u16 - u16::from(b'0'));
        assert!(!s.is_connected());
        assert_eq!(output(&mut s), "");
    }
}

#[test]
fn ehlo_falls_back_to_helo_on_500_and_502() {
    for code in ["500", "502"] {
        let mut s = ClientSession::new(SessionConfig::default(), false);
        s.handle_input(b"220 old.example\r\n").unwrap();
        assert_eq!(output(&mut s), "EHLO localhost\r\n");
        s.handle_input(format!("{code} what?\r\n").as_bytes())
            .unwrap();
        assert_eq!(output(&mut s), "HELO localhost\r\n");
        s.handle_input(b"250 old.example\r\n").unwrap();
        assert!(
            events(&mut s)
                .iter()
                .any(|e| matches!(e, Event::CapabilitiesReceived))
        );
        assert!(s.is_ready());
        assert!(!s.capabilities().unwrap().has_pipelining());
    }
}

#[test]
fn ehlo_refused_otherwise_is_fatal() {
    let mut s = ClientSession::new(SessionConfig::default(), false);
    s.handle_input(b"220 x\r\n").unwrap();
    output(&mut s);
    let error = s.handle_input(b"550 5.7.1 go away\r\n").unwrap_err();
    assert!(error.is_permanent());
    assert!(!s.is_connected());
}

#[test]
fn pipelined_group_in_one_write_and_every_reply_checked() {
    let mut s = ready(&["PIPELINING", "SIZE 100000"]);
    let env = envelope(&["a@example.net", "b@example.net", "c@example.net"]);
    s.send_mail(&env, BodyInfo::of(b"Subject: x\r\n\r\nhi\r\n"))
        .unwrap();
    assert_eq!(
        output(&mut s),
        "MAIL FROM:<sender@example.com> SIZE=18\r\nRCPT TO:<a@example.net>\r\n\
         RCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n"
    );
    assert_eq!(s.current_timeout().unwrap().0, Phase::Mail);
    // One refused RCPT does not abort the transaction (RFC 2920).
    s.handle_input(
        b"250 2.1.0 ok\r\n250 2.1.5 ok\r\n550-5.1.1 no such user\r\n550 5.1.1 really\r\n",
    )
    .unwrap();
    assert_eq!(s.current_timeout().unwrap().0, Phase::Rcpt);
    s.handle_input(b"250 2.1.5 ok\r\n354 go ahead\r\n").unwrap();
    let evs = events(&mut s);
    assert!(matches!(evs[1], Event::RecipientRefused { index: 1, .. }));
    assert!(matches!(evs.last(), Some(Event::BodyRequested)));
    assert_eq!(s.current_timeout().unwrap().0, Phase::DataBlock);
    assert!(s.wants_body());
    s.send_body(b"Subject: x\n\n.hi\r").unwrap();
    s.send_body(b"\n..dots\n.").unwrap();
    s.finish_body().unwrap();
    assert_eq!(
        output(&mut s),
        "Subject: x\r\n\r\n..hi\r\n...dots\r\n..\r\n.\r\n"
    );
    assert_eq!(s.current_timeout().unwrap().0, Phase::DataTermination);
    s.handle_input(b"250 2.0.0 Ok: queued as ABC123\r\n")
        .unwrap();
    let evs = events(&mut s);
    let Some(Event::MessageAccepted(report)) = evs.last() else {
        panic!("{evs:?}")
    };
    assert!(!report.all_accepted());
    assert_eq!(report.refused().count(), 1);
    let refused = report.refused().next().unwrap();
    assert_eq!(refused.recipient, "b@example.net");
    let reply = refused.outcome.as_ref().unwrap_err();
    assert_eq!(reply.lines().count(), 2);
    assert_eq!(reply.enhanced_status().unwrap().to_string(), "5.1.1");
    assert!(report.reply.text().contains("ABC123"));
    assert!(s.is_ready());
}

#[test]
fn all_recipients_refused_resets_and_reports_each_refusal() {
    let mut s = ready(&["PIPELINING"]);
    let env = envelope(&["a@example.net", "b@example.net"]);
    s.send_mail(&env, BodyInfo::of(b"x")).unwrap();
    output(&mut s);
    s.handle_input(
        b"250 ok\r\n451 4.7.1 greylisted\r\n550 5.1.1 unknown\r\n554 5.5.1 no valid recipients\r\n",
    )
    .unwrap();
    assert_eq!(output(&mut s), "RSET\r\n");
    assert!(
        !events(&mut s)
            .iter()
            .any(|e| matches!(e, Event::TransactionFailed(_)))
    );
    s.handle_input(b"250 2.0.0 flushed\r\n").unwrap();
    let evs = events(&mut s);
    let Some(Event::TransactionFailed(Error::AllRecipientsRefused { recipients })) = evs.last()
    else {
        panic!("{evs:?}")
    };
    assert_eq!(recipients.len(), 2);
    assert_eq!(
        recipients[0].outcome.as_ref().unwrap_err().code().get(),
        451
    );
    assert!(s.is_ready(), "the connection stays usable");
}

#[test]
fn data_accepted_despite_all_recipients_refused_is_ended_empty() {
    // RFC 2920 §3.1: a server may answer 354 to a pipelined DATA even
    // though every RCPT failed; the client ends the data at once.
    let mut s = sending_one(&["PIPELINING"]);
    s.handle_input(b"250 ok\r\n550 no\r\n354 go ahead\r\n")
        .unwrap();
    assert_eq!(output(&mut s), ".\r\n");
    assert!(
        !events(&mut s)
            .iter()
            .any(|e| matches!(e, Event::BodyRequested))
    );
    s.handle_input(b"554 no valid recipients\r\n").unwrap();
    assert!(matches!(
        failed_after_rset(&mut s),
        Error::AllRecipientsRefused { .. }
    ));
    assert!(s.is_ready());
}

#[test]
fn greylisting_is_transient_and_the_next_attempt_succeeds() {
    let mut s = ready(&[]);
    let env = envelope(&["a@example.net"]);
    s.send_mail(&env, BodyInfo::of(b"x")).unwrap();
    assert_eq!(output(&mut s), "MAIL FROM:<sender@example.com>\r\n");
    s.handle_input(b"250 ok\r\n").unwrap();
    assert_eq!(output(&mut s), "RCPT TO:<a@example.net>\r\n");
    s.handle_input(b"451 4.7.1 greylisted, try again\r\n")
        .unwrap();
    let error = failed_after_rset(&mut s);
    assert!(error.is_transient());
    // Second attempt on the same connection.
    s.send_mail(&env, BodyInfo::of(b"x")).unwrap();
    output(&mut s);
    s.handle_input(b"250 ok\r\n").unwrap();
    output(&mut s);
    s.handle_input(b"250 ok\r\n").unwrap();
    assert_eq!(output(&mut s), "DATA\r\n");
    s.handle_input(b"354 go\r\n").unwrap();
    s.send_body(b"x").unwrap();
    s.finish_body().unwrap();
    assert_eq!(output(&mut s), "x\r\n.\r\n");
    s.handle_input(b"250 queued\r\n").unwrap();
    assert!(matches!(
        events(&mut s).pop(),
        Some(Event::MessageAccepted(_))
    ));
}

#[test]
fn mail_refused_without_pipelining_resets() {
    let mut s = sending_one(&[]);
    s.handle_input(b"550-5.7.1 sender\r\n550 5.7.1 blocked\r\n")
        .unwrap();
    let error = failed_after_rset(&mut s);
    assert!(error.is_permanent());
    assert_eq!(error.reply().unwrap().lines().count(), 2);
}

#[test]
fn data_refused_after_accepted_recipients_resets() {
    let mut s = sending_one(&["PIPELINING"]);
    s.handle_input(b"250 ok\r\n250 ok\r\n554 5.3.0 no data today\r\n")
        .unwrap();
    let Error::Reply { command, reply } = failed_after_rset(&mut s) else {
        panic!()
    };
    assert_eq!(command, "DATA");
    assert_eq!(reply.code().get(), 554);
}

#[test]
fn final_reply_refusal_is_reported() {
    let mut s = sending_one(&["PIPELINING"]);
    s.handle_input(b"250 ok\r\n250 ok\r\n354 go\r\n").unwrap();
    s.send_body(b"x").unwrap();
    s.finish_body().unwrap();
    output(&mut s);
    s.handle_input(b"552-5.3.4 message too big\r\n552 5.3.4 for this mailbox\r\n")
        .unwrap();
    let Some(Event::TransactionFailed(error)) = events(&mut s).pop() else {
        panic!()
    };
    assert_eq!(error.reply().unwrap().code().get(), 552);
    assert!(s.is_ready());
}

#[test]
fn chunking_sends_bdat_last_without_dot_stuffing() {
    let mut s = ready(&["PIPELINING", "CHUNKING"]);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b".x\n"))
        .unwrap();
    let evs = events(&mut s);
    assert!(matches!(evs[..], [Event::BodyRequested]), "{evs:?}");
    s.send_body(b".x\n").unwrap();
    s.finish_body().unwrap();
    assert_eq!(
        output(&mut s),
        "MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@example.net>\r\nBDAT 4 LAST\r\n.x\r\n"
    );
    s.handle_input(b"250 ok\r\n250 ok\r\n250 2.0.0 queued\r\n")
        .unwrap();
    assert!(matches!(
        events(&mut s).pop(),
        Some(Event::MessageAccepted(_))
    ));
}

#[test]
fn chunking_splits_into_chunks_within_the_window() {
    let config = SessionConfig {
        chunk_size: 4,
        ..SessionConfig::default()
    };
    let mut s = ready_with(config, &["CHUNKING"]);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"0123456789"))
        .unwrap();
    output(&mut s);
    s.handle_input(b"250 ok\r\n").unwrap();
    output(&mut s);
    s.handle_input(b"250 ok\r\n").unwrap();
    assert!(matches!(events(&mut s).pop(), Some(Event::BodyRequested)));
    s.send_body(b"0123456789").unwrap();
    // Without PIPELINING one chunk at a time.
    assert_eq!(output(&mut s), "BDAT 4\r\n0123");
    assert!(!s.wants_body());
    assert_eq!(s.current_timeout().unwrap().0, Phase::DataBlock);
    s.handle_input(b"250 ok\r\n").unwrap();
    assert_eq!(output(&mut s), "BDAT 4\r\n4567");
    s.handle_input(b"250 ok\r\n").unwrap();
    assert!(s.wants_body());
    s.finish_body().unwrap();
    assert_eq!(output(&mut s), "BDAT 2 LAST\r\n89");
    assert_eq!(s.current_timeout().unwrap().0, Phase::DataTermination);
    s.handle_input(b"250 ok\r\n").unwrap();
    assert!(matches!(
        events(&mut s).pop(),
        Some(Event::MessageAccepted(_))
    ));
}

#[test]
fn pipelined_bdat_with_all_recipients_refused_stops_and_resets() {
    let mut s = ready(&["PIPELINING", "CHUNKING"]);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"x"))
        .unwrap();
    s.send_body(b"x").unwrap();
    s.finish_body().unwrap();
    output(&mut s);
    s.handle_input(b"250 ok\r\n550 no\r\n").unwrap();
    assert_eq!(output(&mut s), "", "waits for the BDAT reply first");
    s.handle_input(b"554 no valid recipients\r\n").unwrap();
    assert!(matches!(
        failed_after_rset(&mut s),
        Error::AllRecipientsRefused { .. }
    ));
}

#[test]
fn size_limit_refuses_before_writing() {
    let mut s = ready(&["SIZE 10"]);
    let error = s
        .send_mail(
            &envelope(&["a@example.net"]),
            BodyInfo::of(b"123456789\r\n"),
        )
        .unwrap_err();
    assert!(matches!(
        error,
        Error::MessageTooLarge {
            size: 11,
            limit: 10
        }
    ));
    assert!(error.is_permanent());
    assert_eq!(output(&mut s), "");
    assert!(s.is_ready());
}

#[test]
fn eight_bit_body_declares_8bitmime_or_is_refused() {
    let body = "Subject: café\r\n\r\n".as_bytes();
    let mut s = ready(&["8BITMIME"]);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(body))
        .unwrap();
    assert!(output(&mut s).starts_with("MAIL FROM:<sender@example.com> BODY=8BITMIME\r\n"));
    let mut s = ready(&[]);
    let error = s
        .send_mail(&envelope(&["a@example.net"]), BodyInfo::of(body))
        .unwrap_err();
    assert!(matches!(error, Error::Unsupported(_)), "{error}");
    assert_eq!(output(&mut s), "");
}

#[test]
fn binary_body_uses_binarymime_over_bdat() {
    let mut s = ready(&["PIPELINING", "CHUNKING", "BINARYMIME", "8BITMIME"]);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"a\0\rb"))
        .unwrap();
    s.send_body(b"a\0\rb").unwrap();
    s.finish_body().unwrap();
    let out = output(&mut s);
    assert!(
        out.starts_with("MAIL FROM:<sender@example.com> BODY=BINARYMIME\r\n"),
        "{out}"
    );
    assert!(out.ends_with("BDAT 4 LAST\r\na\0\rb"), "{out:?}");
}

#[test]
fn smtputf8_only_when_needed_and_offered() {
    let utf8 = Envelope::new("sender@example.com", ["用户@例子.广告"]).unwrap();
    let mut s = ready(&["SMTPUTF8", "PIPELINING"]);
    s.send_mail(&utf8, BodyInfo::of(b"x")).unwrap();
    let out = output(&mut s);
    assert!(
        out.starts_with("MAIL FROM:<sender@example.com> SMTPUTF8\r\nRCPT TO:<用户@例子.广告>\r\n"),
        "{out}"
    );
    let mut s = ready(&["SMTPUTF8"]);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"x"))
        .unwrap();
    assert_eq!(output(&mut s), "MAIL FROM:<sender@example.com>\r\n");
    let mut s = ready(&["PIPELINING"]);
    let error = s.send_mail(&utf8, BodyInfo::of(b"x")).unwrap_err();
    assert!(matches!(&error, Error::Unsupported(what) if what.contains("SMTPUTF8")));
    assert_eq!(output(&mut s), "");
}

#[test]
fn dsn_parameters_only_when_offered() {
    let notify = Notify {
        success: true,
        failure: true,
        delay: false,
    };
    let recipient = Recipient::new("a@example.net")
        .unwrap()
        .notify(notify)
        .orcpt("orig+1@example.net")
        .unwrap();
    let env = Envelope::with_recipients("s@example.com", vec![recipient])
        .unwrap()
        .ret(Ret::Hdrs)
        .envid("QQ314159")
        .unwrap();
    let mut s = ready(&["DSN", "PIPELINING"]);
    s.send_mail(&env, BodyInfo::of(b"x")).unwrap();
    assert_eq!(
        output(&mut s),
        "MAIL FROM:<s@example.com> RET=HDRS ENVID=QQ314159\r\n\
         RCPT TO:<a@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig+2B1@example.net\r\n\
         DATA\r\n"
    );
    let mut s = ready(&["PIPELINING"]);
    s.send_mail(&env, BodyInfo::of(b"x")).unwrap();
    assert_eq!(
        output(&mut s),
        "MAIL FROM:<s@example.com>\r\nRCPT TO:<a@example.net>\r\nDATA\r\n"
    );
}

#[test]
fn service_closing_421_mid_transaction_closes_the_session() {
    let mut s = ready(&["PIPELINING"]);
    s.send_mail(
        &envelope(&["a@example.net", "b@example.net"]),
        BodyInfo::of(b"x"),
    )
    .unwrap();
    output(&mut s);
    let error = s
        .handle_input(b"250 ok\r\n421-4.3.0 shutting down\r\n421 4.3.0 bye\r\n")
        .unwrap_err();
    assert!(matches!(&error, Error::ConnectionClosed { reply: Some(r) } if r.code().get() == 421));
    assert!(error.is_transient());
    assert_eq!(error.reply().unwrap().lines().count(), 2);
    assert!(!s.is_connected());
    assert!(
        s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"x"))
            .is_err()
    );
}

#[test]
fn end_of_stream_is_connection_closed_except_after_quit() {
    let mut s = ready(&[]);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"x"))
        .unwrap();
    assert!(matches!(
        s.handle_eof(),
        Err(Error::ConnectionClosed { reply: None })
    ));
    assert!(!s.is_connected());

    let mut s = ready(&[]);
    s.quit().unwrap();
    assert_eq!(output(&mut s), "QUIT\r\n");
    s.handle_input(b"221 2.0.0 bye\r\n").unwrap();
    assert!(!s.is_connected());
    assert!(s.handle_eof().is_ok());
}

#[test]
fn unsolicited_or_malformed_replies_are_protocol_errors() {
    let mut s = ready(&[]);
    assert!(matches!(
        s.handle_input(b"250 surprise\r\n"),
        Err(Error::Protocol(_))
    ));
    assert!(!s.is_connected());
    let mut s = ready(&[]);
    s.noop().unwrap();
    assert!(matches!(
        s.handle_input(b"2x0 bad\r\n"),
        Err(Error::Protocol(_))
    ));
    let mut s = ClientSession::new(SessionConfig::default(), false);
    let flood = vec![b'x'; 2 << 20];
    assert!(s.handle_input(&flood).is_err(), "unbounded reply refused");
}

#[test]
fn noop_and_rset_report_their_replies() {
    let mut s = ready(&[]);
    s.noop().unwrap();
    assert_eq!(output(&mut s), "NOOP\r\n");
    s.handle_input(b"250 ok\r\n").unwrap();
    assert!(matches!(
        events(&mut s).pop(),
        Some(Event::ReplyReceived {
            command: "NOOP",
            ..
        })
    ));
    s.reset().unwrap();
    assert_eq!(output(&mut s), "RSET\r\n");
    s.handle_input(b"500 what\r\n").unwrap();
    assert!(matches!(
        events(&mut s).pop(),
        Some(Event::CommandFailed(_))
    ));
}

#[test]
fn timeouts_follow_rfc5321_phases_and_configuration() {
    let mut config = SessionConfig::default();
    let s = ClientSession::new(config.clone(), false);
    assert_eq!(
        s.current_timeout(),
        Some((Phase::Greeting, Duration::from_secs(300)))
    );
    config.timeouts = Timeouts {
        data_initiation: Duration::from_millis(7),
        ..Timeouts::default()
    };
    let mut s = ready_with(config, &[]);
    assert_eq!(s.current_timeout(), None);
    s.send_mail(&envelope(&["a@example.net"]), BodyInfo::of(b"x"))
        .unwrap();
    assert_eq!(
        s.current_timeout(),
        Some((Phase::Mail, Duration::from_secs(300)))
    );
    s.handle_input(b"250 ok\r\n").unwrap();
    assert_eq!(
        s.current_timeout(),
        Some((Phase::Rcpt, Duration::from_secs(300)))
    );
    s.handle_input(b"250 ok\r\n").unwrap();
    assert_eq!(
        s.current_timeout(),
        Some((Phase::DataInitiation, Duration::from_millis(7)))
    );
    s.handle_input(b"354 go\r\n").unwrap();
    assert_eq!(
        s.current_timeout(),
        Some((Phase::DataBlock, Duration::from_secs(180)))
    );
    s.finish_body().unwrap();
    assert_eq!(
        s.current_timeout(),
        Some((Phase::DataTermination, Duration::from_secs(600)))
    );
}

#[test]
fn busy_session_refuses_new_commands_without_writing() {
    let mut s = sending_one(&[]);
    assert!(matches!(s.noop(), Err(Error::InvalidInput(_))));
    assert!(matches!(s.send_body(b"x"), Err(Error::InvalidInput(_))));
    assert_eq!(output(&mut s), "");
}
