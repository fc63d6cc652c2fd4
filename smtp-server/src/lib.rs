//! SMTP server (to be written).
#![forbid(unsafe_code)]
