//! A server reply (RFC 5321 §4.2): one code, an optional RFC 2034 enhanced
//! status code and one or more text lines.
//!
//! A parsed reply borrows the input: a single-line reply keeps a slice of its
//! text, a multi-line reply keeps the whole wire form and yields its lines
//! lazily, so parsing never allocates unless the text is not UTF-8 (see
//! [`Reply::parse`]).

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::encode::Encode;
use crate::error::ParseError;
use crate::parse::reply::{
    MAX_REPLY_LINE, MAX_REPLY_LINES, REPLY_TEXT, status_code, status_code_prefix,
};
use crate::types::status::{EnhancedStatus, ReplyCode, Severity};

/// A complete SMTP reply, possibly multi-line.
///
/// Equality and hashing compare the meaning (code, enhanced status code and
/// line texts), not the wire form: `250-a\n250 b\n` equals `250-a\r\n250 b\r\n`.
#[derive(Clone)]
pub struct Reply<'a> {
    code: ReplyCode,
    enhanced: Option<EnhancedStatus>,
    body: Body<'a>,
}

/// Where the text lines live.
#[derive(Clone, Debug)]
enum Body<'a> {
    /// The line texts joined by `\n` (built replies, single-line parsed replies).
    Joined(Cow<'a, str>),
    /// The whole validated wire form of a multi-line reply, line endings
    /// included; codes, separators and enhanced codes are stripped on the fly.
    Wire(Cow<'a, str>),
}

/// Checks one line of text for [`Reply::new`] and [`Reply::new_single`], so
/// that whatever is built encodes to a reply that parses back to itself.
const fn check_line(
    code: ReplyCode,
    enhanced: Option<EnhancedStatus>,
    text: &[u8],
    first: bool,
) -> Result<(), ParseError> {
    let mut i = 0;
    while i < text.len() {
        if !REPLY_TEXT[text[i] as usize] {
            return Err(ParseError::InvalidReply("control character in reply text"));
        }
        i += 1;
    }
    let mut wire_len = 3 + 1 + text.len() + 2;
    match enhanced {
        Some(status) => {
            if status.class() as u16 != code.get() / 100 {
                return Err(ParseError::InvalidReply(
                    "enhanced status class differs from the reply code",
                ));
            }
            wire_len += status_len(status) + 1;
        }
        None => {
            // Without this check, "250 2.0.0 x" built with no enhanced code
            // would parse back with one.
            if first && enhanced_prefix(code, text).is_some() {
                return Err(ParseError::InvalidReply(
                    "reply text starts with an enhanced status code",
                ));
            }
        }
    }
    if wire_len > MAX_REPLY_LINE {
        return Err(ParseError::InvalidReply("reply line too long"));
    }
    Ok(())
}

/// Length of `class.subject.detail` on the wire.
const fn status_len(status: EnhancedStatus) -> usize {
    const fn digits(n: u16) -> usize {
        if n >= 100 {
            3
        } else if n >= 10 {
            2
        } else {
            1
        }
    }
    1 + 1 + digits(status.subject()) + 1 + digits(status.detail())
}

/// The RFC 2034 enhanced status code that starts `text`, when its class
/// matches the reply code and it is followed by SP or the end of the line;
/// with the number of bytes to strip (the code and its SP).
pub(crate) const fn enhanced_prefix(
    code: ReplyCode,
    text: &[u8],
) -> Option<(EnhancedStatus, usize)> {
    // The usual shape, one digit each ("2.1.0 ", "5.7.1"), read by one
    // pattern; every other shape (and every non-match) goes the general way.
    if let [
        class @ (b'2' | b'4' | b'5'),
        b'.',
        subject @ b'0'..=b'9',
        b'.',
        detail @ b'0'..=b'9',
        rest @ ..,
    ] = text
    {
        let len = match rest {
            [] => 5,
            [b' ', ..] => 6,
            _ => 0,
        };
        if len != 0 && (*class - b'0') as u16 == code.get() / 100 {
            let status = EnhancedStatus::new_unchecked(
                *class - b'0',
                (*subject - b'0') as u16,
                (*detail - b'0') as u16,
            );
            return Some((status, len));
        }
    }
    enhanced_prefix_by_grammar(code, text)
}

/// [`enhanced_prefix`] for every shape, by the `status-code` grammar.
const fn enhanced_prefix_by_grammar(
    code: ReplyCode,
    text: &[u8],
) -> Option<(EnhancedStatus, usize)> {
    match status_code_prefix(text) {
        Some((status, len)) if status.class() as u16 == code.get() / 100 => {
            if len == text.len() {
                Some((status, len))
            } else if len < text.len() && text[len] == b' ' {
                Some((status, len + 1))
            } else {
                None
            }
        }
        _ => None,
    }
}

impl<'a> Reply<'a> {
    /// For the parser and the constants, after the grammar has been checked.
    pub(crate) const fn joined_unchecked(
        code: ReplyCode,
        enhanced: Option<EnhancedStatus>,
        text: Cow<'a, str>,
    ) -> Self {
        Reply {
            code,
            enhanced,
            body: Body::Joined(text),
        }
    }

    /// For the parser: `wire` is a whole validated multi-line reply.
    pub(crate) const fn wire_unchecked(
        code: ReplyCode,
        enhanced: Option<EnhancedStatus>,
        wire: Cow<'a, str>,
    ) -> Self {
        Reply {
            code,
            enhanced,
            body: Body::Wire(wire),
        }
    }

    /// A single-line reply borrowing `text`, without allocating; usable in `const` items.
    ///
    /// Fails when `text` holds a control character other than HT, when the
    /// enhanced status class differs from the code's first digit, when the
    /// line would exceed 8192 octets, or when `enhanced` is `None` but `text`
    /// itself starts with an enhanced status code (it would parse back as one).
    pub const fn new_single(
        code: ReplyCode,
        enhanced: Option<EnhancedStatus>,
        text: &'a str,
    ) -> Result<Self, ParseError> {
        match check_line(code, enhanced, text.as_bytes(), true) {
            Ok(()) => Ok(Reply::joined_unchecked(code, enhanced, Cow::Borrowed(text))),
            Err(e) => Err(e),
        }
    }

    /// A reply with one or more lines, checked as [`Reply::new_single`] checks
    /// each line; at most 1000 lines, and at least one (which may be empty).
    pub fn new<I, S>(
        code: ReplyCode,
        enhanced: Option<EnhancedStatus>,
        lines: I,
    ) -> Result<Reply<'static>, ParseError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut joined = String::new();
        let mut count = 0usize;
        for line in lines {
            let line = line.as_ref();
            check_line(code, enhanced, line.as_bytes(), count == 0)?;
            count += 1;
            if count > MAX_REPLY_LINES {
                return Err(ParseError::InvalidReply("too many reply lines"));
            }
            if count > 1 {
                joined.push('\n');
            }
            joined.push_str(line);
        }
        if count == 0 {
            return Err(ParseError::InvalidReply("reply without a line"));
        }
        Ok(Reply::joined_unchecked(code, enhanced, Cow::Owned(joined)))
    }

    /// The reply a server sends for a parse error (`500 5.5.2 Command
    /// unrecognized`, ...), or `None` for errors a server does not answer
    /// ([`ParseError::Incomplete`], errors in replies).
    pub fn from_parse_error(error: &ParseError) -> Option<Reply<'static>> {
        let code = error.reply_code()?;
        let enhanced = error
            .enhanced_status()
            .filter(|status| status.class() as u16 == code.get() / 100);
        Reply::new_single(code, enhanced, error.reply_text()).ok()
    }

    /// The reply code.
    pub const fn code(&self) -> ReplyCode {
        self.code
    }

    /// The RFC 2034 enhanced status code, when the first line carries one.
    pub const fn enhanced_status(&self) -> Option<EnhancedStatus> {
        self.enhanced
    }

    /// The class of the code.
    pub const fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// `2yz`: the command succeeded.
    pub const fn is_positive(&self) -> bool {
        self.code.is_positive()
    }

    /// `3yz`: the server waits for more (DATA, AUTH).
    pub const fn is_intermediate(&self) -> bool {
        self.code.is_intermediate()
    }

    /// `4yz`: failed this time, may succeed later.
    pub const fn is_transient(&self) -> bool {
        self.code.is_transient()
    }

    /// `5yz`: failed, do not retry as is.
    pub const fn is_permanent(&self) -> bool {
        self.code.is_permanent()
    }

    /// The text of each line, without code, separator, enhanced status code
    /// (where it matches the first line's) or line ending.
    pub fn lines(&self) -> Lines<'_> {
        match &self.body {
            Body::Joined(text) => Lines::joined(text),
            Body::Wire(wire) => Lines::wire(wire, self.enhanced),
        }
    }

    /// The lines with the lifetime of the input, when nothing was decoded lossily.
    pub(crate) fn lines_borrowed(&self) -> Option<Lines<'a>> {
        match &self.body {
            Body::Joined(Cow::Borrowed(text)) => Some(Lines::joined(text)),
            Body::Wire(Cow::Borrowed(wire)) => Some(Lines::wire(wire, self.enhanced)),
            _ => None,
        }
    }

    /// Whether the reply has more than one line.
    pub fn is_multiline(&self) -> bool {
        match &self.body {
            Body::Joined(text) => text.contains('\n'),
            Body::Wire(_) => true,
        }
    }

    /// The line texts joined by `\n`; borrowed unless a parsed reply has several lines.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.body {
            Body::Joined(text) => Cow::Borrowed(text),
            Body::Wire(_) => {
                let mut joined = String::new();
                for (i, line) in self.lines().enumerate() {
                    if i > 0 {
                        joined.push('\n');
                    }
                    joined.push_str(line);
                }
                Cow::Owned(joined)
            }
        }
    }

    /// The same reply, owning its text.
    pub fn into_owned(self) -> Reply<'static> {
        let body = match self.body {
            Body::Joined(text) => Body::Joined(Cow::Owned(text.into_owned())),
            Body::Wire(wire) => Body::Wire(Cow::Owned(wire.into_owned())),
        };
        Reply {
            code: self.code,
            enhanced: self.enhanced,
            body,
        }
    }

    /// Writes each line as `code sep [enhanced SP] text` followed by
    /// `line_end` (not after the last line unless `end_last`).
    fn write_lines(&self, line_end: &[u8], end_last: bool, mut push: impl FnMut(&[u8])) {
        let digits = self.code.as_digits();
        // On the stack: encoding a reply is on a server's hot path.
        let mut status_buf = [0u8; 16];
        let status = match self.enhanced {
            Some(enhanced) => enhanced.write_to(&mut status_buf),
            None => &[][..],
        };
        let mut lines = self.lines().peekable();
        while let Some(line) = lines.next() {
            let last = lines.peek().is_none();
            push(&digits);
            if !last {
                push(b"-");
            } else if !line.is_empty() || self.enhanced.is_some() || self.code.get() == 334 {
                // RFC 4954: `continue-req = "334" SP [base64] CRLF` keeps the
                // space even when the challenge is empty.
                push(b" ");
            }
            if self.enhanced.is_some() {
                push(status);
                if !line.is_empty() {
                    push(b" ");
                }
            }
            push(line.as_bytes());
            if !last || end_last {
                push(line_end);
            }
        }
    }
}

