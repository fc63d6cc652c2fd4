//! Sending many messages through a provider's relay without getting the
//! account blocked: a pool of reused connections, rate limits per account,
//! retries with backoff and jitter on transient failures, stop-all on the
//! provider's "stop" signals, and a report per message and recipient.
//!
//! The pieces are usable alone: [`RateLimit`]/[`RateLimiter`] for pacing,
//! [`RetryPolicy`] for backoff, [`classify_failure`] for the provider rules
//! (documented in [`signals`]), and [`Sender`] ties them together over any
//! [`Connector`].

pub mod client;
pub mod rate;
pub mod report;
pub mod retry;
pub mod sender;
pub mod signals;
pub mod transport;

pub use rate::{AccountLimiters, RateLimit, RateLimitError, RateLimiter};
pub use report::{
    BulkReport, MessageReport, Outcome, RecipientReport, RecipientStatus, ReplySummary, Totals,
};
pub use retry::RetryPolicy;
pub use sender::{BulkMessage, Progress, Sender, SenderBuilder};
pub use signals::{Stage, StopReason, Verdict, classify_failure, classify_refusal};
pub use transport::{Connection, Connector, Delivery, Failure, FailureKind, Message};

#[cfg(test)]
mod sender_tests;
