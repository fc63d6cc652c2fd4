//! Every input the fuzzers found to break an invariant of `smtp-proto`,
//! minimised, as an ordinary test. A test marked `#[ignore = "pending fix:
//! ..."]` fails until the fix lands; the fix removes the `#[ignore]` and
//! turns off the matching switch in `fuzz/src/checks/pending.rs`.

use smtp_proto::{EhloInfo, Encode, Mailbox, ParseError, ParseOptions, Reply};

/// Found by `ehlo_response`. RFC 2034 §3 puts no enhanced status code on the
/// EHLO response, but `EhloInfo::parse` strips one from `250 2.0.0 2.1.0 x`
/// and takes `2.1.0` as the domain; the response then encodes to
/// `250 2.1.0 x`, which parses to domain `x`. `EhloInfo::new` refuses such a
/// domain; what the parser accepts must round-trip the same way.
#[test]
fn ehlo_domain_that_looks_like_a_status_code() {
    for wire in [&b"250 2.0.0 2.1.0 x\r\n"[..], b"250 2.0.0 2.0.0\r\n"] {
        let Ok((info, _)) = EhloInfo::parse(wire) else {
            continue;
        };
        let encoded = info.to_bytes();
        let again = EhloInfo::parse(&encoded).map(|(again, _)| again);
        assert_eq!(
            again.as_ref(),
            Ok(&info),
            "{:?}",
            String::from_utf8_lossy(&encoded)
        );
    }
}

/// Found by `address`. `Mailbox::new` refuses a mailbox over the RFC 5321
/// §4.5.3.1.3 path limit (256 octets with the brackets), but `Mailbox::parse`
/// and `Mailbox::try_from` build one, whose MAIL/RCPT command our own
/// parser then refuses with `TooLong("path")`.
#[test]
fn mailbox_parse_applies_the_path_limit() {
    let label = "b".repeat(63);
    let domain = format!("{label}.{label}.{label}.{label}");
    assert_eq!(domain.len(), 255);
    let text = format!("{}@{domain}", "a".repeat(64));
    let parsed = Mailbox::parse(text.as_bytes(), &ParseOptions::strict());
    assert_eq!(parsed.err(), Some(ParseError::TooLong("path")));
    assert_eq!(
        Mailbox::try_from(text.as_str()).err(),
        Some(ParseError::TooLong("path"))
    );
}

/// Found by `reply`. `Reply::parse` checks the 8192-octet line limit on the
/// wire, then decodes 8-bit text that is not UTF-8 lossily: each invalid octet
/// becomes U+FFFD, three octets. A 3000-octet line of `0xff` is accepted and
/// encodes to a 9000-octet line, which `Reply::parse` refuses ("reply line too
/// long"): a reply a client parsed cannot be written back (e.g. relayed or
/// logged as a reply). Either the lossy text is limited too, or the parser
/// refuses what it could not write back.
#[test]
fn lossy_reply_text_stays_within_the_line_limit() {
    let mut wire = b"250 ".to_vec();
    wire.extend(std::iter::repeat_n(0xff_u8, 3000));
    wire.extend_from_slice(b"\r\n");
    let Ok((reply, _)) = Reply::parse(&wire) else {
        return;
    };
    let encoded = reply.to_bytes();
    let again = Reply::parse(&encoded).map(|(again, _)| again);
    assert_eq!(again.as_ref(), Ok(&reply));
}
