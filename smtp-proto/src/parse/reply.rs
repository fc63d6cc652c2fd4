//! Reply grammar and framing (RFC 5321 §4.2, enhanced status codes of RFC 2034
//! and RFC 3463 §2).
//!
//! Framing finds each line end with `memchr` inside a bounded window, so a
//! hostile server can make a client buffer at most 8192 octets per line and
//! 1000 lines per reply before it gets an error.

use std::borrow::Cow;

use memchr::memchr;
use nom::IResult;
use nom::error::{Error, ErrorKind};

use crate::chars::TEXTSTRING;
use crate::error::ParseError;
use crate::swar;
use crate::types::reply::{Reply, enhanced_prefix};
use crate::types::status::{EnhancedStatus, ReplyCode};

/// Longest reply line accepted, line ending included. RFC 5321 §4.5.3.1.5
/// says 512; real servers send longer ones, so the limit only stops abuse.
pub(crate) const MAX_REPLY_LINE: usize = 8192;

/// Most lines accepted in one reply.
pub(crate) const MAX_REPLY_LINES: usize = 1000;

/// Reply text bytes: `textstring` plus every 8-bit octet. SMTPUTF8 servers
/// (RFC 6531) echo UTF-8 addresses in their replies and older servers send
/// Latin-1: harmless in text a client only displays, so it is accepted (and
/// decoded lossily when it is not UTF-8). Controls other than HT are not.
pub(crate) const REPLY_TEXT: [bool; 256] = {
    let mut table = TEXTSTRING;
    let mut b = 0x80;
    while b < 256 {
        table[b] = true;
        b += 1;
    }
    table
};

/// Whether every octet of `bytes` is in [`REPLY_TEXT`].
fn all_reply_text(bytes: &[u8]) -> bool {
    let mut from = 0;
    loop {
        let Some(at) = bytes.get(from..).and_then(first_control) else {
            return true;
        };
        if bytes.get(from + at) != Some(&b'\t') {
            return false;
        }
        from += at + 1;
    }
}

/// `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2).
pub(crate) fn reply_code(input: &[u8]) -> IResult<&[u8], ReplyCode> {
    match input {
        [a @ b'2'..=b'5', b @ b'0'..=b'5', c @ b'0'..=b'9', rest @ ..] => {
            let code = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
            Ok((rest, ReplyCode::new_unchecked(code)))
        }
        _ => Err(nom::Err::Error(Error::new(input, ErrorKind::Digit))),
    }
}

/// `textstring = 1*(%d09 / %d32-126)` (RFC 5321 §4.2), widened to 8-bit
/// octets (see [`REPLY_TEXT`]) and to the empty string, which `[ textstring ]`
/// allows around it. Takes the rest of a line.
pub(crate) fn textstring(input: &[u8]) -> IResult<&[u8], &[u8]> {
    if all_reply_text(input) {
        Ok((&input[input.len()..], input))
    } else {
        Err(nom::Err::Error(Error::new(input, ErrorKind::Char)))
    }
}

/// `status-code = class "." subject "." detail` (RFC 3463 §2, used by RFC 2034 §4),
/// `class = "2" / "4" / "5"`, `subject = 1*3digit`, `detail = 1*3digit`.
pub(crate) fn status_code(input: &[u8]) -> IResult<&[u8], EnhancedStatus> {
    match status_code_prefix(input) {
        Some((status, len)) => Ok((input.get(len..).unwrap_or_default(), status)),
        None => Err(nom::Err::Error(Error::new(input, ErrorKind::Digit))),
    }
}

