//! Reply codes (RFC 5321 §4.2) and enhanced status codes (RFC 3463, RFC 2034).

use std::fmt;

use crate::error::ParseError;

/// A three-digit reply code, `%x32-35 %x30-35 %x30-39` (RFC 5321 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

/// What the first digit of a reply code says about the outcome (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// `2yz`: the command was accepted.
    PositiveCompletion,
    /// `3yz`: send more (DATA, AUTH continuation).
    PositiveIntermediate,
    /// `4yz`: failed this time; trying again later may succeed.
    TransientNegative,
    /// `5yz`: failed; do not repeat the same request.
    PermanentNegative,
}

impl ReplyCode {
    /// Builds a code, checking the RFC 5321 §4.2 grammar (200..=559, second digit 0..=5).
    pub const fn new(code: u16) -> Result<Self, ParseError> {
        if code >= 200 && code <= 559 && (code / 10) % 10 <= 5 {
            Ok(ReplyCode(code))
        } else {
            Err(ParseError::InvalidReply("reply code out of range"))
        }
    }

    /// For constants and parsers that have checked the grammar already.
    pub(crate) const fn new_unchecked(code: u16) -> Self {
        ReplyCode(code)
    }

    /// The numeric value.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The class given by the first digit.
    pub const fn severity(self) -> Severity {
        match self.0 / 100 {
            2 => Severity::PositiveCompletion,
            3 => Severity::PositiveIntermediate,
            4 => Severity::TransientNegative,
            _ => Severity::PermanentNegative,
        }
    }

    /// `2yz`.
    pub const fn is_positive(self) -> bool {
        self.0 / 100 == 2
    }

    /// `3yz`.
    pub const fn is_intermediate(self) -> bool {
        self.0 / 100 == 3
    }

    /// `4yz`.
    pub const fn is_transient(self) -> bool {
        self.0 / 100 == 4
    }

    /// `5yz`.
    pub const fn is_permanent(self) -> bool {
        self.0 / 100 == 5
    }

    /// The three ASCII digits.
    pub const fn as_digits(self) -> [u8; 3] {
        [
            b'0' + (self.0 / 100) as u8,
            b'0' + ((self.0 / 10) % 10) as u8,
            b'0' + (self.0 % 10) as u8,
        ]
    }

    /// 220 Service ready.
    pub const SERVICE_READY: ReplyCode = ReplyCode(220);
    /// 221 Service closing transmission channel.
    pub const CLOSING: ReplyCode = ReplyCode(221);
    /// 235 Authentication succeeded (RFC 4954).
    pub const AUTH_SUCCEEDED: ReplyCode = ReplyCode(235);
    /// 250 Requested mail action okay, completed.
    pub const OK: ReplyCode = ReplyCode(250);
    /// 251 User not local; will forward.
    pub const USER_NOT_LOCAL_WILL_FORWARD: ReplyCode = ReplyCode(251);
    /// 252 Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VRFY: ReplyCode = ReplyCode(252);
    /// 334 Server challenge (RFC 4954).
    pub const AUTH_CONTINUE: ReplyCode = ReplyCode(334);
    /// 354 Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: ReplyCode = ReplyCode(354);
    /// 421 Service not available, closing transmission channel.
    pub const SERVICE_NOT_AVAILABLE: ReplyCode = ReplyCode(421);
    /// 450 Mailbox unavailable (busy).
    pub const MAILBOX_BUSY: ReplyCode = ReplyCode(450);
    /// 451 Local error in processing.
    pub const LOCAL_ERROR: ReplyCode = ReplyCode(451);
    /// 452 Insufficient system storage (also too many recipients).
    pub const INSUFFICIENT_STORAGE: ReplyCode = ReplyCode(452);
    /// 454 Temporary authentication failure / TLS not available.
    pub const TEMPORARY_AUTH_FAILURE: ReplyCode = ReplyCode(454);
    /// 455 Server unable to accommodate parameters.
    pub const UNABLE_TO_ACCOMMODATE_PARAMETERS: ReplyCode = ReplyCode(455);
    /// 500 Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: ReplyCode = ReplyCode(500);
    /// 501 Syntax error in parameters or arguments.
    pub const SYNTAX_ERROR_IN_ARGUMENTS: ReplyCode = ReplyCode(501);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: ReplyCode = ReplyCode(502);
    /// 503 Bad sequence of commands.
    pub const BAD_SEQUENCE: ReplyCode = ReplyCode(503);
    /// 504 Command parameter not implemented.
    pub const PARAMETER_NOT_IMPLEMENTED: ReplyCode = ReplyCode(504);
    /// 530 Authentication required (RFC 4954).
    pub const AUTH_REQUIRED: ReplyCode = ReplyCode(530);
    /// 535 Authentication credentials invalid (RFC 4954).
    pub const AUTH_INVALID: ReplyCode = ReplyCode(535);
    /// 538 Encryption required for requested authentication mechanism (RFC 4954).
    pub const ENCRYPTION_REQUIRED: ReplyCode = ReplyCode(538);
    /// 550 Mailbox unavailable / action not taken.
    pub const MAILBOX_UNAVAILABLE: ReplyCode = ReplyCode(550);
    /// 551 User not local.
    pub const USER_NOT_LOCAL: ReplyCode = ReplyCode(551);
    /// 552 Exceeded storage allocation.
    pub const EXCEEDED_STORAGE: ReplyCode = ReplyCode(552);
    /// 553 Mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: ReplyCode = ReplyCode(553);
    /// 554 Transaction failed.
    pub const TRANSACTION_FAILED: ReplyCode = ReplyCode(554);
    /// 555 MAIL FROM/RCPT TO parameters not recognized or not implemented.
    pub const PARAMETERS_NOT_RECOGNIZED: ReplyCode = ReplyCode(555);
}

