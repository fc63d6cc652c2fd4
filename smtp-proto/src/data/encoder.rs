//! Streaming dot-stuffing (to be written).

/// Placeholder.
#[derive(Debug)]
pub struct DataEncoder;
/// Placeholder.
#[derive(Debug)]
pub enum EncodeMode {}
