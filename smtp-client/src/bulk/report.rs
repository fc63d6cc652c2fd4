//! The outcome of a bulk run, per message and per recipient, serialisable to JSON.

use serde::Serialize;
use smtp_proto::Reply;

use super::signals::StopReason;

/// A server reply in a form that serialises well: code, enhanced status, text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplySummary {
    /// The three-digit reply code.
    pub code: u16,
    /// The RFC 3463 enhanced status code (`5.4.5`), when the server sent one.
    pub enhanced: Option<String>,
    /// The text of all lines, joined by `\n`.
    pub text: String,
}

impl From<&Reply<'_>> for ReplySummary {
    fn from(reply: &Reply<'_>) -> Self {
        ReplySummary {
            code: reply.code().get(),
            enhanced: reply.enhanced_status().map(|s| s.to_string()),
            text: reply.text().into_owned(),
        }
    }
}

impl std::fmt::Display for ReplySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(enhanced) = &self.enhanced {
            write!(f, " {enhanced}")?;
        }
        // One line for summaries: later lines of a multi-line reply are joined.
        for (i, line) in self.text.lines().enumerate() {
            f.write_str(if i == 0 { " " } else { " / " })?;
            f.write_str(line)?;
        }
        Ok(())
    }
}

/// What finally happened to one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientStatus {
    /// The server accepted the message for this recipient.
    Accepted,
    /// The server refused it permanently (5xx); not retried.
    Refused,
    /// Every attempt failed transiently (4xx, dropped connection, timeout).
    Failed,
    /// Never tried (or not retried) because the run was stopped.
    NotAttempted,
}

/// One recipient of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientReport {
    /// The forward-path address.
    pub recipient: String,
    /// What finally happened.
    pub status: RecipientStatus,
    /// The last reply concerning this recipient (RCPT reply, or the failure
    /// of the whole transaction), when there was one.
    pub reply: Option<ReplySummary>,
    /// The last failure in words when there was no reply (timeout, dropped connection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One message of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageReport {
    /// The position of the message in the input, from 0.
    pub index: usize,
    /// The caller's name for it (a file name, an id).
    pub id: String,
    /// How many transactions were attempted for it.
    pub attempts: u32,
    /// Each recipient's outcome, in envelope order.
    pub recipients: Vec<RecipientReport>,
    /// The final reply of the (last) accepted transaction: the queue id text.
    pub queued: Option<ReplySummary>,
}

impl MessageReport {
    /// Whether every recipient accepted the message.
    pub fn all_accepted(&self) -> bool {
        self.recipients
            .iter()
            .all(|r| r.status == RecipientStatus::Accepted)
    }
}

/// Counts of recipients by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Messages in the run.
    pub messages: usize,
    /// Recipients accepted.
    pub accepted: usize,
    /// Recipients refused permanently.
    pub refused: usize,
    /// Recipients failed after all retries.
    pub failed: usize,
    /// Recipients never attempted because the run stopped.
    pub not_attempted: usize,
}

/// The report of a whole bulk run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BulkReport {
    /// Counts by status.
    pub totals: Totals,
    /// Why everything was stopped, when a provider signal stopped it.
    pub stopped: Option<StopReason>,
    /// How many connections were opened.
    pub connections: usize,
    /// Every message, in input order.
    pub messages: Vec<MessageReport>,
}

/// What a run's outcome means for a caller that needs one verdict (the CLI's exit status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Everything was accepted.
    AllAccepted,
    /// Something was refused permanently, or a permanent signal stopped the run.
    PermanentFailure,
    /// The caller's settings are wrong (a bad CA file...): nothing could be sent.
    ConfigurationError,
    /// Nothing permanent, but some recipients are left after transient failures
    /// (or a transient signal stopped the run): trying later may succeed.
    TransientFailure,
}

impl BulkReport {
    /// Builds the report from the messages (sorted by index here) and the stop reason.
    pub(crate) fn new(
        mut messages: Vec<MessageReport>,
        stopped: Option<StopReason>,
        connections: usize,
    ) -> Self {
        messages.sort_by_key(|m| m.index);
        let mut totals = Totals {
            messages: messages.len(),
            ..Totals::default()
        };
        for recipient in messages.iter().flat_map(|m| &m.recipients) {
            match recipient.status {
                RecipientStatus::Accepted => totals.accepted += 1,
                RecipientStatus::Refused => totals.refused += 1,
                RecipientStatus::Failed => totals.failed += 1,
                RecipientStatus::NotAttempted => totals.not_attempted += 1,
            }
        }
        BulkReport {
            totals,
            stopped,
            connections,
            messages,
        }
    }

    /// The one-word verdict: a configuration error dominates permanent
    /// failures, which dominate transient ones.
    pub fn outcome(&self) -> Outcome {
        let stopped_permanently = self.stopped.as_ref().is_some_and(|s| !s.transient);
        if self.stopped.as_ref().is_some_and(|s| s.configuration) {
            Outcome::ConfigurationError
        } else if self.totals.refused > 0 || stopped_permanently {
            Outcome::PermanentFailure
        } else if self.totals.failed > 0 || self.totals.not_attempted > 0 || self.stopped.is_some()
        {
            Outcome::TransientFailure
        } else {
            Outcome::AllAccepted
        }
    }

    /// Whether every recipient of every message was accepted.
    pub fn all_accepted(&self) -> bool {
        self.outcome() == Outcome::AllAccepted
    }
}