/// Well-known replies a server sends as is.
impl Reply<'static> {
    /// Builds a single-line reply for a `const` item: `code`, an optional
    /// enhanced status `(class, subject, detail)` and the text.
    ///
    /// The same checks as [`Reply::new_single`] run at compile time when used
    /// in a `const`; an invalid reply panics (a compile error in a `const`).
    pub const fn from_static(
        code: u16,
        enhanced: Option<(u8, u16, u16)>,
        text: &'static str,
    ) -> Self {
        let code = match ReplyCode::new(code) {
            Ok(code) => code,
            Err(_) => panic!("invalid reply code"),
        };
        let enhanced = match enhanced {
            Some((class, subject, detail)) => match EnhancedStatus::new(class, subject, detail) {
                Ok(status) => Some(status),
                Err(_) => panic!("invalid enhanced status code"),
            },
            None => None,
        };
        match check_line(code, enhanced, text.as_bytes(), true) {
            Ok(()) => Reply::joined_unchecked(code, enhanced, Cow::Borrowed(text)),
            Err(_) => panic!("invalid reply text"),
        }
    }

    /// Builds a constant; the checks run at compile time.
    const fn known(code: u16, enhanced: Option<(u8, u16, u16)>, text: &'static str) -> Self {
        let code = ReplyCode::new_unchecked(code);
        let enhanced = match enhanced {
            Some((class, subject, detail)) => {
                Some(EnhancedStatus::new_unchecked(class, subject, detail))
            }
            None => None,
        };
        match check_line(code, enhanced, text.as_bytes(), true) {
            Ok(()) => Reply::joined_unchecked(code, enhanced, Cow::Borrowed(text)),
            Err(_) => panic!("invalid well-known reply"),
        }
    }

    /// `220 Service ready` (a server usually puts its name first).
    pub const SERVICE_READY: Reply<'static> = Reply::known(220, None, "Service ready");
    /// `221 2.0.0 Service closing transmission channel`.
    pub const CLOSING: Reply<'static> =
        Reply::known(221, Some((2, 0, 0)), "Service closing transmission channel");
    /// `235 2.7.0 Authentication successful` (RFC 4954).
    pub const AUTH_SUCCEEDED: Reply<'static> =
        Reply::known(235, Some((2, 7, 0)), "Authentication successful");
    /// `250 2.0.0 OK`.
    pub const OK: Reply<'static> = Reply::known(250, Some((2, 0, 0)), "OK");
    /// `354 Start mail input; end with <CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: Reply<'static> =
        Reply::known(354, None, "Start mail input; end with <CRLF>.<CRLF>");
    /// `421 4.3.2 Service not available, closing transmission channel`.
    pub const SERVICE_NOT_AVAILABLE: Reply<'static> = Reply::known(
        421,
        Some((4, 3, 2)),
        "Service not available, closing transmission channel",
    );
    /// `451 4.3.0 Local error in processing`.
    pub const LOCAL_ERROR: Reply<'static> =
        Reply::known(451, Some((4, 3, 0)), "Local error in processing");
    /// `452 4.5.3 Too many recipients`.
    pub const TOO_MANY_RECIPIENTS: Reply<'static> =
        Reply::known(452, Some((4, 5, 3)), "Too many recipients");
    /// `454 4.7.0 TLS not available due to temporary reason` (RFC 3207).
    pub const TLS_NOT_AVAILABLE: Reply<'static> = Reply::known(
        454,
        Some((4, 7, 0)),
        "TLS not available due to temporary reason",
    );
    /// `500 5.5.2 Syntax error, command unrecognized`.
    pub const COMMAND_UNRECOGNIZED: Reply<'static> =
        Reply::known(500, Some((5, 5, 2)), "Syntax error, command unrecognized");
    /// `500 5.5.6 Line too long`.
    pub const LINE_TOO_LONG: Reply<'static> = Reply::known(500, Some((5, 5, 6)), "Line too long");
    /// `501 5.5.4 Syntax error in parameters or arguments`.
    pub const SYNTAX_ERROR_IN_ARGUMENTS: Reply<'static> = Reply::known(
        501,
        Some((5, 5, 4)),
        "Syntax error in parameters or arguments",
    );
    /// `502 5.5.1 Command not implemented`.
    pub const NOT_IMPLEMENTED: Reply<'static> =
        Reply::known(502, Some((5, 5, 1)), "Command not implemented");
    /// `503 5.5.1 Bad sequence of commands`.
    pub const BAD_SEQUENCE: Reply<'static> =
        Reply::known(503, Some((5, 5, 1)), "Bad sequence of commands");
    /// `504 5.5.4 Command parameter not implemented`.
    pub const PARAMETER_NOT_IMPLEMENTED: Reply<'static> =
        Reply::known(504, Some((5, 5, 4)), "Command parameter not implemented");
    /// `530 5.7.0 Authentication required` (RFC 4954).
    pub const AUTH_REQUIRED: Reply<'static> =
        Reply::known(530, Some((5, 7, 0)), "Authentication required");
    /// `535 5.7.8 Authentication credentials invalid` (RFC 4954).
    pub const AUTH_INVALID: Reply<'static> =
        Reply::known(535, Some((5, 7, 8)), "Authentication credentials invalid");
    /// `538 5.7.11 Encryption required` (RFC 4954: before AUTH over plaintext).
    pub const ENCRYPTION_REQUIRED: Reply<'static> =
        Reply::known(538, Some((5, 7, 11)), "Encryption required");
    /// `550 5.7.1 Relay denied`.
    pub const RELAY_DENIED: Reply<'static> = Reply::known(550, Some((5, 7, 1)), "Relay denied");
    /// `552 5.3.4 Message too big`.
    pub const MESSAGE_TOO_BIG: Reply<'static> =
        Reply::known(552, Some((5, 3, 4)), "Message too big");
    /// `553 5.6.7 Non-ASCII addresses require SMTPUTF8` (RFC 6531).
    pub const NON_ASCII_ADDRESS: Reply<'static> =
        Reply::known(553, Some((5, 6, 7)), "Non-ASCII addresses require SMTPUTF8");
    /// `554 5.5.0 Transaction failed`.
    pub const TRANSACTION_FAILED: Reply<'static> =
        Reply::known(554, Some((5, 5, 0)), "Transaction failed");
    /// `555 5.5.4 MAIL FROM/RCPT TO parameters not recognized or not implemented`.
    pub const PARAMETERS_NOT_RECOGNIZED: Reply<'static> = Reply::known(
        555,
        Some((5, 5, 4)),
        "MAIL FROM/RCPT TO parameters not recognized or not implemented",
    );
}

