//! The SMTP value types. Each can only be built valid: parsers use an
//! unchecked path after their byte-class checks, everything public validates.

pub mod address;
pub mod command;
pub mod ehlo;
pub mod params;
pub mod reply;
pub mod status;
pub mod xtext;
