//! SMTP client (to be written).
#![forbid(unsafe_code)]

pub mod bulk;
pub mod headers;
