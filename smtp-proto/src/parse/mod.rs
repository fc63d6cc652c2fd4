//! The nom grammar: one function per ABNF rule, named after the rule.

pub mod address;
pub mod command;
pub mod ehlo;
pub mod params;
pub mod reply;
pub mod xtext;
