//! What happened to one message: each recipient's reply and the final reply.

use smtp_proto::Reply;

/// The outcome of one recipient: `Ok` with the server's acceptance, `Err`
/// with its whole refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientReport {
    /// The recipient address as given in the envelope.
    pub recipient: String,
    /// The RCPT reply: accepted (`Ok`) or refused (`Err`).
    pub outcome: Result<Reply<'static>, Reply<'static>>,
}

impl RecipientReport {
    /// True when the server accepted this recipient.
    pub fn is_accepted(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// The result of a message the server accepted for at least one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// Every recipient, in envelope order.
    pub recipients: Vec<RecipientReport>,
    /// The final reply to the message data (usually carries the queue id).
    pub reply: Reply<'static>,
    /// The final replies of further transactions of the same message, in
    /// order: a server that limits the recipients of a transaction answers
    /// the excess ones `452` (RFC 5321 §4.5.3.1.10) or announces the limit
    /// (`LIMITS RCPTMAX`, RFC 9422), and [`crate::Client::send`] sends the
    /// message again to the rest. Empty in the usual case.
    pub further_replies: Vec<Reply<'static>>,
}

impl SendReport {
    /// True when no recipient was refused.
    pub fn all_accepted(&self) -> bool {
        self.recipients.iter().all(RecipientReport::is_accepted)
    }

    /// The recipients the server refused.
    pub fn refused(&self) -> impl Iterator<Item = &RecipientReport> {
        self.recipients.iter().filter(|r| !r.is_accepted())
    }
}