/// [`status_code`] as a `const fn`: the status and its length.
pub(crate) const fn status_code_prefix(input: &[u8]) -> Option<(EnhancedStatus, usize)> {
    /// `1*3digit` from `start`: its value and the index after it.
    const fn digits(input: &[u8], start: usize) -> Option<(u16, usize)> {
        let mut i = start;
        let mut value = 0u16;
        while i < input.len() && i - start < 3 && input[i].is_ascii_digit() {
            value = value * 10 + (input[i] - b'0') as u16;
            i += 1;
        }
        if i == start { None } else { Some((value, i)) }
    }
    if input.len() < 5 || !matches!(input[0], b'2' | b'4' | b'5') || input[1] != b'.' {
        return None;
    }
    let Some((subject, i)) = digits(input, 2) else {
        return None;
    };
    if i >= input.len() || input[i] != b'.' {
        return None;
    }
    let Some((detail, end)) = digits(input, i + 1) else {
        return None;
    };
    Some((
        EnhancedStatus::new_unchecked(input[0] - b'0', subject, detail),
        end,
    ))
}

/// One line of a reply, without its line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReplyLine<'a> {
    pub(crate) code: ReplyCode,
    /// `"-"`: more lines follow.
    pub(crate) more: bool,
    pub(crate) text: &'a [u8],
}

/// One line of `Reply-line = *( Reply-code "-" [ textstring ] CRLF )
/// Reply-code [ SP textstring ] CRLF` (RFC 5321 §4.2), line ending removed.
pub(crate) fn reply_line(line: &[u8]) -> Result<ReplyLine<'_>, ParseError> {
    let Ok((rest, code)) = reply_code(line) else {
        return Err(ParseError::InvalidReply("invalid reply code"));
    };
    let (more, rest) = match rest {
        [b'-', text @ ..] => (true, text),
        [b' ', text @ ..] => (false, text),
        [] => (false, rest),
        _ => {
            return Err(ParseError::InvalidReply(
                "reply code not followed by SP or -",
            ));
        }
    };
    match textstring(rest) {
        Ok((_, text)) => Ok(ReplyLine { code, more, text }),
        Err(_) => Err(ParseError::InvalidReply("control character in reply text")),
    }
}

/// The common case of [`reply_line`] in one pass over `window` (the
/// buffered input from the start of a line): a code, SP or `-`, clean text
/// and CRLF or LF. The line and the index of its LF; `None` for anything
/// else (a bare code, a bad byte, no line end yet), which the caller then
/// takes through framing and [`reply_line`] for the precise error.
#[inline]
pub(crate) fn complete_reply_line(window: &[u8]) -> Option<(ReplyLine<'_>, usize)> {
    let (code, more, text_area) = match window {
        [
            a @ b'2'..=b'5',
            b @ b'0'..=b'5',
            c @ b'0'..=b'9',
            sep @ (b' ' | b'-'),
            text @ ..,
        ] => {
            let code = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
            (ReplyCode::new_unchecked(code), *sep == b'-', text)
        }
        _ => return None,
    };
    let (text_len, lf) = reply_text_end(text_area)?;
    let text = text_area.get(..text_len)?;
    Some((ReplyLine { code, more, text }, lf + 4))
}

/// `textstring CRLF` (RFC 5321 §4.2, the text widened as in [`REPLY_TEXT`],
/// a bare LF accepted): the text's length and the index of the LF, found
/// and validated together a word at a time. `None` when a byte outside the
/// text class other than the line ending comes first, or no LF is there.
#[inline]
pub(crate) fn reply_text_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    loop {
        let at = from + first_control(bytes.get(from..)?)?;
        match bytes.get(at..)? {
            [b'\r', b'\n', ..] => return Some((at, at + 1)),
            [b'\n', ..] => return Some((at, at)),
            // HT is text (rare: go on after it).
            [b'\t', ..] => from = at + 1,
            _ => return None,
        }
    }
}

/// Index of the first octet of `bytes` outside `%d32-126 / %d128-255`, the
/// octets every reply text may hold without a second look.
#[inline]
fn first_control(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(swar::WORD);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = swar::load(chunk);
        let mask = swar::bytes_below(word, 0x20) | swar::bytes_equal(word, 0x7f);
        if mask != 0 {
            return Some(offset + swar::first_flagged(mask));
        }
        offset += swar::WORD;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b < 0x20 || b == 0x7f)
        .map(|i| offset + i)
}

