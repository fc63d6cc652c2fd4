//! What the session tells its driver, in past tense.

use smtp_proto::Reply;

use crate::error::Error;
use crate::report::SendReport;

/// An event of a [`ClientSession`](super::ClientSession), taken with
/// [`poll_event`](super::ClientSession::poll_event).
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// The server's `220` greeting arrived; EHLO has been queued.
    GreetingReceived(Reply<'static>),
    /// The answer to EHLO (or HELO) arrived; see
    /// [`capabilities`](super::ClientSession::capabilities). The session is ready.
    CapabilitiesReceived,
    /// The server said `220` to STARTTLS: the driver must now run the TLS
    /// handshake and call [`tls_established`](super::ClientSession::tls_established).
    TlsUpgradeRequested,
    /// AUTH succeeded.
    Authenticated,
    /// A recipient was accepted.
    RecipientAccepted {
        /// Its index in the envelope.
        index: usize,
        /// The server's reply.
        reply: Reply<'static>,
    },
    /// A recipient was refused; the transaction goes on if another is accepted.
    RecipientRefused {
        /// Its index in the envelope.
        index: usize,
        /// The server's whole refusal.
        reply: Reply<'static>,
    },
    /// The session wants the message body: call
    /// [`send_body`](super::ClientSession::send_body) while
    /// [`wants_body`](super::ClientSession::wants_body) is true, then
    /// [`finish_body`](super::ClientSession::finish_body).
    BodyRequested,
    /// The server accepted the message.
    MessageAccepted(SendReport),
    /// The transaction failed; the session has reset it (RSET) when needed
    /// and is ready for the next one.
    TransactionFailed(Error),
    /// A positive reply to NOOP, RSET or QUIT.
    ReplyReceived {
        /// The command answered.
        command: &'static str,
        /// The reply.
        reply: Reply<'static>,
    },
    /// A user command (STARTTLS, AUTH, NOOP, RSET) was refused; the
    /// connection remains usable.
    CommandFailed(Error),
}
