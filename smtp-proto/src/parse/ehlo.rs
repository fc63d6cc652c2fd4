//! EHLO response grammar (RFC 5321 §4.1.1.1) and the parameters of the
//! extensions it types (RFC 1870, 2852, 4865, 4954, 6710, 9422).
//!
//! Strict on the reply structure (that is [`Reply::parse`]), tolerant inside
//! the lines: a client that cannot read one capability line should still
//! talk to the server, so odd lines become [`Capability::Other`] or are
//! skipped when blank, and never fail the response.

use memchr::memchr;
use nom::IResult;
use nom::error::{Error, ErrorKind};

use crate::chars::{LDH, LET_DIG, span};
use crate::error::ParseError;
use crate::parse::reply::{MAX_REPLY_LINE, reply_text_end};
use crate::swar;
use crate::types::ehlo::{Capability, EhloInfo, EhloKeyword, EhloParam, EhloParams, Limits};
use crate::types::reply::{Reply, enhanced_prefix};
use crate::types::status::ReplyCode;

/// `ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.1.1).
pub(crate) fn ehlo_keyword(input: &[u8]) -> IResult<&[u8], &[u8]> {
    match input.first() {
        Some(&b) if LET_DIG[b as usize] => {
            let len = 1 + span(&LDH, input.get(1..).unwrap_or_default());
            let (keyword, rest) = input.split_at(len.min(input.len()));
            Ok((rest, keyword))
        }
        _ => Err(nom::Err::Error(Error::new(input, ErrorKind::AlphaNumeric))),
    }
}

/// `ehlo-param = 1*(%d33-126)` (RFC 5321 §4.1.1.1).
pub(crate) fn ehlo_param(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let len = input
        .iter()
        .position(|b| !b.is_ascii_graphic())
        .unwrap_or(input.len());
    if len == 0 {
        return Err(nom::Err::Error(Error::new(input, ErrorKind::Char)));
    }
    let (param, rest) = input.split_at(len);
    Ok((rest, param))
}

/// `1*DIGIT` as a number, `None` when it is not one or overflows
/// (`size-param` of RFC 1870 §4, `min-by-time` of RFC 2852 §4,
/// `max-future-release-interval` of RFC 4865 §3).
pub(crate) fn number(digits: &str) -> Option<u64> {
    /// Nineteen decimal digits always fit a `u64`: no overflow check.
    const SAFE_DIGITS: usize = 19;
    if digits.is_empty() {
        return None;
    }
    if digits.len() <= SAFE_DIGITS {
        let mut n = 0u64;
        for b in digits.bytes() {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            n = n * 10 + u64::from(digit);
        }
        return Some(n);
    }
    digits.bytes().try_fold(0u64, |n, b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// `limit = limit-name "=" limit-value` (RFC 9422 §3), with
/// `limit-name = 1*(ALPHA / DIGIT / "-" / "_")` and a non-empty printable
/// value that must be a number for the limits the RFC defines.
pub(crate) fn limit(param: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else {
        return false;
    };
    let name_ok = !name.is_empty() && name.bytes().all(|b| LDH[b as usize] || b == b'_');
    let value_ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic());
    let known = ["RCPTMAX", "MAILMAX", "RCPTDOMAINMAX"]
        .iter()
        .any(|known| name.eq_ignore_ascii_case(known));
    name_ok && value_ok && (!known || number(value).is_some_and(|n| n <= u64::from(u32::MAX)))
}

/// Longest keyword typed here (`ENHANCEDSTATUSCODES`).
const MAX_KNOWN_KEYWORD: usize = 19;

/// Where the keyword of an EHLO line ends (its first space, or the end) and
/// whether it has an `=` in it (the old `AUTH=` form), a word at a time.
#[inline]
fn keyword_end(bytes: &[u8]) -> (usize, bool) {
    let mut chunks = bytes.chunks_exact(swar::WORD);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = swar::load(chunk);
        let space = swar::bytes_equal(word, b' ');
        let equals = swar::bytes_equal(word, b'=');
        if space != 0 {
            let at = swar::first_flagged(space);
            return (offset + at, equals != 0 && swar::first_flagged(equals) < at);
        }
        if equals != 0 {
            let end = memchr(b' ', bytes).unwrap_or(bytes.len());
            return (end, true);
        }
        offset += swar::WORD;
    }
    let mut equals = false;
    for (i, &b) in chunks.remainder().iter().enumerate() {
        match b {
            b' ' => return (offset + i, equals),
            b'=' => equals = true,
            _ => {}
        }
    }
    (bytes.len(), equals)
}

