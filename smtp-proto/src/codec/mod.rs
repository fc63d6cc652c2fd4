//! `tokio-util` [`Decoder`](tokio_util::codec::Decoder)/[`Encoder`](tokio_util::codec::Encoder)
//! pairs on `bytes`, for servers ([`ServerCodec`]: commands in, replies out)
//! and clients ([`ClientCodec`]: replies in, commands and data out).
//!
//! Enabled by the `codec` feature. The codecs only frame and parse; what a
//! peer is allowed to send when is the business of the session state machines.

mod client;
mod server;

pub use client::{ClientCodec, ClientItem};
pub use server::{ServerCodec, ServerFrame};

use crate::error::ParseError;

/// Why a codec gave up on the stream (as opposed to a bad command, which is
/// an ordinary [`ServerFrame::Invalid`] item to answer).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The transport failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer's bytes cannot be resynchronised (a malformed reply stream).
    #[error("protocol error: {0}")]
    Protocol(ParseError),
}