impl TryFrom<u16> for ReplyCode {
    type Error = ParseError;

    fn try_from(code: u16) -> Result<Self, ParseError> {
        ReplyCode::new(code)
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced status code `class "." subject "." detail` (RFC 3463 §2, RFC 2034).
///
/// `class = "2" / "4" / "5"`, `subject = 1*3digit`, `detail = 1*3digit`
/// (each 0..=999, without leading zeros beyond the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedStatus {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedStatus {
    /// Builds a status code, checking class is 2, 4 or 5 and subject/detail are 0..=999.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Result<Self, ParseError> {
        if (class == 2 || class == 4 || class == 5) && subject <= 999 && detail <= 999 {
            Ok(EnhancedStatus {
                class,
                subject,
                detail,
            })
        } else {
            Err(ParseError::InvalidReply(
                "enhanced status code out of range",
            ))
        }
    }

    /// For constants and parsers that have checked the grammar already.
    pub(crate) const fn new_unchecked(class: u8, subject: u16, detail: u16) -> Self {
        EnhancedStatus {
            class,
            subject,
            detail,
        }
    }

    /// The class: 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub const fn class(self) -> u8 {
        self.class
    }

    /// The subject (RFC 3463 §3: 0 other, 1 addressing, 2 mailbox, 3 mail system,
    /// 4 network/routing, 5 protocol, 6 content, 7 security/policy).
    pub const fn subject(self) -> u16 {
        self.subject
    }

    /// The detail within the subject.
    pub const fn detail(self) -> u16 {
        self.detail
    }

    /// Writes `class.subject.detail` into `buf` (at most 9 octets) and returns that part.
    pub fn write_to(self, buf: &mut [u8; 16]) -> &[u8] {
        let mut len = 0;
        let mut put = |b: u8| {
            buf[len] = b;
            len += 1;
        };
        put(b'0' + self.class);
        for n in [self.subject, self.detail] {
            put(b'.');
            if n >= 100 {
                put(b'0' + (n / 100) as u8);
            }
            if n >= 10 {
                put(b'0' + ((n / 10) % 10) as u8);
            }
            put(b'0' + (n % 10) as u8);
        }
        &buf[..len]
    }

    /// Appends `class.subject.detail` to `out`.
    pub fn encode(self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.write_to(&mut [0; 16]));
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// Appends the decimal form of `n` without allocating.
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_code_grammar() {
        assert!(ReplyCode::new(250).is_ok());
        assert!(ReplyCode::new(559).is_ok());
        assert!(ReplyCode::new(199).is_err());
        assert!(ReplyCode::new(560).is_err());
        assert!(ReplyCode::new(260).is_err());
        assert_eq!(ReplyCode::OK.as_digits(), *b"250");
        assert_eq!(
            ReplyCode::SERVICE_NOT_AVAILABLE.severity(),
            Severity::TransientNegative
        );
    }

    #[test]
    fn enhanced_status_encodes() {
        let mut out = Vec::new();
        EnhancedStatus::new(5, 7, 11).unwrap().encode(&mut out);
        assert_eq!(out, b"5.7.11");
        assert!(EnhancedStatus::new(3, 0, 0).is_err());
        for (c, s, d, text) in [
            (2, 0, 0, "2.0.0"),
            (4, 999, 10, "4.999.10"),
            (5, 10, 999, "5.10.999"),
        ] {
            assert_eq!(
                EnhancedStatus::new(c, s, d).unwrap().write_to(&mut [0; 16]),
                text.as_bytes()
            );
        }
        assert!(EnhancedStatus::new(2, 1000, 0).is_err());
        assert_eq!(EnhancedStatus::new(4, 5, 3).unwrap().to_string(), "4.5.3");
    }

    #[test]
    fn decimal() {
        let mut out = Vec::new();
        push_decimal(&mut out, 0);
        push_decimal(&mut out, 18446744073709551615);
        assert_eq!(out, b"018446744073709551615");
    }
}
