//! The trace headers a delivering server puts in front of a message: the
//! `Return-Path:` line and a `Received:` header (RFC 5321 §4.4, RFC 5322 §3.6.7).
//!
//! The `Received:` header has the form
//!
//! ```text
//! Received: from client.example ([192.0.2.1])
//!         by mx.example (smtp-rs) with ESMTPS id 1700000000M123456P42Q7
//!         for <bob@example.org>; Mon, 23 Nov 2026 00:11:25 +0000
//! ```
//!
//! Recipients: the `for` clause of RFC 5321 §4.4 names exactly one path, so it
//! is used when the transaction has exactly one recipient. With several, the
//! `for` clause is left out and the recipients are recorded in an RFC 5322
//! comment after the `id` clause, `(envelope recipients <a@x>, <b@y>)`, which
//! every parser of `Received:` skips as CFWS. Comment-special characters
//! (`(`, `)`, `\`) inside addresses are escaped as quoted pairs.
//!
//! Lines are folded before column 78 at whitespace, with CRLF + TAB, and every
//! line ends with CRLF. Text that came from the client (the HELO name) is
//! reduced to printable ASCII-or-UTF-8 without controls, so a client cannot
//! inject a line break or a header of its own.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use smtp_proto::types::address::{ForwardPath, ReversePath};

use crate::handler::ConnectionInfo;

/// Lines are folded so that none is longer than this, where whitespace allows.
const FOLD_COLUMN: usize = 78;

/// The `with` protocol name of the `Received:` header (RFC 3848, RFC 6531 §3.7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HELO: plain SMTP.
    Smtp,
    /// EHLO: ESMTP, with `S` for TLS and `A` for an authenticated client.
    Esmtp {
        /// The connection was encrypted.
        tls: bool,
        /// The client authenticated.
        authenticated: bool,
        /// The transaction used SMTPUTF8 (`UTF8SMTP...` names of RFC 6531).
        utf8: bool,
    },
    /// LHLO: LMTP (RFC 3848), with the same `S` and `A` suffixes.
    Lmtp {
        /// The connection was encrypted.
        tls: bool,
        /// The client authenticated.
        authenticated: bool,
        /// The transaction used SMTPUTF8 (`UTF8LMTP...` names of RFC 6531).
        utf8: bool,
    },
}

impl Protocol {
    /// The protocol of an SMTP connection as the server sees it now; `utf8`
    /// says whether the transaction asked for SMTPUTF8.
    pub fn of_smtp(info: &ConnectionInfo, utf8: bool) -> Protocol {
        if info.esmtp {
            Protocol::Esmtp {
                tls: info.tls.is_some(),
                authenticated: info.authenticated_as.is_some(),
                utf8,
            }
        } else {
            Protocol::Smtp
        }
    }

    /// The registered name: `SMTP`, `ESMTP`, `ESMTPS`, `ESMTPA`, `ESMTPSA`,
    /// `LMTP`..., `UTF8SMTP`..., `UTF8LMTP`...
    pub fn name(self) -> String {
        let (base, tls, authenticated, utf8) = match self {
            Protocol::Smtp => return "SMTP".to_owned(),
            Protocol::Esmtp {
                tls,
                authenticated,
                utf8,
            } => (
                if utf8 { "SMTP" } else { "ESMTP" },
                tls,
                authenticated,
                utf8,
            ),
            Protocol::Lmtp {
                tls,
                authenticated,
                utf8,
            } => ("LMTP", tls, authenticated, utf8),
        };
        let mut name = String::with_capacity(10);
        if utf8 {
            name.push_str("UTF8");
        }
        name.push_str(base);
        if tls {
            name.push('S');
        }
        if authenticated {
            name.push('A');
        }
        name
    }
}

/// Everything a `Received:` header records about one delivery.
#[derive(Debug, Clone)]
pub struct TraceInfo<'a> {
    /// The name the client gave in HELO/EHLO/LHLO, if any.
    pub helo_name: Option<&'a str>,
    /// The client's IP address.
    pub peer_ip: IpAddr,
    /// This server's name (`by`).
    pub hostname: &'a str,
    /// The `with` protocol.
    pub protocol: Protocol,
    /// A unique id for this delivery (an RFC 5322 atom: letters, digits, `!#$%&'*+-/=?^_`{|}~`).
    pub id: &'a str,
    /// The envelope recipients.
    pub recipients: &'a [ForwardPath<'static>],
    /// When the message was received.
    pub time: SystemTime,
}

