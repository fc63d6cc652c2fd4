//! SMTP client (docs below).
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