/// The text lines of a [`Reply`], from [`Reply::lines`].
#[derive(Debug, Clone)]
pub struct Lines<'s> {
    rest: Option<&'s str>,
    /// `Some` for the wire form, which still carries codes and line endings.
    wire_status: Option<Option<EnhancedStatus>>,
}

impl<'s> Lines<'s> {
    fn joined(text: &'s str) -> Self {
        Lines {
            rest: Some(text),
            wire_status: None,
        }
    }

    fn wire(wire: &'s str, enhanced: Option<EnhancedStatus>) -> Self {
        Lines {
            rest: if wire.is_empty() { None } else { Some(wire) },
            wire_status: Some(enhanced),
        }
    }
}

impl<'s> Iterator for Lines<'s> {
    type Item = &'s str;

    fn next(&mut self) -> Option<&'s str> {
        let rest = self.rest?;
        // memchr, not `str::split_once`: its generic char search costs more
        // than the rest of the line on short reply lines.
        let (line, tail) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(lf) => (rest.get(..lf).unwrap_or(rest), rest.get(lf + 1..)),
            None => (rest, None),
        };
        let Some(enhanced) = self.wire_status else {
            self.rest = tail;
            return Some(line);
        };
        // The wire form ends with a line ending: nothing follows the last one.
        self.rest = tail.filter(|tail| !tail.is_empty());
        let line = line.strip_suffix('\r').unwrap_or(line);
        // The parser has checked "ddd" then "-", " " or nothing.
        let text = line.get(4..).unwrap_or("");
        let Some(status) = enhanced else {
            return Some(text);
        };
        match status_code(text.as_bytes()) {
            Ok(([], found)) if found == status => Some(""),
            Ok(([b' ', after @ ..], found)) if found == status => {
                Some(text.get(text.len() - after.len()..).unwrap_or(""))
            }
            _ => Some(text),
        }
    }
}

