//! A small, correct, fast and safe SMTP server: a sans-I/O session, a tokio
//! server, a handler API in the shape of go-smtp, TLS, AUTH and limits.
#![forbid(unsafe_code)]

pub mod auth;
pub mod handler;

pub use auth::Authenticator;
pub use handler::{ConnectionInfo, Handler, Session, TlsInfo};
pub mod maildir;
pub mod received;
pub mod sink;
pub mod users;