/// Whether `partial`, the start of a line whose end has not arrived, can
/// still become a valid reply line (with the code `expected`, when known).
fn check_partial_line(partial: &[u8], expected: Option<ReplyCode>) -> Result<(), ParseError> {
    let ranges = [b'2'..=b'5', b'0'..=b'5', b'0'..=b'9'];
    for (byte, range) in partial.iter().zip(ranges.iter()) {
        if !range.contains(byte) {
            return Err(ParseError::InvalidReply("invalid reply code"));
        }
    }
    if let (Some(expected), Some(digits)) = (expected, partial.get(..3)) {
        if digits != expected.as_digits() {
            return Err(ParseError::InvalidReply("reply code differs between lines"));
        }
    }
    let Some((&separator, text)) = partial.get(3..).and_then(<[u8]>::split_first) else {
        return Ok(());
    };
    // "250" CR: a bare code whose line ending is arriving.
    if separator == b'\r' && text.is_empty() {
        return Ok(());
    }
    if separator != b' ' && separator != b'-' {
        return Err(ParseError::InvalidReply(
            "reply code not followed by SP or -",
        ));
    }
    // A CR may be the first half of the line ending.
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    if text.iter().all(|&b| REPLY_TEXT[b as usize]) {
        Ok(())
    } else {
        Err(ParseError::InvalidReply("control character in reply text"))
    }
}

/// Text as `str`: borrowed when it is UTF-8, else decoded lossily with one
/// `?` per invalid octet — never longer than the wire, so a parsed reply
/// always re-encodes within the line limit (U+FFFD would triple it; a fuzz
/// finding).
#[inline]
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(decode_lossily(bytes)),
    }
}

/// The rare half of [`decode`], kept out of line so that the common one
/// inlines into [`Reply::parse`].
#[cold]
#[inline(never)]
fn decode_lossily(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    text
}

