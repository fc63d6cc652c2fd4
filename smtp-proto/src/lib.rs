//! SMTP (RFC 5321 and its extensions) without I/O: types, a nom grammar,
//! an encoder, line framing, DATA/BDAT codecs and SASL helpers.
//!
//! Parsing is zero-copy and strict by default; [`ParseOptions`] accepts known
//! real-world quirks. Encoding writes into a caller-owned buffer and never
//! emits a bare CR or LF. Nothing here does I/O: the `smtp-client` and
//! `smtp-server` crates drive these pieces over sockets.
//!
//! # Parsing and encoding
//!
//! ```
//! use smtp_proto::{Command, Encode, ParseError, ParseOptions, Reply, ReplyCode};
//!
//! // A server parses what the client sent; incomplete input asks for more.
//! let opts = ParseOptions::default();
//! assert_eq!(Command::parse(b"MAIL FROM:<a@exa", &opts), Err(ParseError::Incomplete));
//! let (command, used) = Command::parse(b"MAIL FROM:<a@example.org> SIZE=1024\r\nRCPT", &opts)?;
//! assert_eq!(used, 37);
//! let Command::Mail { from, params } = &command else { unreachable!() };
//! assert_eq!(from.to_string(), "<a@example.org>");
//! assert_eq!(params.size, Some(1024));
//!
//! // Unknown parameters are kept for the server to answer 555.
//! let (command, _) = Command::parse(b"MAIL FROM:<a@b> FOO=1\r\n", &opts)?;
//! let Command::Mail { params, .. } = command else { unreachable!() };
//! assert_eq!(params.other().len(), 1);
//!
//! // Every error knows the reply a server sends for it.
//! let unknown = Command::parse(b"HELLO there\r\n", &opts).unwrap_err();
//! let reply = Reply::from_parse_error(&unknown).unwrap();
//! assert_eq!(reply.to_bytes(), b"500 5.5.2 Command unrecognized\r\n");
//!
//! // A client parses replies, multi-line ones included.
//! let (reply, _) = Reply::parse(b"250-mx.example.org\r\n250 2.0.0 OK\r\n")?;
//! assert_eq!(reply.code(), ReplyCode::OK);
//!
//! // Encoding round-trips.
//! let (command, _) = Command::parse(b"MAIL FROM:<a@example.org> SIZE=1024\r\n", &opts)?;
//! let mut wire = Vec::new();
//! command.encode(&mut wire);
//! assert_eq!(wire, b"MAIL FROM:<a@example.org> SIZE=1024\r\n");
//! # Ok::<(), ParseError>(())
//! ```
//!
//! # DATA
//!
//! ```
//! use smtp_proto::{DataDecoder, DataEncoder, EncodeMode};
//!
//! let mut wire = Vec::new();
//! DataEncoder::encode_body(EncodeMode::DotStuff, b"Hi\n.hidden\n", &mut wire);
//! assert_eq!(wire, b"Hi\r\n..hidden\r\n.\r\n");
//!
//! let mut body = Vec::new();
//! let mut decoder = DataDecoder::new();
//! let progress = decoder.decode(&wire, &mut body);
//! assert!(progress.done);
//! assert_eq!(body, b"Hi\r\n.hidden\r\n");
//! ```
//!
//! # Features
//!
//! - `codec`: `tokio-util` codecs (`codec::ServerCodec`, `codec::ClientCodec`).
#![forbid(unsafe_code)]

pub mod bdat;
pub(crate) mod chars;
#[cfg(feature = "codec")]
pub mod codec;
pub mod data;
pub mod encode;
pub mod error;
pub mod framing;
pub mod options;
pub mod parse;
pub mod sasl;
pub(crate) mod swar;
pub mod transcript;
pub mod types;

pub use bdat::{BdatReader, BdatWriter, encode_bdat_chunk};
pub use data::{BareLineEndings, DataDecoder, DataEncoder, EncodeMode};
pub use encode::Encode;
pub use error::ParseError;
pub use framing::{Frame, LineFramer};
pub use options::ParseOptions;
pub use types::address::{
    AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, Path, ReversePath,
};
pub use types::command::{Command, Verb};
pub use types::ehlo::{Capability, EhloInfo};
pub use types::params::{Body, MailParams, RcptParams};
pub use types::reply::Reply;
pub use types::status::{EnhancedStatus, ReplyCode, Severity};
pub use types::xtext::XText;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
