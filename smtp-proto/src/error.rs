//! The one error type of the parsers and validating constructors.
//!
//! Every variant knows the reply a server should send for it, so a server
//! never has to guess a code: `err.reply_code()`, `err.enhanced_status()`,
//! `err.reply_text()`.

use crate::types::status::{EnhancedStatus, ReplyCode};

/// Why some input could not be parsed (or a value could not be built).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input ends before the item does: read more bytes and try again.
    /// Never a reason to answer the peer.
    #[error("incomplete input: more bytes are needed")]
    Incomplete,
    /// The line is longer than the limit; `skip` bytes (through the end of the
    /// line, when it is known) can be discarded to resynchronise.
    #[error("line too long")]
    LineTooLong {
        /// Bytes to discard from the start of the buffer.
        skip: usize,
    },
    /// The verb is not an SMTP command this crate knows (`500 5.5.2`).
    #[error("command unrecognized")]
    UnknownCommand,
    /// A known command with arguments that do not match its grammar (`501 5.5.4`).
    #[error("syntax error in arguments: {0}")]
    InvalidArguments(&'static str),
    /// A mailbox, path, domain or address literal that does not match its grammar (`501 5.1.3`).
    #[error("bad address syntax: {0}")]
    InvalidAddress(&'static str),
    /// A path, local part or domain over the RFC 5321 §4.5.3.1 size limits (`501 5.5.4`).
    #[error("{0} too long")]
    TooLong(&'static str),
    /// A MAIL/RCPT parameter keyword that is not known (`555 5.5.4`).
    #[error("parameter not recognized or not implemented")]
    UnknownParameter,
    /// A known MAIL/RCPT parameter with an invalid value (`501 5.5.4`).
    #[error("invalid value for parameter {0}")]
    InvalidParameter(&'static str),
    /// The same MAIL/RCPT parameter given twice (`501 5.5.4`).
    #[error("parameter {0} given more than once")]
    DuplicateParameter(&'static str),
    /// Non-ASCII where the SMTPUTF8 grammar is not allowed (`553 5.6.7`, RFC 6531).
    #[error("non-ASCII octets without SMTPUTF8")]
    NonAscii,
    /// A reply line that does not match RFC 5321 §4.2.
    #[error("malformed reply: {0}")]
    InvalidReply(&'static str),
    /// Base64 that RFC 4954 does not allow (`501 5.5.2`).
    #[error("invalid base64")]
    InvalidBase64,
}

impl ParseError {
    /// The reply code a server answers this error with, or `None` for [`ParseError::Incomplete`]
    /// and errors in replies (which a client does not answer).
    pub fn reply_code(&self) -> Option<ReplyCode> {
        let code = match self {
            ParseError::Incomplete | ParseError::InvalidReply(_) => return None,
            ParseError::LineTooLong { .. } | ParseError::UnknownCommand => 500,
            ParseError::InvalidArguments(_)
            | ParseError::InvalidAddress(_)
            | ParseError::TooLong(_)
            | ParseError::InvalidParameter(_)
            | ParseError::DuplicateParameter(_)
            | ParseError::InvalidBase64 => 501,
            ParseError::UnknownParameter => 555,
            ParseError::NonAscii => 553,
        };
        Some(ReplyCode::new_unchecked(code))
    }

    /// The RFC 3463 enhanced status code that goes with [`ParseError::reply_code`].
    pub fn enhanced_status(&self) -> Option<EnhancedStatus> {
        let (class, subject, detail) = match self {
            ParseError::Incomplete | ParseError::InvalidReply(_) => return None,
            ParseError::LineTooLong { .. } => (5, 5, 6),
            ParseError::UnknownCommand | ParseError::InvalidBase64 => (5, 5, 2),
            ParseError::InvalidAddress(_) => (5, 1, 3),
            ParseError::NonAscii => (5, 6, 7),
            ParseError::InvalidArguments(_)
            | ParseError::TooLong(_)
            | ParseError::UnknownParameter
            | ParseError::InvalidParameter(_)
            | ParseError::DuplicateParameter(_) => (5, 5, 4),
        };
        Some(EnhancedStatus::new_unchecked(class, subject, detail))
    }

    /// Human-readable reply text for this error (ASCII, no CR/LF).
    pub fn reply_text(&self) -> &'static str {
        match self {
            ParseError::Incomplete => "Incomplete input",
            ParseError::LineTooLong { .. } => "Line too long",
            ParseError::UnknownCommand => "Command unrecognized",
            ParseError::InvalidArguments(_) => "Syntax error in parameters or arguments",
            ParseError::InvalidAddress(_) => "Bad address syntax",
            ParseError::TooLong(_) => "Argument too long",
            ParseError::UnknownParameter => "Parameter not recognized or not implemented",
            ParseError::InvalidParameter(_) => "Invalid parameter value",
            ParseError::DuplicateParameter(_) => "Parameter given more than once",
            ParseError::NonAscii => "Non-ASCII address requires SMTPUTF8",
            ParseError::InvalidReply(_) => "Malformed reply",
            ParseError::InvalidBase64 => "Invalid base64 data",
        }
    }
}