impl PartialEq for Reply<'_> {
    fn eq(&self, other: &Reply<'_>) -> bool {
        self.code == other.code && self.enhanced == other.enhanced && self.lines().eq(other.lines())
    }
}

impl Eq for Reply<'_> {}

impl Hash for Reply<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.code.hash(state);
        self.enhanced.hash(state);
        for line in self.lines() {
            line.hash(state);
        }
    }
}

impl fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct LinesDebug<'r>(&'r Reply<'r>);
        impl fmt::Debug for LinesDebug<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.lines()).finish()
            }
        }
        f.debug_struct("Reply")
            .field("code", &self.code)
            .field("enhanced", &self.enhanced)
            .field("lines", &LinesDebug(self))
            .finish()
    }
}

/// The wire form without line endings, lines separated by `\n`.
impl fmt::Display for Reply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut result = Ok(());
        self.write_lines(b"\n", false, |bytes| {
            if result.is_ok() {
                // Every piece is a whole `&str` or ASCII.
                result = f.write_str(std::str::from_utf8(bytes).unwrap_or("\u{fffd}"));
            }
        });
        result
    }
}

impl Encode for Reply<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match &self.body {
            // The usual reply, one line: one reservation, no line iterator.
            Body::Joined(text) if !text.as_bytes().contains(&b'\n') => {
                self.encode_single_line(text.as_bytes(), out);
            }
            _ => self.write_lines(b"\r\n", true, |bytes| out.extend_from_slice(bytes)),
        }
    }
}

