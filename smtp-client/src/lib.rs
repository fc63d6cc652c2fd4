//! An async SMTP client (RFC 5321) for sending through a provider's relay:
//! STARTTLS or implicit TLS with rustls, AUTH (SCRAM-SHA-256, CRAM-MD5,
//! PLAIN, LOGIN, XOAUTH2, OAUTHBEARER), PIPELINING, CHUNKING, SIZE,
//! 8BITMIME, SMTPUTF8, DSN, and a timeout for every phase.
//!
//! # Sending through Gmail on port 587 (STARTTLS)
//!
//! ```no_run
//! use smtp_client::{Client, Credentials, Envelope};
//!
//! # async fn run() -> Result<(), smtp_client::Error> {
//! let mut client = Client::builder("smtp.gmail.com")
//!     .port(587) // STARTTLS, required: the default on any port but 465
//!     .credentials(Credentials::password("me@gmail.com", "app password"))
//!     .connect()
//!     .await?;
//! let envelope = Envelope::new("me@gmail.com", ["friend@example.com"])?;
//! let message = b"From: me@gmail.com\r\nTo: friend@example.com\r\nSubject: Hi\r\n\r\nHello!\r\n";
//! let report = client.send(&envelope, message).await?;
//! println!("queued: {}", report.reply);
//! client.quit().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Port 465 (implicit TLS) with an OAuth 2.0 token
//!
//! ```no_run
//! use smtp_client::{Client, Credentials, Envelope};
//!
//! # async fn run(token: String) -> Result<(), smtp_client::Error> {
//! let mut client = Client::builder("smtp.gmail.com")
//!     .port(465) // implicit TLS: the default on port 465
//!     .credentials(Credentials::oauth_bearer("me@gmail.com", token))
//!     .connect()
//!     .await?;
//! let envelope = Envelope::new("me@gmail.com", ["a@example.com", "b@example.com"])?;
//! let file = tokio::fs::File::open("message.eml").await?;
//! let size = file.metadata().await?.len();
//! let report = client.send_reader(&envelope, file, Some(size)).await?;
//! for recipient in report.refused() {
//!     eprintln!("{} refused: {:?}", recipient.recipient, recipient.outcome);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! Every [`Error`] says whether trying again later can help
//! ([`Error::is_transient`]: 4xx, dropped connection, timeout) and keeps the
//! server's whole reply ([`Error::reply`]: every line, the enhanced status
//! code), e.g. Gmail's `550 5.4.5 Daily sending quota exceeded`. A failed
//! transaction is reset with RSET, so the connection stays usable unless
//! [`Client::is_connected`] turned false (421, end of stream, timeout);
//! [`Client::reconnect`] opens a new one with the same settings.
//!
//! # Layers
//!
//! [`Client`] is a thin tokio driver around [`session::ClientSession`], a
//! sans-I/O state machine (bytes in, bytes and events out, no socket and no
//! clock) that can be driven by any runtime. The conversation is logged at
//! DEBUG level under the `tracing` target [`session::WIRE_TARGET`], with
//! credentials redacted.
#![forbid(unsafe_code)]

pub mod auth;
mod builder;
pub mod bulk;
mod client;
pub mod envelope;
pub mod error;
pub mod headers;
pub mod message;
pub mod report;
pub mod session;
pub mod timeouts;
pub mod tls;

pub use auth::{Credentials, Mechanism};
pub use builder::ClientBuilder;
pub use client::Client;
pub use envelope::{Envelope, Recipient};
pub use error::Error;
pub use message::{BodyInfo, Content};
pub use report::{RecipientReport, SendReport};
pub use smtp_proto::Reply;
pub use smtp_proto::types::params::{Notify, Ret};
pub use timeouts::{Phase, Timeouts};
pub use tls::{RootCertificates, TlsMode};

/// The README's examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
