//! `reply`: raw bytes → `Reply::parse`.
//!
//! Whatever decodes must encode to CRLF lines that decode back to an equal
//! reply taking all of them, and re-encode to the same bytes; a strict prefix
//! of a reply is incomplete, never invalid; errors are reply errors.

use smtp_proto::{Encode, ParseError, Reply, ReplyCode};

use super::{assert_no_bare_line_endings, pending};

/// Runs every invariant on one input.
pub fn check_reply(data: &[u8]) {
    match Reply::parse(data) {
        Ok((reply, used)) => {
            assert!(
                used > 0 && used <= data.len(),
                "consumed {used} of {}",
                data.len()
            );
            assert_eq!(data[used - 1], b'\n', "a reply ends at an LF");
            assert!(ReplyCode::new(reply.code().get()).is_ok(), "{reply:?}");
            if let Some(status) = reply.enhanced_status() {
                assert_eq!(u16::from(status.class()), reply.code().get() / 100);
            }
            for cut in [used - 1, used / 2] {
                assert_eq!(
                    Reply::parse(&data[..cut]).err(),
                    Some(ParseError::Incomplete),
                    "prefix of {cut} octets of a valid reply {:?}",
                    String::from_utf8_lossy(&data[..used])
                );
            }
            roundtrip(&reply);
        }
        Err(ParseError::Incomplete | ParseError::InvalidReply(_)) => {}
        Err(other) => panic!("reply parser returned a command error {other:?}"),
    }
}

/// encode → decode gives the same reply, and encoding is stable.
pub fn roundtrip(reply: &Reply<'_>) {
    let wire = reply.to_bytes();
    if pending::LOSSY_REPLY_TEXT_GROWS_PAST_LINE_LIMIT
        && reply.lines().any(|line| line.contains('\u{FFFD}'))
        && wire
            .split(|&b| b == b'\n')
            .any(|line| line.len() + 1 > 8192)
    {
        return;
    }
    assert_no_bare_line_endings(&wire);
    assert!(wire.ends_with(b"\r\n"));
    let (again, used) = Reply::parse(&wire).unwrap_or_else(|e| {
        panic!(
            "{reply:?} encodes to {:?}, which does not parse: {e:?}",
            String::from_utf8_lossy(&wire)
        )
    });
    assert_eq!(used, wire.len(), "the encoding is more than one reply");
    assert_eq!(&again, reply, "wire {:?}", String::from_utf8_lossy(&wire));
    assert_eq!(
        again.lines().count(),
        wire.iter().filter(|&&b| b == b'\n').count()
    );
    assert_eq!(again.to_bytes(), wire, "encoding is not stable");
}
