//! SMTP (RFC 5321 and its extensions) without I/O: types, a nom grammar,
//! an encoder, line framing, DATA/BDAT codecs and SASL helpers.
//!
//! Parsing is zero-copy and strict by default; [`ParseOptions`] accepts known
//! real-world quirks. Encoding writes into a caller-owned buffer and never
//! emits a bare CR or LF.
#![forbid(unsafe_code)]

pub mod bdat;
pub(crate) mod chars;
pub mod data;
pub mod encode;
pub mod error;
pub mod framing;
pub mod options;
pub mod parse;
pub mod sasl;
pub mod types;

pub use encode::Encode;
pub use error::ParseError;
pub use options::ParseOptions;
pub use types::status::{EnhancedStatus, ReplyCode, Severity};
