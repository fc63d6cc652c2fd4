//! A small, correct, fast and safe SMTP server: a sans-I/O session, a tokio
//! server, a handler API in the shape of go-smtp, TLS, AUTH and limits.
#![forbid(unsafe_code)]

pub mod auth;
pub mod config;
pub mod handler;
pub mod session;

pub use auth::Authenticator;
pub use config::{Config, ConnectionLimits, Timeouts};
pub use handler::{ConnectionInfo, Handler, Session, TlsInfo};
pub use session::{AuthRequest, BodyState, Connection, Event, Offer};
