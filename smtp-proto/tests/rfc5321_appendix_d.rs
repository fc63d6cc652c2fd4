//! RFC 5321 Appendix D scenarios replayed as transcripts: every server line
//! parses as a reply, every client line as a command that re-encodes to the
//! same bytes, every message body decodes.

use smtp_proto::transcript::{TranscriptItem, replay};
use smtp_proto::{Command, EhloInfo, Encode, ParseOptions};

fn check(text: &str) -> Vec<TranscriptItem> {
    let items = replay(text, &ParseOptions::default()).expect("transcript replays");
    let client_lines = text.lines().filter_map(|l| l.strip_prefix("C: "));
    let commands = items.iter().filter_map(|item| match item {
        TranscriptItem::Command(c) => Some(c),
        _ => None,
    });
    // Each command re-encodes to its own line, in order (body lines in between are skipped).
    let mut lines = client_lines;
    for command in commands {
        let encoded = command.to_bytes();
        assert!(
            lines.any(|line| encoded == format!("{line}\r\n").as_bytes()),
            "{command:?} does not re-encode to a transcript line"
        );
    }
    items
}

fn count<F: Fn(&TranscriptItem) -> bool>(items: &[TranscriptItem], f: F) -> usize {
    items.iter().filter(|i| f(i)).count()
}

#[test]
fn d1_typical_transaction() {
    let items = check(include_str!("transcripts/d1-typical.txt"));
    let TranscriptItem::Reply(ehlo) = &items[2] else {
        panic!("EHLO reply expected")
    };
    let info = EhloInfo::from_reply(ehlo).unwrap();
    assert_eq!(info.domain(), "foo.com");
    assert!(info.has_8bitmime() && info.has_dsn());
    assert_eq!(
        count(&items, |i| matches!(
            i,
            TranscriptItem::Command(Command::Rcpt { .. })
        )),
        3
    );
    let refused = items
        .iter()
        .filter(|i| matches!(i, TranscriptItem::Reply(r) if r.is_permanent()));
    assert_eq!(refused.count(), 1);
    // The transcript lines are taken as wire bytes, so the leading dot of
    // "...etc." is a stuffed one and is removed (RFC 5321 §4.5.2).
    assert!(items.contains(&TranscriptItem::Body(
        b"Blah blah blah...\r\n..etc. etc. etc.\r\n".to_vec()
    )));
}

#[test]
fn d2_aborted_transaction() {
    let items = check(include_str!("transcripts/d2-aborted.txt"));
    assert!(items.contains(&TranscriptItem::Command(Command::Rset)));
    assert_eq!(count(&items, |i| matches!(i, TranscriptItem::Body(_))), 0);
}

#[test]
fn d3_relayed_mail_with_source_route() {
    let items = check(include_str!("transcripts/d3-relayed-step1.txt"));
    let rcpt = items
        .iter()
        .find_map(|i| match i {
            TranscriptItem::Command(Command::Rcpt { to, .. }) => Some(to.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(rcpt.to_string(), "<@foo.com:Jones@XYZ.COM>");
    let body = items.iter().find_map(|i| match i {
        TranscriptItem::Body(b) => Some(b.clone()),
        _ => None,
    });
    assert!(
        body.unwrap()
            .starts_with(b"Date: Thu, 21 May 1998 05:33:29 -0700\r\n")
    );

    let items = check(include_str!("transcripts/d3-relayed-step2.txt"));
    let TranscriptItem::Reply(ehlo) = &items[2] else {
        panic!("EHLO reply expected")
    };
    assert_eq!(EhloInfo::from_reply(ehlo).unwrap().domain(), "xyz.com");
    let body = items.iter().find_map(|i| match i {
        TranscriptItem::Body(b) => Some(b.clone()),
        _ => None,
    });
    assert!(
        body.unwrap()
            .starts_with(b"Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n    05:33:29")
    );
}

#[test]
fn d4_verifying_and_sending() {
    let items = check(include_str!("transcripts/d4-verify-and-send.txt"));
    assert!(items.iter().any(
        |i| matches!(i, TranscriptItem::Command(Command::Vrfy(a)) if a.as_str() == "Crispin")
    ));
    let TranscriptItem::Reply(ehlo) = &items[2] else {
        panic!("EHLO reply expected")
    };
    assert!(EhloInfo::from_reply(ehlo).unwrap().supports("VRFY"));
}
