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