/// Appends `Return-Path: <sender>` with CRLF (RFC 5321 §4.4: the source
/// route, if any, is dropped; `<>` for the null sender).
pub fn write_return_path(out: &mut Vec<u8>, from: &ReversePath<'_>) {
    out.extend_from_slice(b"Return-Path: <");
    if let Some(mailbox) = from.mailbox() {
        out.extend_from_slice(sanitize(&mailbox.to_string()).as_bytes());
    }
    out.extend_from_slice(b">\r\n");
}

/// Appends the folded `Received:` header, CRLF-terminated.
pub fn write_received(out: &mut Vec<u8>, trace: &TraceInfo<'_>) {
    let mut words: Vec<String> = Vec::with_capacity(16 + trace.recipients.len());
    words.push("Received:".to_owned());
    words.push("from".to_owned());
    let literal = address_literal(trace.peer_ip);
    match trace.helo_name.map(sanitize_atom) {
        Some(helo) if !helo.is_empty() => {
            words.push(helo);
            words.push(format!("({literal})"));
        }
        // No usable HELO name: the address literal is the Extended-Domain itself.
        _ => words.push(literal),
    }
    words.push("by".to_owned());
    words.push(sanitize_atom(trace.hostname));
    words.push("(smtp-rs)".to_owned());
    words.push("with".to_owned());
    words.push(trace.protocol.name());
    words.push("id".to_owned());
    words.push(sanitize_atom(trace.id));
    match trace.recipients {
        [] => {}
        [only] => {
            words.push("for".to_owned());
            words.push(path_text(only));
        }
        several => {
            words.push("(envelope".to_owned());
            words.push("recipients".to_owned());
            let last = several.len() - 1;
            for (i, rcpt) in several.iter().enumerate() {
                let mut text = escape_comment(&path_text(rcpt));
                text.push(if i == last { ')' } else { ',' });
                words.push(text);
            }
        }
    }
    // The date follows the last clause after ";"; keep it on one line.
    if let Some(last) = words.last_mut() {
        last.push(';');
    }
    words.push(rfc5322_date(trace.time));
    fold(out, &words);
}

/// Joins `words` with single spaces, breaking before a word (CRLF TAB) when the
/// line would pass [`FOLD_COLUMN`]; the date (last word) is never split.
fn fold(out: &mut Vec<u8>, words: &[String]) {
    let mut column = 0usize;
    for (i, word) in words.iter().enumerate() {
        let width = word.chars().count();
        if i == 0 {
            out.extend_from_slice(word.as_bytes());
            column = width;
            continue;
        }
        if column + 1 + width > FOLD_COLUMN {
            out.extend_from_slice(b"\r\n\t");
            column = 8;
        } else {
            out.push(b' ');
            column += 1;
        }
        out.extend_from_slice(word.as_bytes());
        column += width;
    }
    out.extend_from_slice(b"\r\n");
}

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3).
fn address_literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("[{v4}]"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("[{v4}]"),
            None => format!("[IPv6:{v6}]"),
        },
    }
}

/// `<local@domain>`, or `<Postmaster>`, without a source route.
fn path_text(path: &ForwardPath<'_>) -> String {
    match path.mailbox() {
        Some(mailbox) => format!("<{}>", sanitize(&mailbox.to_string())),
        None => "<Postmaster>".to_owned(),
    }
}

/// Drops control characters (and so any CR/LF), keeping UTF-8 text.
fn sanitize(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Like [`sanitize`], and also drops whitespace and the comment and clause
/// delimiters, so a client-given name stays one word of the header.
fn sanitize_atom(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace() && !matches!(c, '(' | ')' | '\\' | ';'))
        .collect()
}

/// Quotes `(`, `)` and `\` for use inside an RFC 5322 comment; spaces (legal
/// in a quoted local part) become quoted pairs too so a word never splits.
fn escape_comment(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '(' | ')' | '\\') {
            escaped.push('\\');
        }
        if c == ' ' {
            escaped.push_str("\\ ");
            continue;
        }
        escaped.push(c);
    }
    escaped
}

