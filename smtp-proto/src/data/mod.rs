//! The DATA body codecs (RFC 5321 §4.5.2, §4.1.1.4): streaming dot-unstuffing
//! for a server and streaming dot-stuffing for a client.
//!
//! DATA termination is never lenient: only `<CRLF>.<CRLF>` ends the body
//! (the CRLF that ends the `DATA` command counts as the first CRLF, so a `.`
//! line as the very first line ends it too). Bare CR and bare LF never end
//! anything; the decoder reports them so a server can reject the message
//! (the default, against SMTP smuggling) or normalise them.

mod decoder;
mod encoder;
mod scan;

pub use decoder::{BareKind, BareLineEnding, BareLineEndings, DataDecoder, DataProgress};
pub use encoder::{DataEncoder, EncodeMode};
