//! `smtp-server` binary (to be written).
fn main() {}
