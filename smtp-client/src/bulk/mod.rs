//! Sending many messages through a provider's relay without getting the
//! account blocked: a pool of reused connections, rate limits per account,
//! retries with backoff and jitter on transient failures, stop-all on the
//! provider's "stop" signals, and a report per message and recipient.
//!
//! The pieces are usable alone: [`RateLimit`]/[`RateLimiter`] for pacing,
//! [`RetryPolicy`] for backoff, [`classify_failure`] for the provider rules
//! (documented in [`signals`]), and [`Sender`] ties them together over any
//! [`Connector`].
//!
//! A bulk run through Gmail's submission port under its limits, stopping at
//! once if Google answers `550 5.4.5` (quota) or `454 4.7.0` (login lockout):
//!
//! ```no_run
//! use smtp_client::bulk::{BulkMessage, RetryPolicy, Sender};
//! use smtp_client::{Client, Credentials, Envelope};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let relay = Client::builder("smtp.gmail.com")
//!     .port(587)
//!     .credentials(Credentials::password("me@gmail.com", "app password"));
//! let sender = Sender::builder(relay)
//!     .concurrency(4)
//!     .rate("20/min".parse()?)
//!     .rate("2000/day".parse()?)
//!     .messages_per_connection(100)
//!     .retry(RetryPolicy::default().max_attempts(4))
//!     .build();
//! let mut messages = Vec::new();
//! for to in ["a@example.org", "b@example.org"] {
//!     let envelope = Envelope::new("me@gmail.com", [to])?;
//!     let text = format!("From: me@gmail.com\r\nTo: {to}\r\nSubject: Hi\r\n\r\nHello\r\n");
//!     messages.push(BulkMessage::new(to, envelope, text.into_bytes()));
//! }
//! let report = sender.send_all(messages).await;
//! println!("{}", serde_json::to_string_pretty(&report)?);
//! if let Some(stop) = &report.stopped {
//!     eprintln!("stopped: {} ({})", stop.rule, stop.detail);
//! }
//! # Ok(())
//! # }
//! ```

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
