//! SMTP client (to be written).
#![forbid(unsafe_code)]