/// The first two space-separated words of `params` and whether more
/// follow (runs of spaces separate as one space does).
fn first_words(params: &str) -> (Option<&str>, Option<&str>, bool) {
    let mut words = [None, None];
    let bytes = params.as_bytes();
    let mut at = 0;
    for slot in &mut words {
        while bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        if at == bytes.len() {
            return (words[0], words[1], false);
        }
        let word = bytes.get(at..).unwrap_or_default();
        let len = word.iter().position(|&b| b == b' ').unwrap_or(word.len());
        *slot = params.get(at..at + len);
        at += len;
    }
    let more = bytes
        .get(at..)
        .is_some_and(|rest| rest.iter().any(|&b| b != b' '));
    (words[0], words[1], more)
}

/// `ehlo-line = ehlo-keyword *( SP ehlo-param )` (RFC 5321 §4.1.1.1), with
/// the old `AUTH=mech ...` form and runs of spaces accepted. `None` for a
/// blank line.
#[inline(always)]
pub(crate) fn ehlo_line(line: &str) -> Option<Capability<'_>> {
    let line = match line.as_bytes().first() {
        Some(b' ') => line.trim_start_matches(' '),
        Some(_) => line,
        None => return None,
    };
    let bytes = line.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    // A keyword is nearly always `ehlo-keyword` followed by SP or the end:
    // one scan over the LDH table finds it. Anything else is cut at the
    // first space, as a keyword this crate keeps as `Other`.
    let (keyword_end, has_equals) = keyword_end(bytes);
    let keyword = line.get(..keyword_end).unwrap_or(line);
    let params = line.get(keyword_end + 1..).unwrap_or("");
    // Before RFC 4954, some clients only understood `AUTH=PLAIN LOGIN`;
    // servers still send it next to the standard line.
    if has_equals {
        if let Some((name, first)) = keyword.split_once('=') {
            if name.eq_ignore_ascii_case("AUTH") {
                let start =
                    line.len() - first.len() - params.len() - usize::from(!params.is_empty());
                let mechanisms = line.get(start..).unwrap_or_default();
                return Some(Capability::Auth(EhloParams::new_unchecked(mechanisms)));
            }
        }
    }
    // Servers send keywords in upper case: match them as they are, and
    // upper-case a copy only for a keyword that has lower case in it.
    let typed = match typed_capability(keyword.as_bytes(), params) {
        Some(typed) => Some(typed),
        None if keyword.bytes().any(|b| b.is_ascii_lowercase()) => {
            let mut upper = [0u8; MAX_KNOWN_KEYWORD];
            match upper.get_mut(..keyword.len()) {
                Some(upper) => {
                    upper.copy_from_slice(keyword.as_bytes());
                    upper.make_ascii_uppercase();
                    typed_capability(upper, params)
                }
                None => None,
            }
        }
        None => None,
    };
    Some(typed.unwrap_or_else(|| Capability::Other {
        keyword: EhloKeyword::new_unchecked(keyword),
        params: EhloParams::new_unchecked(params),
    }))
}

