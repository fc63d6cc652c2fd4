//! `smtp-send` binary (to be written).
fn main() {}