/// An RFC 5322 §3.3 date-time in UTC: `Mon, 23 Nov 2026 00:11:25 +0000`.
pub fn rfc5322_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // Before 1970 only with a broken clock; the epoch is the honest fallback.
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let mut date = String::with_capacity(31);
    let _ = write!(
        date,
        "{}, {} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        of_day / 3600,
        (of_day / 60) % 60,
        of_day % 60
    );
    date
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31) in the proleptic
/// Gregorian calendar (Howard Hinnant's `civil_from_days`, for days >= 0).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn rcpts(list: &[&str]) -> Vec<ForwardPath<'static>> {
        list.iter()
            .map(|s| ForwardPath::try_from(*s).unwrap().into_owned())
            .collect()
    }

    #[test]
    fn dates_known_answers() {
        assert_eq!(rfc5322_date(at(0)), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(at(951_782_400)),
            "Tue, 29 Feb 2000 00:00:00 +0000"
        );
        assert_eq!(
            rfc5322_date(at(1_700_000_000)),
            "Tue, 14 Nov 2023 22:13:20 +0000"
        );
        assert_eq!(
            rfc5322_date(at(4_102_444_799)),
            "Thu, 31 Dec 2099 23:59:59 +0000"
        );
    }

    #[test]
    fn protocol_names_follow_rfc3848_and_rfc6531() {
        let esmtp = |tls, authenticated, utf8| Protocol::Esmtp {
            tls,
            authenticated,
            utf8,
        };
        assert_eq!(Protocol::Smtp.name(), "SMTP");
        assert_eq!(esmtp(false, false, false).name(), "ESMTP");
        assert_eq!(esmtp(true, false, false).name(), "ESMTPS");
        assert_eq!(esmtp(false, true, false).name(), "ESMTPA");
        assert_eq!(esmtp(true, true, false).name(), "ESMTPSA");
        assert_eq!(esmtp(true, true, true).name(), "UTF8SMTPSA");
        assert_eq!(esmtp(false, false, true).name(), "UTF8SMTP");
        let lmtp = Protocol::Lmtp {
            tls: true,
            authenticated: false,
            utf8: false,
        };
        assert_eq!(lmtp.name(), "LMTPS");
    }

    #[test]
    fn return_path_for_sender_and_null_sender() {
        let mut out = Vec::new();
        write_return_path(&mut out, &ReversePath::try_from("<a@b.example>").unwrap());
        write_return_path(&mut out, &ReversePath::Null);
        assert_eq!(out, b"Return-Path: <a@b.example>\r\nReturn-Path: <>\r\n");
    }

    #[test]
    fn received_with_one_recipient_uses_for_clause() {
        let recipients = rcpts(&["<bob@example.org>"]);
        let mut out = Vec::new();
        write_received(
            &mut out,
            &TraceInfo {
                helo_name: Some("client.example"),
                peer_ip: "192.0.2.1".parse().unwrap(),
                hostname: "mx.example",
                protocol: Protocol::Esmtp {
                    tls: true,
                    authenticated: false,
                    utf8: false,
                },
                id: "1700000000M1P2Q3",
                recipients: &recipients,
                time: at(1_700_000_000),
            },
        );
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "Received: from client.example ([192.0.2.1]) by mx.example (smtp-rs) with\r\n\
             \tESMTPS id 1700000000M1P2Q3 for <bob@example.org>;\r\n\
             \tTue, 14 Nov 2023 22:13:20 +0000\r\n"
        );
    }

    #[test]
    fn received_with_many_recipients_folds_and_lists_them_in_a_comment() {
        let list: Vec<String> = (0..20).map(|i| format!("<user{i}@example.org>")).collect();
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        let recipients = rcpts(&refs);
        let mut out = Vec::new();
        write_received(
            &mut out,
            &TraceInfo {
                helo_name: None,
                peer_ip: "2001:db8::1".parse().unwrap(),
                hostname: "mx.example",
                protocol: Protocol::Smtp,
                id: "X1",
                recipients: &recipients,
                time: at(0),
            },
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Received: from [IPv6:2001:db8::1] by mx.example"));
        assert!(!text.contains(" for "));
        assert!(text.contains("(envelope recipients <user0@example.org>,"));
        assert!(text.contains("<user19@example.org>);"));
        assert!(text.ends_with("+0000\r\n"));
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= FOLD_COLUMN, "line too long: {line:?}");
            assert!(!line.contains('\r') && !line.contains('\n'));
        }
        // Every line after the first is a continuation.
        assert!(
            text.trim_end_matches("\r\n")
                .split("\r\n")
                .skip(1)
                .all(|l| l.starts_with('\t'))
        );
    }

    #[test]
    fn client_text_cannot_break_the_header() {
        let mut out = Vec::new();
        write_received(
            &mut out,
            &TraceInfo {
                helo_name: Some("evil\r\nX-Injected: yes (x)"),
                peer_ip: "::ffff:192.0.2.7".parse().unwrap(),
                hostname: "mx",
                protocol: Protocol::Smtp,
                id: "id",
                recipients: &[],
                time: at(0),
            },
        );
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines[0].starts_with("Received: "), "{text:?}");
        assert!(lines[1..].iter().all(|l| l.starts_with('\t')), "{text:?}");
        assert!(!text.contains("\nX-"), "{text:?}");
        assert!(text.contains("from evilX-Injected:yesx ([192.0.2.7])"));
    }

    #[test]
    fn comment_escaping() {
        assert_eq!(escape_comment("<\"a (b)\\\"@x>"), "<\"a\\ \\(b\\)\\\\\"@x>");
    }
}
