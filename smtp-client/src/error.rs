//! The one error type of the client: what went wrong, with the server's whole
//! reply when there was one, and whether trying again later can help.

use std::fmt;

use smtp_proto::Reply;

use crate::report::RecipientReport;
use crate::timeouts::Phase;

/// Everything that can go wrong while talking to a server.
///
/// [`Error::is_transient`] says whether the same message may succeed later
/// (a 4xx reply, a dropped connection, a timeout); [`Error::is_permanent`]
/// whether it never will as it is (a 5xx reply, a refused configuration).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing the socket failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The server did not answer (or accept data) within the phase's timeout.
    #[error("timed out waiting for the server ({phase})")]
    Timeout {
        /// What the client was waiting for.
        phase: Phase,
    },
    /// The TLS handshake or the TLS configuration failed.
    #[error("TLS error: {0}")]
    Tls(String),
    /// The server answered a command with a negative reply.
    #[error("server refused {command}: {reply}")]
    Reply {
        /// The command that was refused (`MAIL`, `DATA`, `AUTH`, ...).
        command: &'static str,
        /// The server's whole reply.
        reply: Reply<'static>,
    },
    /// Every recipient of the message was refused; nothing was sent.
    #[error("all {} recipients refused", recipients.len())]
    AllRecipientsRefused {
        /// Each recipient with the server's refusal.
        recipients: Vec<RecipientReport>,
    },
    /// The server broke the protocol (a malformed reply, bytes after `220` to
    /// STARTTLS, an unexpected reply code).
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// The server lacks an extension this send needs (STARTTLS, SMTPUTF8, an
    /// AUTH mechanism, ...).
    #[error("server does not support {0}")]
    Unsupported(String),
    /// The message is larger than the server's declared SIZE limit; nothing was sent.
    #[error("message of {size} octets exceeds the server's limit of {limit}")]
    MessageTooLarge {
        /// The message size.
        size: u64,
        /// The limit from the server's `SIZE` keyword.
        limit: u64,
    },
    /// An address, parameter or setting given by the caller is invalid;
    /// nothing was written.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The server closed the connection (end of stream, or a `421` reply,
    /// which is kept here).
    #[error("connection closed by the server{}", ClosedReason(.reply))]
    ConnectionClosed {
        /// The `421` reply, when the server sent one.
        reply: Option<Reply<'static>>,
    },
}

/// Formats the optional reply of [`Error::ConnectionClosed`].
struct ClosedReason<'r>(&'r Option<Reply<'static>>);

impl fmt::Display for ClosedReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(reply) => write!(f, ": {reply}"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// True when the same attempt may succeed later: a 4xx reply, all
    /// recipients refused with 4xx, a dropped or timed-out connection, I/O.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Io(_) | Error::Timeout { .. } | Error::ConnectionClosed { .. } => true,
            Error::Reply { reply, .. } => reply.is_transient(),
            Error::AllRecipientsRefused { recipients } => recipients.iter().all(|r| {
                r.outcome
                    .as_ref()
                    .err()
                    .is_some_and(|reply| reply.is_transient())
            }),
            _ => false,
        }
    }

    /// True when retrying the same message cannot help: a 5xx reply, a
    /// refused message or configuration, a protocol violation.
    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The server's whole reply behind this error, when there is one (for
    /// [`Error::AllRecipientsRefused`], the first refusal).
    pub fn reply(&self) -> Option<&Reply<'static>> {
        match self {
            Error::Reply { reply, .. } => Some(reply),
            Error::ConnectionClosed { reply } => reply.as_ref(),
            Error::AllRecipientsRefused { recipients } => {
                recipients.iter().find_map(|r| r.outcome.as_ref().err())
            }
            _ => None,
        }
    }

    /// A `Reply` error for `command`, or [`Error::ConnectionClosed`] for a
    /// `421`, which always means the server is closing the connection.
    pub(crate) fn from_reply(command: &'static str, reply: Reply<'static>) -> Error {
        if reply.code().get() == 421 {
            Error::ConnectionClosed { reply: Some(reply) }
        } else {
            Error::Reply { command, reply }
        }
    }
}

impl From<smtp_proto::ParseError> for Error {
    fn from(error: smtp_proto::ParseError) -> Self {
        Error::InvalidInput(error.to_string())
    }
}