impl<'a> Reply<'a> {
    /// Parses one whole reply from the start of `buf`: the reply and the
    /// number of bytes it took.
    ///
    /// [`ParseError::Incomplete`] until the last line has arrived;
    /// [`ParseError::InvalidReply`] for a bad code, different codes on
    /// different lines, a control character other than HT in the text, a
    /// lone CR, a line over 8192 octets or a reply over 1000 lines.
    ///
    /// Lenient where it costs nothing: a bare LF ends a line as CRLF does
    /// (some proxies and servers send it; reply lines are never forwarded,
    /// so this cannot smuggle anything), and 8-bit text is kept, decoded
    /// lossily to `str` when it is not UTF-8 (the only case that allocates
    /// besides joining several lines in [`Reply::text`]).
    pub fn parse(buf: &'a [u8]) -> Result<(Reply<'a>, usize), ParseError> {
        let mut pos = 0;
        let mut count = 0;
        let mut first: Option<ReplyLine<'a>> = None;
        loop {
            let rest = buf.get(pos..).unwrap_or_default();
            let window = rest.get(..MAX_REPLY_LINE).unwrap_or(rest);
            let (parsed, lf) = match complete_reply_line(window) {
                Some(found) => found,
                None => {
                    let Some(lf) = memchr(b'\n', window) else {
                        if window.len() == MAX_REPLY_LINE {
                            return Err(ParseError::InvalidReply("reply line too long"));
                        }
                        // Garbage (an HTTP or TLS peer) fails now, not after 8192 octets.
                        check_partial_line(window, first.map(|line| line.code))?;
                        return Err(ParseError::Incomplete);
                    };
                    let line = window.get(..lf).unwrap_or_default();
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    (reply_line(line)?, lf)
                }
            };
            count += 1;
            pos += lf + 1;
            match first {
                None => first = Some(parsed),
                Some(first) if first.code != parsed.code => {
                    return Err(ParseError::InvalidReply("reply code differs between lines"));
                }
                Some(_) => {}
            }
            if !parsed.more {
                break;
            }
            if count == MAX_REPLY_LINES {
                return Err(ParseError::InvalidReply("too many reply lines"));
            }
        }
        let Some(first) = first else {
            return Err(ParseError::InvalidReply("empty reply"));
        };
        let (enhanced, skip) = match enhanced_prefix(first.code, first.text) {
            Some((status, skip)) => (Some(status), skip),
            None => (None, 0),
        };
        let reply = if count == 1 {
            let text = first.text.get(skip..).unwrap_or_default();
            Reply::joined_unchecked(first.code, enhanced, decode(text))
        } else {
            let wire = buf.get(..pos).unwrap_or_default();
            Reply::wire_unchecked(first.code, enhanced, decode(wire))
        };
        Ok((reply, pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Encode;
    use proptest::prelude::*;

    fn parse(input: &[u8]) -> Result<(Reply<'_>, usize), ParseError> {
        Reply::parse(input)
    }

    fn lines<'r>(reply: &'r Reply<'_>) -> Vec<&'r str> {
        reply.lines().collect()
    }

    #[test]
    fn single_line() {
        let (reply, used) = parse(b"250 OK\r\nrest").unwrap();
        assert_eq!(used, 8);
        assert_eq!(reply.code().get(), 250);
        assert_eq!(reply.enhanced_status(), None);
        assert_eq!(lines(&reply), ["OK"]);
        assert_eq!(reply.text(), "OK");
        assert!(reply.is_positive() && !reply.is_multiline());
    }

    #[test]
    fn single_line_borrows() {
        let (reply, _) = parse(b"550 5.1.1 <x@y>: Recipient address rejected\r\n").unwrap();
        assert!(matches!(reply.text(), Cow::Borrowed(_)));
        assert!(reply.lines_borrowed().is_some());
        assert_eq!(reply.enhanced_status().unwrap().to_string(), "5.1.1");
        assert_eq!(reply.text(), "<x@y>: Recipient address rejected");
    }

    #[test]
    fn bare_codes() {
        for wire in [&b"250\r\n"[..], b"250 \r\n"] {
            let (reply, used) = parse(wire).unwrap();
            assert_eq!((reply.code().get(), used), (250, wire.len()));
            assert_eq!(lines(&reply), [""]);
        }
        let (reply, _) = parse(b"250-\r\n250-x\r\n250\r\n").unwrap();
        assert_eq!(lines(&reply), ["", "x", ""]);
    }

    #[test]
    fn horizontal_tab_in_text() {
        let (reply, _) = parse(b"220 mx\tESMTP\t\r\n").unwrap();
        assert_eq!(reply.text(), "mx\tESMTP\t");
    }

    #[test]
    fn multi_line() {
        let wire = b"250-mx.example.com Hello\r\n250-SIZE 1000\r\n250 HELP\r\n";
        let (reply, used) = parse(wire).unwrap();
        assert_eq!(used, wire.len());
        assert_eq!(lines(&reply), ["mx.example.com Hello", "SIZE 1000", "HELP"]);
        assert_eq!(reply.text(), "mx.example.com Hello\nSIZE 1000\nHELP");
        assert_eq!(reply.to_bytes(), wire);
    }

    #[test]
    fn enhanced_status_on_every_line_is_stripped() {
        let wire = b"550-5.7.1 The user you are trying to contact\r\n550-5.7.1\r\n550-5.7.1  two spaces\r\n550-5.7.2 other code\r\n550-no code\r\n550 5.7.1 https://support.example/answer\r\n";
        let (reply, _) = parse(wire).unwrap();
        assert_eq!(reply.enhanced_status().unwrap().to_string(), "5.7.1");
        assert_eq!(
            lines(&reply),
            [
                "The user you are trying to contact",
                "",
                " two spaces",
                "5.7.2 other code",
                "no code",
                "https://support.example/answer"
            ]
        );
    }

    #[test]
    fn enhanced_status_detection() {
        let cases: &[(&[u8], Option<&str>, &str)] = &[
            (b"250 2.0.0\r\n", Some("2.0.0"), ""),
            (b"250 2.1.5 Ok\r\n", Some("2.1.5"), "Ok"),
            (b"452 4.5.3 Too many\r\n", Some("4.5.3"), "Too many"),
            (b"538 5.7.11 Encryption\r\n", Some("5.7.11"), "Encryption"),
            (b"250 2.0.0x\r\n", None, "2.0.0x"),
            (b"250 2.0.1234 x\r\n", None, "2.0.1234 x"),
            (b"250 2.0 OK\r\n", None, "2.0 OK"),
            (b"250 5.0.0 class differs\r\n", None, "5.0.0 class differs"),
            (b"354 2.0.0 go ahead\r\n", None, "2.0.0 go ahead"),
            (b"250 3.0.0 no class 3\r\n", None, "3.0.0 no class 3"),
            (b"250  2.0.0 space first\r\n", None, " 2.0.0 space first"),
        ];
        for (wire, status, text) in cases {
            let (reply, _) = parse(wire).unwrap();
            assert_eq!(
                reply.enhanced_status().map(|s| s.to_string()).as_deref(),
                *status,
                "{wire:?}"
            );
            assert_eq!(reply.text(), *text, "{wire:?}");
        }
    }

    #[test]
    fn bare_lf_is_accepted() {
        let (reply, used) = parse(b"250-a\n250 2.0.0 b\n").unwrap();
        assert_eq!(used, 18);
        assert_eq!(lines(&reply), ["a", "2.0.0 b"]);
        assert_eq!(reply, parse(b"250-a\r\n250 2.0.0 b\r\n").unwrap().0);
    }

    #[test]
    fn eight_bit_text() {
        let (reply, _) = parse("250 Grüße\r\n".as_bytes()).unwrap();
        assert_eq!(reply.text(), "Grüße");
        let (reply, _) = parse(b"250 caf\xe9\r\n").unwrap();
        assert_eq!(reply.text(), "caf?");
        assert!(reply.lines_borrowed().is_none());
        let (reply, _) = parse(b"250-caf\xe9\r\n250 ok\r\n").unwrap();
        assert_eq!(lines(&reply), ["caf?", "ok"]);
    }

    #[test]
    fn malformed_replies_are_rejected() {
        let invalid: &[&[u8]] = &[
            b"199 too low\r\n",
            b"600 too high\r\n",
            b"260 second digit\r\n",
            b"2500 four digits\r\n",
            b"25 short\r\n",
            b"\r\n",
            b"abc\r\n",
            b"250_x\r\n",
            b"250-a\r\n251 b\r\n",
            b"250-a\r\n550 b\r\n",
            b"250 lone\rCR\r\n",
            b"250 a\r\r\n",
            b"250 nul\0\r\n",
            b"250 esc\x1b[31m\r\n",
            b"250 del\x7f\r\n",
            b" 250 x\r\n",
        ];
        for wire in invalid {
            assert!(
                matches!(parse(wire), Err(ParseError::InvalidReply(_))),
                "{wire:?}: {:?}",
                parse(wire)
            );
        }
    }

    #[test]
    fn line_length_limit() {
        let mut ok = b"250 ".to_vec();
        ok.resize(MAX_REPLY_LINE - 2, b'x');
        ok.extend_from_slice(b"\r\n");
        assert_eq!(parse(&ok).map(|(_, n)| n), Ok(MAX_REPLY_LINE));
        let mut long = b"250 ".to_vec();
        long.resize(MAX_REPLY_LINE - 1, b'x');
        long.extend_from_slice(b"\r\n");
        assert!(matches!(parse(&long), Err(ParseError::InvalidReply(_))));
        // Refused before the line ends: nothing more needs buffering.
        assert!(matches!(
            parse(&long[..MAX_REPLY_LINE]),
            Err(ParseError::InvalidReply(_))
        ));
        assert_eq!(
            parse(&long[..MAX_REPLY_LINE - 1]),
            Err(ParseError::Incomplete)
        );
    }

    #[test]
    fn garbage_fails_before_the_line_ends() {
        let garbage: &[&[u8]] = &[
            b"HTTP/1.1 400",
            b"\x16\x03\x01",
            b"1",
            b"26",
            b"250x",
            b"250\ra",
            b"250 a\rb",
            b"250-a\r\n251",
            b"250-a\r\n550 b",
        ];
        for partial in garbage {
            assert!(
                matches!(parse(partial), Err(ParseError::InvalidReply(_))),
                "{partial:?}"
            );
        }
        assert_eq!(parse(b"250-a\r\n25"), Err(ParseError::Incomplete));
        assert_eq!(parse(b""), Err(ParseError::Incomplete));
    }

    #[test]
    fn line_count_limit() {
        let mut wire = b"250-x\r\n".repeat(MAX_REPLY_LINES - 1);
        wire.extend_from_slice(b"250 x\r\n");
        let (reply, _) = parse(&wire).unwrap();
        assert_eq!(reply.lines().count(), MAX_REPLY_LINES);
        let wire = b"250-x\r\n".repeat(MAX_REPLY_LINES);
        assert!(matches!(parse(&wire), Err(ParseError::InvalidReply(_))));
    }

    #[test]
    fn every_strict_prefix_is_incomplete() {
        let valid: &[&[u8]] = &[
            b"250 OK\r\n",
            b"250\r\n",
            b"250 \r\n",
            b"354 Start mail input\n",
            b"220-mx.example.com ESMTP\r\n220-second\r\n220 third\r\n",
            b"550-5.7.1 a\r\n550-5.7.1\r\n550 5.7.1 b\r\n",
            b"250-\r\n250\r\n",
            b"421 4.3.2 tab\there\r\n",
        ];
        for wire in valid {
            let (_, used) = parse(wire).unwrap();
            assert_eq!(used, wire.len());
            for end in 0..wire.len() {
                assert_eq!(
                    parse(&wire[..end]).map(|(_, n)| n),
                    Err(ParseError::Incomplete),
                    "{:?}",
                    &wire[..end]
                );
            }
        }
    }

    #[test]
    fn status_code_rule() {
        assert_eq!(
            status_code(b"5.7.11 x").map(|(rest, s)| (rest, s.to_string())),
            Ok((&b" x"[..], "5.7.11".to_string()))
        );
        assert!(status_code(b"3.0.0").is_err());
        assert!(status_code(b"2..0").is_err());
        assert!(status_code(b"2.0.").is_err());
        assert_eq!(reply_code(b"559").map(|(_, c)| c.get()), Ok(559));
        assert!(reply_code(b"560").is_err());
    }

    fn any_reply() -> impl Strategy<Value = Reply<'static>> {
        let code = (2u16..=5, 0u16..=5, 0u16..=9).prop_map(|(a, b, c)| a * 100 + b * 10 + c);
        let status = proptest::option::of((0u16..=999, 0u16..=999));
        let lines = proptest::collection::vec("[\t -~é]{0,30}", 1..5);
        (code, status, lines).prop_filter_map("ambiguous text", |(code, status, lines)| {
            let code = ReplyCode::new(code).ok()?;
            let class = (code.get() / 100) as u8;
            let status = match status {
                Some((subject, detail)) if class != 3 => {
                    Some(EnhancedStatus::new(class, subject, detail).ok()?)
                }
                _ => None,
            };
            Reply::new(code, status, lines).ok()
        })
    }

    proptest! {
        #[test]
        fn parse_encode_round_trip(reply in any_reply()) {
            let wire = reply.to_bytes();
            let (parsed, used) = Reply::parse(&wire).unwrap();
            prop_assert_eq!(used, wire.len());
            prop_assert_eq!(&parsed, &reply);
            prop_assert_eq!(&parsed.to_bytes(), &wire);
            for end in 0..wire.len() {
                prop_assert_eq!(Reply::parse(&wire[..end]).map(|(_, n)| n), Err(ParseError::Incomplete));
            }
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok((reply, used)) = Reply::parse(&bytes) {
                prop_assert!(used <= bytes.len());
                let _ = reply.text();
                let _ = reply.to_bytes();
            }
        }
    }
}