/// The typed capability for an upper-cased known keyword whose parameters
/// match its RFC; `None` otherwise.
#[inline(always)]
fn typed_capability<'a>(keyword: &[u8], params: &'a str) -> Option<Capability<'a>> {
    // Most keywords are flags: only those with parameters split them, in
    // their own arm.
    let flag = |capability| params.bytes().all(|b| b == b' ').then_some(capability);
    let words = || first_words(params);
    // Grouped by length first: one jump on the length, then a compare or
    // two of same-length words, instead of a chain of length tests.
    match keyword.len() {
        3 => match keyword {
            b"DSN" => flag(Capability::Dsn),
            _ => None,
        },
        4 => match keyword {
            // Nearly always one number and nothing else: no splitting.
            b"SIZE" => match number(params) {
                Some(n) => Some(Capability::Size(Some(n))),
                None => match words() {
                    (None, _, _) => Some(Capability::Size(None)),
                    (Some(size), None, _) => number(size).map(|n| Capability::Size(Some(n))),
                    _ => None,
                },
            },
            b"AUTH" => Some(Capability::Auth(EhloParams::new_unchecked(params))),
            b"RRVS" => flag(Capability::Rrvs),
            b"VRFY" => flag(Capability::Vrfy),
            b"ETRN" => flag(Capability::Etrn),
            b"HELP" => flag(Capability::Help),
            b"EXPN" => flag(Capability::Expn),
            _ => None,
        },
        6 => match keyword {
            b"LIMITS" => {
                let valid = params.split(' ').filter(|word| !word.is_empty()).all(limit);
                valid.then(|| {
                    Capability::Limits(Limits::new_unchecked(EhloParams::new_unchecked(params)))
                })
            }
            _ => None,
        },
        8 => match keyword {
            b"8BITMIME" => flag(Capability::EightBitMime),
            b"CHUNKING" => flag(Capability::Chunking),
            b"STARTTLS" => flag(Capability::StartTls),
            b"SMTPUTF8" => flag(Capability::SmtpUtf8),
            _ => None,
        },
        9 => match keyword {
            b"DELIVERBY" => match number(params) {
                Some(n) => Some(Capability::DeliverBy(Some(n))),
                None => match words() {
                    (None, _, _) => Some(Capability::DeliverBy(None)),
                    (Some(by), None, _) => number(by).map(|n| Capability::DeliverBy(Some(n))),
                    _ => None,
                },
            },
            _ => None,
        },
        10 => match keyword {
            b"PIPELINING" => flag(Capability::Pipelining),
            b"BINARYMIME" => flag(Capability::BinaryMime),
            b"REQUIRETLS" => flag(Capability::RequireTls),
            _ => None,
        },
        11 => match keyword {
            b"MT-PRIORITY" => match words() {
                (first, None, _) => {
                    Some(Capability::MtPriority(first.map(EhloParam::new_unchecked)))
                }
                _ => None,
            },
            _ => None,
        },
        13 => match keyword {
            b"FUTURERELEASE" => match words() {
                (Some(interval), Some(datetime), false) => {
                    number(interval).map(|max_interval| Capability::FutureRelease {
                        max_interval,
                        max_datetime: EhloParam::new_unchecked(datetime),
                    })
                }
                _ => None,
            },
            _ => None,
        },
        19 => match keyword {
            b"ENHANCEDSTATUSCODES" => flag(Capability::EnhancedStatusCodes),
            _ => None,
        },
        _ => None,
    }
}

/// `ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
/// / ( "250-" Domain [ SP ehlo-greet ] CRLF *( "250-" ehlo-line CRLF )
/// "250" SP ehlo-line CRLF )` (RFC 5321 §4.1.1.1), from the code and line
/// texts of a parsed reply.
///
/// The domain is kept as the first word, not checked against `Domain`: a
/// client has no use for it beyond display, and some servers send odd names.
pub(crate) fn ehlo_ok_rsp<'a>(
    code: ReplyCode,
    mut lines: impl Iterator<Item = &'a str>,
) -> Result<EhloInfo<'a>, ParseError> {
    if code != ReplyCode::OK {
        return Err(ParseError::InvalidReply("EHLO response is not 250"));
    }
    let first = lines.next().unwrap_or_default();
    let (domain, greeting) = match first.split_once(' ') {
        Some((domain, greeting)) => (domain, Some(greeting).filter(|text| !text.is_empty())),
        None => (first, None),
    };
    if domain.is_empty() {
        return Err(ParseError::InvalidReply("EHLO response without a domain"));
    }
    // A "domain" that reads as an enhanced status code would not survive
    // re-encoding (fuzz finding: `250 2.0.0 2.1.0 x`); `EhloInfo::new` refuses it too.
    if crate::types::reply::enhanced_prefix(ReplyCode::OK, domain.as_bytes()).is_some() {
        return Err(ParseError::InvalidReply("invalid EHLO domain"));
    }
    // One allocation for a typical response instead of growing from 4.
    let mut capabilities = Vec::with_capacity(16);
    capabilities.extend(lines.filter_map(ehlo_line));
    Ok(EhloInfo::new_unchecked(domain, greeting, capabilities))
}

