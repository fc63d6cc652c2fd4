//! What the bulk sender needs from an SMTP connection, as traits, so the pool,
//! the retries and the provider rules work (and are tested) independently of
//! the socket: [`Connector`] opens connections, [`Connection`] sends messages.

use std::fmt;
use std::future::Future;

use std::sync::Arc;

use smtp_proto::Reply;

/// The raw message (headers and body), shared by every attempt without copying.
pub type Message = Arc<[u8]>;

/// Opens connections to one relay for one account.
pub trait Connector: Send + Sync + 'static {
    /// The envelope type the connections send with.
    type Envelope: Clone + Send + Sync + 'static;
    /// An open, authenticated connection.
    type Connection: Connection<Self::Envelope>;

    /// The account the provider counts sends against (the credentials' user,
    /// or the host when there are none): rate limits apply per account.
    fn account(&self) -> String;

    /// The recipients of `envelope`, in order.
    fn recipients(envelope: &Self::Envelope) -> Vec<String>;

    /// A copy of `envelope` with only the recipients in `keep` (used to retry
    /// only the recipients that failed transiently, never the accepted ones).
    fn narrow(envelope: &Self::Envelope, keep: &[String]) -> Self::Envelope;

    /// Connects, greets, negotiates TLS and authenticates.
    fn connect(&self) -> impl Future<Output = Result<Self::Connection, Failure>> + Send;
}

/// One open connection that can send several messages in turn.
pub trait Connection<E>: Send + 'static {
    /// Sends one message; `Ok` as soon as the transaction completed, even when
    /// some (or all) recipients were refused.
    fn send(
        &mut self,
        envelope: &E,
        message: &Message,
    ) -> impl Future<Output = Result<Delivery, Failure>> + Send;

    /// Whether another message may be sent on this connection (false after
    /// the server closed it or a protocol error).
    fn is_reusable(&self) -> bool;

    /// Ends the session politely (QUIT); errors are irrelevant by then.
    fn close(self) -> impl Future<Output = ()> + Send;
}

/// The outcome of a completed transaction, per recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Each recipient with the server's reply to it: `Ok` accepted, `Err` refused.
    pub recipients: Vec<(String, Result<Reply<'static>, Reply<'static>>)>,
    /// The reply to the end of data (queue id text); `None` when no recipient
    /// was accepted and the message was therefore not transmitted.
    pub reply: Option<Reply<'static>>,
}

/// A connection or transaction that failed as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Whether trying again may help.
    pub kind: FailureKind,
    /// The server's whole reply, when a reply caused the failure.
    pub reply: Option<Reply<'static>>,
    /// A human-readable description (the error's `Display`).
    pub detail: String,
}

/// The kinds of failure that decide what the sender does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// May succeed later: a 4xx reply, a timeout.
    Transient,
    /// Fails the same way every time: a 5xx reply, invalid input, a missing extension.
    Permanent,
    /// The server closed the connection (EOF, 421): reconnect and try again.
    ConnectionLost,
    /// The caller's settings are wrong (an unreadable CA file, an invalid EHLO
    /// name): nothing can work until they are fixed.
    Configuration,
}

impl Failure {
    /// A failure caused by `reply`, transient or permanent by its code
    /// (`421` counts as a lost connection: the server closes after it).
    pub fn from_reply(reply: Reply<'static>) -> Self {
        let kind = if reply.code().get() == 421 {
            FailureKind::ConnectionLost
        } else if reply.is_permanent() {
            FailureKind::Permanent
        } else {
            FailureKind::Transient
        };
        Failure {
            kind,
            detail: reply.to_string(),
            reply: Some(reply),
        }
    }

    /// A failure without a server reply.
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> Self {
        Failure {
            kind,
            reply: None,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}
