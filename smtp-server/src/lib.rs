//! A small, correct, fast and safe SMTP server: a sans-I/O session, a tokio
//! server, a handler API in the shape of go-smtp, TLS, AUTH and limits.
#![forbid(unsafe_code)]

pub mod auth;
pub mod config;
pub mod handler;
mod limits;
pub mod server;
pub mod session;
pub mod tls;

pub use auth::{Authenticator, NoAuthenticator};
pub use config::{Config, ConnectionLimits, Timeouts};
pub use handler::{ConnectionInfo, Handler, Session, TlsInfo};
pub use server::{Server, ServerBuilder, ShutdownHandle, Workers};
pub use session::{AuthRequest, BodyState, Connection, Event, Offer};

pub mod maildir;
pub mod received;
pub mod sink;
pub mod users;

/// The workspace README's examples, compiled as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
