//! SASL for SMTP AUTH (RFC 4954), without I/O: mechanism names, the base64
//! transport, and the client and server sides of PLAIN, LOGIN, XOAUTH2,
//! OAUTHBEARER, CRAM-MD5 and SCRAM-SHA-256.
//!
//! Everything here is a pure function or a small step machine that takes the
//! peer's decoded bytes and returns the bytes to send. Nothing draws random
//! numbers or reads a clock: nonces and challenges are supplied by the caller,
//! whose documentation says how much randomness each needs.
//!
//! Passwords, tokens, proofs and decoded credentials are redacted in `Debug`.
//! Every decoder accepts arbitrary bytes and answers with a [`ParseError`]
//! (never a panic), and every size is bounded.
//!
//! [`ParseError`]: crate::ParseError

pub mod cram_md5;
pub mod login;
mod mechanism;
pub mod oauth;
pub mod oauthbearer;
pub mod plain;
pub mod saslprep;
pub mod scram;
mod secret;
mod transport;
pub mod xoauth2;

pub use mechanism::{Mechanism, MechanismName};
pub use secret::SecretBytes;
pub use transport::{
    ClientResponse, MAX_BASE64_LINE, decode_challenge, decode_client_response,
    decode_initial_response, encode_cancel, encode_challenge, encode_client_response,
    encode_initial_response,
};