/// Most lines [`ehlo_response_in_one_pass`] takes; longer responses go
/// through [`Reply::parse`].
const MAX_FAST_LINES: usize = 24;

/// Capabilities a typical response has room for without the `Vec` growing
/// (the lines are read as they are framed, so their count is not known yet).
const TYPICAL_CAPABILITIES: usize = 16;

/// `"250-"` as one little-endian word: a line with more to follow.
const CONTINUED: u32 = u32::from_le_bytes(*b"250-");
/// `"250 "` as one little-endian word: the last line.
const LAST: u32 = u32::from_le_bytes(*b"250 ");

/// The longest prefix of `bytes` that is UTF-8, as `str`.
fn utf8_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => bytes
            .get(..error.valid_up_to())
            .and_then(|valid| std::str::from_utf8(valid).ok())
            .unwrap_or_default(),
    }
}

/// [`ehlo_ok_rsp`] straight from the bytes, for the common response: at
/// most [`MAX_FAST_LINES`] clean `250` lines of UTF-8 without an enhanced
/// status code, read in one pass.
///
/// The UTF-8 check comes first, over the longest valid prefix of what the
/// response can span (which a complete valid response is part of), so that
/// each line can be framed, validated and read for its capability at once,
/// with nothing to remember in between. `None` for anything else,
/// including every error and an incomplete response, which
/// [`EhloInfo::parse`] then takes the general way, so the results are the
/// same either way.
fn ehlo_response_in_one_pass(buf: &[u8]) -> Option<(EhloInfo<'_>, usize)> {
    let span = buf.get(..MAX_FAST_LINES * MAX_REPLY_LINE).unwrap_or(buf);
    let wire = utf8_prefix(span);
    let bytes = wire.as_bytes();
    let mut domain = "";
    let mut greeting = None;
    let mut capabilities = Vec::new();
    let mut pos = 0;
    for index in 0..MAX_FAST_LINES {
        let rest = bytes.get(pos..)?;
        let window = rest.get(..MAX_REPLY_LINE).unwrap_or(rest);
        // Every line of an EHLO response must be "250", so the code is
        // compared, not converted.
        let head = window
            .first_chunk::<4>()
            .map(|head| u32::from_le_bytes(*head));
        let more = match head {
            Some(CONTINUED) => true,
            Some(LAST) => false,
            _ => return None,
        };
        let (text_len, lf) = reply_text_end(window.get(4..)?)?;
        let text = wire.get(pos + 4..pos + 4 + text_len)?;
        pos += 4 + lf + 1;
        if index == 0 {
            // An enhanced status code starts with its class digit; a
            // domain with a letter, nearly always.
            if text.as_bytes().first() == Some(&b'2')
                && enhanced_prefix(ReplyCode::OK, text.as_bytes()).is_some()
            {
                return None;
            }
            let sp = swar::span_until(
                text.as_bytes(),
                |word| swar::bytes_equal(word, b' '),
                |b| b == b' ',
            );
            (domain, greeting) = match (sp < text.len()).then_some(sp) {
                Some(sp) => (
                    text.get(..sp)?,
                    text.get(sp + 1..).filter(|greeting| !greeting.is_empty()),
                ),
                None => (text, None),
            };
            if domain.is_empty() {
                return None;
            }
            if more {
                capabilities.reserve_exact(TYPICAL_CAPABILITIES);
            }
        } else if let Some(capability) = ehlo_line(text) {
            capabilities.push(capability);
        }
        if !more {
            return Some((EhloInfo::new_unchecked(domain, greeting, capabilities), pos));
        }
    }
    None
}