impl Reply<'_> {
    /// `write_lines` for a reply of one line `text`, as one piece of output.
    fn encode_single_line(&self, text: &[u8], out: &mut Vec<u8>) {
        let mut status_buf = [0u8; 16];
        let status = match self.enhanced {
            Some(enhanced) => enhanced.write_to(&mut status_buf),
            None => &[][..],
        };
        out.reserve(3 + 1 + status.len() + 1 + text.len() + 2);
        out.extend_from_slice(&self.code.as_digits());
        // RFC 4954: `continue-req = "334" SP [base64] CRLF` keeps the space
        // even when the challenge is empty.
        if !text.is_empty() || self.enhanced.is_some() || self.code.get() == 334 {
            out.push(b' ');
        }
        if !status.is_empty() {
            out.extend_from_slice(status);
            if !text.is_empty() {
                out.push(b' ');
            }
        }
        out.extend_from_slice(text);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(n: u16) -> ReplyCode {
        ReplyCode::new(n).unwrap()
    }

    fn status(c: u8, s: u16, d: u16) -> Option<EnhancedStatus> {
        Some(EnhancedStatus::new(c, s, d).unwrap())
    }

    #[test]
    fn empty_auth_challenge_keeps_its_space() {
        let challenge = Reply::new_single(code(334), None, "").unwrap();
        assert_eq!(challenge.to_bytes(), b"334 \r\n");
        assert_eq!(Reply::parse(b"334 \r\n").unwrap().0, challenge);
        const CUSTOM: Reply<'static> = Reply::from_static(250, Some((2, 1, 5)), "Recipient OK");
        assert_eq!(CUSTOM.to_bytes(), b"250 2.1.5 Recipient OK\r\n");
    }

    #[test]
    fn single_line_shortcut_writes_what_the_line_writer_writes() {
        let cases = [
            Reply::new_single(code(250), None, "").unwrap(),
            Reply::new_single(code(334), None, "").unwrap(),
            Reply::new_single(code(250), status(2, 1, 5), "").unwrap(),
            Reply::new_single(code(550), status(5, 7, 1), "relay denied").unwrap(),
            Reply::new_single(code(220), None, "mx.example ESMTP").unwrap(),
            Reply::OK,
        ];
        for reply in cases {
            let mut by_lines = Vec::new();
            reply.write_lines(b"\r\n", true, |bytes| by_lines.extend_from_slice(bytes));
            assert_eq!(reply.to_bytes(), by_lines, "{reply:?}");
        }
    }

    #[test]
    fn well_known_replies_encode() {
        assert_eq!(Reply::OK.to_bytes(), b"250 2.0.0 OK\r\n");
        assert_eq!(
            Reply::ENCRYPTION_REQUIRED.to_bytes(),
            b"538 5.7.11 Encryption required\r\n"
        );
        assert_eq!(
            Reply::START_MAIL_INPUT.to_bytes(),
            b"354 Start mail input; end with <CRLF>.<CRLF>\r\n"
        );
        let all = [
            Reply::SERVICE_READY,
            Reply::CLOSING,
            Reply::AUTH_SUCCEEDED,
            Reply::OK,
            Reply::START_MAIL_INPUT,
            Reply::SERVICE_NOT_AVAILABLE,
            Reply::LOCAL_ERROR,
            Reply::TOO_MANY_RECIPIENTS,
            Reply::TLS_NOT_AVAILABLE,
            Reply::COMMAND_UNRECOGNIZED,
            Reply::LINE_TOO_LONG,
            Reply::SYNTAX_ERROR_IN_ARGUMENTS,
            Reply::NOT_IMPLEMENTED,
            Reply::BAD_SEQUENCE,
            Reply::PARAMETER_NOT_IMPLEMENTED,
            Reply::AUTH_REQUIRED,
            Reply::AUTH_INVALID,
            Reply::ENCRYPTION_REQUIRED,
            Reply::RELAY_DENIED,
            Reply::MESSAGE_TOO_BIG,
            Reply::NON_ASCII_ADDRESS,
            Reply::TRANSACTION_FAILED,
            Reply::PARAMETERS_NOT_RECOGNIZED,
        ];
        for reply in all {
            let wire = reply.to_bytes();
            assert_eq!(Reply::parse(&wire), Ok((reply, wire.len())));
        }
    }

    #[test]
    fn multi_line_encoding_repeats_code_and_status() {
        let reply = Reply::new(code(550), status(5, 1, 1), ["No such user", "", "bye"]).unwrap();
        assert_eq!(
            reply.to_bytes(),
            b"550-5.1.1 No such user\r\n550-5.1.1\r\n550 5.1.1 bye\r\n"
        );
        assert_eq!(
            reply.to_string(),
            "550-5.1.1 No such user\n550-5.1.1\n550 5.1.1 bye"
        );
        assert_eq!(reply.text(), "No such user\n\nbye");
        assert!(reply.is_multiline() && reply.is_permanent());
    }

    #[test]
    fn bare_code_encodes_without_space() {
        let reply = Reply::new_single(code(354), None, "").unwrap();
        assert_eq!(reply.to_bytes(), b"354\r\n");
        let reply = Reply::new(code(250), None, ["", ""]).unwrap();
        assert_eq!(reply.to_bytes(), b"250-\r\n250\r\n");
        assert_eq!(reply.lines().collect::<Vec<_>>(), ["", ""]);
    }

    #[test]
    fn construction_refuses_injection_and_ambiguity() {
        let bad = ParseError::InvalidReply("control character in reply text");
        assert_eq!(Reply::new_single(code(250), None, "a\r\n250 b"), Err(bad));
        assert_eq!(Reply::new(code(250), None, ["a", "b\n"]), Err(bad));
        assert_eq!(Reply::new_single(code(250), None, "nul\0"), Err(bad));
        assert!(Reply::new_single(code(250), None, "tab\there é").is_ok());
        assert!(Reply::new_single(code(250), None, "2.0.0 OK").is_err());
        assert!(Reply::new_single(code(250), None, "2.0.0").is_err());
        // Not an enhanced code for a 3yz reply or with another class.
        assert!(Reply::new_single(code(354), None, "2.0.0 go").is_ok());
        assert!(Reply::new_single(code(250), None, "5.0.0 odd").is_ok());
        assert!(Reply::new_single(code(250), status(5, 0, 0), "x").is_err());
        assert!(Reply::new(code(250), None, Vec::<&str>::new()).is_err());
        assert!(Reply::new(code(250), None, vec!["x"; 1001]).is_err());
        assert!(Reply::new(code(250), None, vec!["x"; 1000]).is_ok());
        let long = "x".repeat(8192 - 6);
        assert!(Reply::new_single(code(250), None, &long).is_ok());
        assert!(Reply::new_single(code(250), None, &long[1..]).is_ok());
        let longer = "x".repeat(8192 - 5);
        assert!(Reply::new_single(code(250), None, &longer).is_err());
    }

    #[test]
    fn from_parse_error() {
        let reply = Reply::from_parse_error(&ParseError::LineTooLong { skip: 9 }).unwrap();
        assert_eq!(reply, Reply::LINE_TOO_LONG.clone());
        let reply = Reply::from_parse_error(&ParseError::UnknownParameter).unwrap();
        assert_eq!(
            reply.to_bytes(),
            b"555 5.5.4 Parameter not recognized or not implemented\r\n"
        );
        assert_eq!(Reply::from_parse_error(&ParseError::Incomplete), None);
        assert_eq!(
            Reply::from_parse_error(&ParseError::InvalidReply("x")),
            None
        );
    }

    #[test]
    fn into_owned_keeps_meaning() {
        let wire = b"250-a\r\n250 2.0.0 b\r\n".to_vec();
        let (reply, _) = Reply::parse(&wire).unwrap();
        let owned: Reply<'static> = reply.clone().into_owned();
        drop(wire);
        assert_eq!(owned.lines().collect::<Vec<_>>(), ["a", "2.0.0 b"]);
        assert_eq!(
            format!("{owned:?}"),
            "Reply { code: ReplyCode(250), enhanced: None, lines: [\"a\", \"2.0.0 b\"] }"
        );
    }

    proptest::proptest! {
        /// The one-pattern shortcut of `enhanced_prefix` answers exactly as
        /// the grammar does, on texts made of the octets that matter.
        #[test]
        fn enhanced_prefix_shortcut_agrees_with_the_grammar(
            text in "([0-9]\\.[0-9]{0,4}\\.[0-9]{0,4})?[ x0-9.]{0,3}",
            code in proptest::sample::select(vec![250u16, 354, 421, 452, 550, 554]),
        ) {
            let code = ReplyCode::new(code).unwrap();
            proptest::prop_assert_eq!(
                enhanced_prefix(code, text.as_bytes()),
                enhanced_prefix_by_grammar(code, text.as_bytes())
            );
        }
    }
}
