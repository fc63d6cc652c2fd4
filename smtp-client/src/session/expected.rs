//! The replies the session waits for, in the order the commands were sent,
//! and the RFC 5321 §4.5.3.2 timeout each wait falls under.

use crate::timeouts::Phase;

/// A reply the session waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    /// The `220` greeting.
    Greeting,
    /// The reply to EHLO.
    Ehlo,
    /// The reply to HELO (after EHLO was not recognised).
    Helo,
    /// The reply to STARTTLS.
    StartTls,
    /// A reply during AUTH (`334` challenge, `235`, or an error).
    Auth,
    /// The reply to MAIL.
    Mail,
    /// The reply to the RCPT of this envelope index.
    Rcpt(usize),
    /// The reply to DATA (`354`).
    Data,
    /// The reply to the end of data.
    DataEnd,
    /// The reply to a BDAT chunk.
    Bdat {
        /// The `LAST` chunk.
        last: bool,
    },
    /// The reply to RSET.
    Rset,
    /// The reply to NOOP.
    Noop,
    /// The reply to QUIT.
    Quit,
}

impl Expected {
    /// The timeout phase of this wait.
    pub(crate) fn phase(self) -> Phase {
        match self {
            Expected::Greeting => Phase::Greeting,
            Expected::Mail => Phase::Mail,
            Expected::Rcpt(_) => Phase::Rcpt,
            Expected::Data => Phase::DataInitiation,
            Expected::DataEnd | Expected::Bdat { last: true } => Phase::DataTermination,
            Expected::Bdat { last: false } => Phase::DataBlock,
            Expected::Ehlo
            | Expected::Helo
            | Expected::StartTls
            | Expected::Auth
            | Expected::Rset
            | Expected::Noop
            | Expected::Quit => Phase::Command,
        }
    }

    /// True for the replies of a mail transaction.
    pub(crate) fn is_transaction(self) -> bool {
        matches!(
            self,
            Expected::Mail
                | Expected::Rcpt(_)
                | Expected::Data
                | Expected::DataEnd
                | Expected::Bdat { .. }
        )
    }
}