impl<'a> EhloInfo<'a> {
    /// Reads an EHLO response from a parsed reply, which must be a `250`.
    pub fn from_reply<'r>(reply: &'r Reply<'_>) -> Result<EhloInfo<'r>, ParseError> {
        ehlo_ok_rsp(reply.code(), reply.lines())
    }

    /// Parses a whole EHLO response from the start of `buf`, as
    /// [`Reply::parse`] does (same limits, [`ParseError::Incomplete`] until
    /// the last line); the response and the bytes it took.
    ///
    /// Unlike [`Reply::parse`], text that is not UTF-8 is an error here,
    /// since the response borrows `buf`.
    pub fn parse(buf: &'a [u8]) -> Result<(EhloInfo<'a>, usize), ParseError> {
        if let Some(parsed) = ehlo_response_in_one_pass(buf) {
            return Ok(parsed);
        }
        let (reply, used) = Reply::parse(buf)?;
        let Some(lines) = reply.lines_borrowed() else {
            return Err(ParseError::InvalidReply("EHLO response is not UTF-8"));
        };
        Ok((ehlo_ok_rsp(reply.code(), lines)?, used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Encode;
    use proptest::prelude::*;

    fn parse(wire: &[u8]) -> EhloInfo<'_> {
        let (info, used) = EhloInfo::parse(wire).unwrap();
        assert_eq!(used, wire.len());
        info
    }

    const GMAIL: &[u8] = b"250-smtp.gmail.com at your service, [203.0.113.7]\r\n\
        250-SIZE 35882577\r\n\
        250-8BITMIME\r\n\
        250-STARTTLS\r\n\
        250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n\
        250-ENHANCEDSTATUSCODES\r\n\
        250-PIPELINING\r\n\
        250-CHUNKING\r\n\
        250-DSN\r\n\
        250-REQUIRETLS\r\n\
        250-LIMITS RCPTMAX=100 MAILMAX=1000\r\n\
        250 SMTPUTF8\r\n";

    const POSTFIX: &[u8] = b"250-mail.example.org\r\n\
        250-PIPELINING\r\n\
        250-SIZE 10240000\r\n\
        250-VRFY\r\n\
        250-ETRN\r\n\
        250-STARTTLS\r\n\
        250-AUTH PLAIN LOGIN\r\n\
        250-AUTH=PLAIN LOGIN\r\n\
        250-ENHANCEDSTATUSCODES\r\n\
        250-8BITMIME\r\n\
        250-DSN\r\n\
        250-SMTPUTF8\r\n\
        250-XCLIENT NAME ADDR PROTO HELO\r\n\
        250 CHUNKING\r\n";

    #[test]
    fn gmail_like() {
        let info = parse(GMAIL);
        assert_eq!(info.domain(), "smtp.gmail.com");
        assert_eq!(info.greeting(), Some("at your service, [203.0.113.7]"));
        assert_eq!(info.capabilities().len(), 11);
        assert_eq!(info.max_size(), Some(35882577));
        assert_eq!(
            info.auth_mechanisms().collect::<Vec<_>>(),
            [
                "LOGIN",
                "PLAIN",
                "XOAUTH2",
                "PLAIN-CLIENTTOKEN",
                "OAUTHBEARER",
                "XOAUTH"
            ]
        );
        assert!(info.supports_auth("xoauth2") && !info.supports_auth("CRAM-MD5"));
        assert!(info.has_pipelining() && info.has_chunking() && info.has_8bitmime());
        assert!(info.has_starttls() && info.has_smtputf8() && info.has_dsn());
        assert!(info.has_enhanced_status_codes() && info.has_requiretls());
        assert!(!info.has_binarymime());
        let limits = info.limits().unwrap();
        assert_eq!(
            (limits.rcpt_max(), limits.mail_max()),
            (Some(100), Some(1000))
        );
        assert_eq!(limits.rcpt_domain_max(), None);
        assert_eq!(info.to_bytes(), GMAIL);
    }

    #[test]
    fn postfix_like() {
        let info = parse(POSTFIX);
        assert_eq!(info.domain(), "mail.example.org");
        assert_eq!(info.greeting(), None);
        let caps = info.capabilities();
        assert_eq!(caps.len(), 13);
        assert_eq!(caps[0], Capability::Pipelining);
        assert_eq!(caps[2], Capability::Vrfy);
        assert_eq!(caps[3], Capability::Etrn);
        assert_eq!(caps[5], caps[6], "AUTH= form reads as AUTH");
        assert_eq!(
            caps[11],
            Capability::Other {
                keyword: EhloKeyword::try_from("XCLIENT").unwrap(),
                params: EhloParams::try_from("NAME ADDR PROTO HELO").unwrap(),
            }
        );
        assert!(info.supports("xclient") && info.supports("Chunking"));
        assert_eq!(
            info.auth_mechanisms().collect::<Vec<_>>(),
            ["PLAIN", "LOGIN"]
        );
    }

    #[test]
    fn old_auth_form_alone() {
        let info = parse(b"250-mx\r\n250 AUTH=LOGIN\r\n");
        assert_eq!(info.auth_mechanisms().collect::<Vec<_>>(), ["LOGIN"]);
        let info = parse(b"250-mx\r\n250 auth=PLAIN  LOGIN CRAM-MD5\r\n");
        assert_eq!(
            info.auth_mechanisms().collect::<Vec<_>>(),
            ["PLAIN", "LOGIN", "CRAM-MD5"]
        );
        let info = parse(b"250-mx\r\n250 AUTH\r\n");
        assert_eq!(info.auth_mechanisms().count(), 0);
        assert!(info.supports("AUTH"));
    }

    #[test]
    fn typed_parameters() {
        let info = parse(
            b"250-mx hi\r\n250-size\r\n250-DELIVERBY 240\r\n250-FUTURERELEASE 604800 2030-01-01T00:00:00Z\r\n\
              250-MT-PRIORITY STANAG4406\r\n250-RRVS\r\n250-LIMITS RCPTMAX=5 FOO=x\r\n250-BINARYMIME\r\n\
              250-Help\r\n250 EXPN\r\n",
        );
        assert_eq!(
            info.capabilities(),
            &[
                Capability::Size(None),
                Capability::DeliverBy(Some(240)),
                Capability::FutureRelease {
                    max_interval: 604800,
                    max_datetime: EhloParam::try_from("2030-01-01T00:00:00Z").unwrap(),
                },
                Capability::MtPriority(Some(EhloParam::try_from("STANAG4406").unwrap())),
                Capability::Rrvs,
                Capability::Limits(Limits::try_from("RCPTMAX=5 FOO=x").unwrap()),
                Capability::BinaryMime,
                Capability::Help,
                Capability::Expn,
            ]
        );
        assert_eq!(info.max_size(), None);
        assert_eq!(info.limits().unwrap().get("foo"), Some("x"));
        assert_eq!(parse(b"250-mx\r\n250 SIZE 0\r\n").max_size(), None);
    }

    #[test]
    fn malformed_known_capabilities_degrade_to_other() {
        let lines = [
            "SIZE abc",
            "SIZE 1 2",
            "SIZE 99999999999999999999999",
            "PIPELINING now",
            "DELIVERBY -5",
            "FUTURERELEASE 1",
            "FUTURERELEASE x 2030-01-01T00:00:00Z",
            "LIMITS RCPTMAX=many",
            "LIMITS RCPTMAX",
            "MT-PRIORITY A B",
            "SIZE=1000",
            "X_UNDERSCORE",
            "VERYLONGKEYWORDTHATISNOTKNOWNATALL",
        ];
        for line in lines {
            let wire = format!("250-mx\r\n250 {line}\r\n");
            let info = parse(wire.as_bytes());
            let capability = &info.capabilities()[0];
            assert!(
                matches!(capability, Capability::Other { .. }),
                "{line}: {capability:?}"
            );
            assert_eq!(info.to_bytes(), wire.as_bytes(), "{line}");
        }
    }

    #[test]
    fn tolerated_line_shapes() {
        let info = parse(b"250-mx\r\n250-\r\n250-  DSN  \r\n250 8bitmime\r\n");
        assert_eq!(
            info.capabilities(),
            &[Capability::Dsn, Capability::EightBitMime]
        );
        let info = parse(b"250 mx.example.com\n");
        assert!(info.capabilities().is_empty());
        let info = parse(b"250 [192.0.2.1] \r\n");
        assert_eq!((info.domain(), info.greeting()), ("[192.0.2.1]", None));
    }

    #[test]
    fn rejected_responses() {
        let bad: &[&[u8]] = &[
            b"250\r\n",
            b"250 \r\n",
            b"250  mx\r\n",
            b"550 5.7.1 go away\r\n",
            b"250-mx\r\n251 DSN\r\n",
            b"250-mx\r\n250 DSN\xff\r\n",
        ];
        for wire in bad {
            assert!(
                matches!(EhloInfo::parse(wire), Err(ParseError::InvalidReply(_))),
                "{wire:?}"
            );
        }
    }

    #[test]
    fn from_reply() {
        let (reply, _) = Reply::parse(POSTFIX).unwrap();
        let info = EhloInfo::from_reply(&reply).unwrap();
        assert_eq!(info, parse(POSTFIX));
        let owned: EhloInfo<'static> = info.into_owned();
        assert_eq!(owned, parse(POSTFIX));
        let (reply, _) = Reply::parse(b"250-mx caf\xe9\r\n250 DSN\r\n").unwrap();
        let info = EhloInfo::from_reply(&reply).unwrap();
        assert_eq!(info.greeting(), Some("caf?"));
    }

    #[test]
    fn every_strict_prefix_is_incomplete() {
        for wire in [
            GMAIL,
            POSTFIX,
            b"250 mx\r\n",
            b"250-mx\r\n250 AUTH=LOGIN\r\n",
        ] {
            for end in 0..wire.len() {
                assert_eq!(
                    EhloInfo::parse(&wire[..end]).map(|(_, n)| n),
                    Err(ParseError::Incomplete),
                    "{:?}",
                    &wire[..end]
                );
            }
        }
    }

    fn any_capability() -> impl Strategy<Value = Capability<'static>> {
        let word = "[A-Z0-9][A-Z0-9-]{0,10}";
        prop_oneof![
            proptest::option::of(any::<u64>()).prop_map(Capability::Size),
            Just(Capability::Pipelining),
            Just(Capability::EightBitMime),
            Just(Capability::BinaryMime),
            Just(Capability::Chunking),
            Just(Capability::StartTls),
            Just(Capability::Dsn),
            Just(Capability::EnhancedStatusCodes),
            Just(Capability::SmtpUtf8),
            Just(Capability::RequireTls),
            Just(Capability::Rrvs),
            Just(Capability::Vrfy),
            Just(Capability::Etrn),
            Just(Capability::Help),
            Just(Capability::Expn),
            proptest::option::of(any::<u64>()).prop_map(Capability::DeliverBy),
            proptest::collection::vec(word, 0..4).prop_map(|mechs| {
                let raw = mechs.join(" ");
                Capability::Auth(EhloParams::try_from(raw.as_str()).unwrap().into_owned())
            }),
            (any::<u64>(), "[!-~]{1,20}").prop_map(|(max_interval, datetime)| {
                Capability::FutureRelease {
                    max_interval,
                    max_datetime: EhloParam::try_from(datetime.as_str()).unwrap().into_owned(),
                }
            }),
            proptest::option::of(word).prop_map(|profile| Capability::MtPriority(
                profile.map(|p| EhloParam::try_from(p.as_str()).unwrap().into_owned())
            )),
            (
                proptest::option::of(any::<u32>()),
                proptest::option::of(any::<u32>()),
                proptest::option::of(any::<u32>())
            )
                .prop_map(|(r, m, d)| Capability::Limits(Limits::new(r, m, d))),
            (
                "X[A-Za-z0-9-]{0,10}",
                proptest::collection::vec("[!-~]{1,8}", 0..4)
            )
                .prop_map(|(keyword, params)| {
                    let raw = params.join(" ");
                    Capability::Other {
                        keyword: EhloKeyword::try_from(keyword.as_str())
                            .unwrap()
                            .into_owned(),
                        params: EhloParams::try_from(raw.as_str()).unwrap().into_owned(),
                    }
                }),
        ]
    }

    /// The one-pass reader checks UTF-8 over what follows the response
    /// too: octets that are not UTF-8 after it change nothing, inside it
    /// they are the general reader's error, and UTF-8 text is kept.
    #[test]
    fn utf8_around_and_inside_the_response() {
        let response = b"250-mx.example.net h\xc3\xa9llo\r\n250-PIPELINING\r\n250 SIZE 10\r\n";
        let mut followed = response.to_vec();
        followed.extend_from_slice(b"\xff\xfe garbage\r\n");
        let (alone, used) = EhloInfo::parse(response).unwrap();
        assert_eq!(used, response.len());
        assert_eq!(alone.greeting(), Some("h\u{e9}llo"));
        assert_eq!(EhloInfo::parse(&followed), Ok((alone.clone(), used)));
        // A multi-byte character cut by the end of the buffer.
        let mut cut = response.to_vec();
        cut.push(0xc3);
        assert_eq!(EhloInfo::parse(&cut), Ok((alone, used)));
        assert_eq!(
            EhloInfo::parse(b"250-mx.example.net\r\n250-X-\xff\r\n250 DSN\r\n"),
            Err(ParseError::InvalidReply("EHLO response is not UTF-8"))
        );
        assert_eq!(
            EhloInfo::parse(b"250-mx.example.net\r\n250-DSN\r\n\xff"),
            Err(ParseError::InvalidReply("invalid reply code"))
        );
    }

    proptest! {
        #[test]
        fn parse_encode_round_trip(
            domain in "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,8}){0,2}",
            greeting in proptest::option::of("[\t -~]{1,30}"),
            capabilities in proptest::collection::vec(any_capability(), 0..12),
        ) {
            let info = EhloInfo::new(&domain, greeting.as_deref(), capabilities).unwrap();
            let wire = info.to_bytes();
            let (parsed, used) = EhloInfo::parse(&wire).unwrap();
            prop_assert_eq!(used, wire.len());
            prop_assert_eq!(&parsed, &info);
        }

        /// The one-pass reader agrees with the general one (a parsed
        /// `Reply`, then `ehlo_ok_rsp`) whenever it takes a response.
        #[test]
        fn one_pass_agrees_with_reply_parse(
            lines in proptest::collection::vec(
                "( ?(SIZE|size|AUTH|AUTH=|Auth|DSN|8BITMIME|LIMITS|MT-PRIORITY|DELIVERBY|FUTURERELEASE|X-y=z|STARTTLS|ENHANCEDSTATUSCODES)( [ -~]{0,12}){0,3}|[ -~\t]{0,24})",
                1..8,
            ),
            first in "(2\\.0\\.0 )?[a-z.]{0,9}( [ -~]{0,10})?",
            crlf in any::<bool>(),
        ) {
            let mut wire = Vec::new();
            let all: Vec<&str> = std::iter::once(first.as_str()).chain(lines.iter().map(String::as_str)).collect();
            for (i, line) in all.iter().enumerate() {
                wire.extend_from_slice(if i + 1 == all.len() { b"250 " } else { b"250-" });
                wire.extend_from_slice(line.as_bytes());
                wire.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            }
            let general = Reply::parse(&wire).and_then(|(reply, used)| {
                let lines = reply.lines_borrowed().expect("ASCII borrows");
                Ok((ehlo_ok_rsp(reply.code(), lines)?, used))
            });
            match ehlo_response_in_one_pass(&wire) {
                Some(fast) => prop_assert_eq!(Ok(fast), general),
                None => prop_assert!(general.is_err() || first.starts_with("2.0.0")),
            }
        }

        #[test]
        fn parse_never_panics(lines in proptest::collection::vec("[ -~]{0,30}", 1..6)) {
            let mut wire = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                wire.extend_from_slice(if i + 1 == lines.len() { b"250 " } else { b"250-" });
                wire.extend_from_slice(line.as_bytes());
                wire.extend_from_slice(b"\r\n");
            }
            if let Ok((info, _)) = EhloInfo::parse(&wire) {
                let _ = info.to_bytes();
            }
        }
    }
}
