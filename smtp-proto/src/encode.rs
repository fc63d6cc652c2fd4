//! Encoding into a caller-owned buffer.
//!
//! Values are valid by construction (see the `TryFrom` impls in [`crate::types`]),
//! so encoding cannot fail and never emits a bare CR or LF.

/// A value that has a wire form.
pub trait Encode {
    /// Appends the wire form of `self` to `out` (for commands and replies,
    /// including the final CRLF).
    fn encode(&self, out: &mut Vec<u8>);

    /// The wire form in a new buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}
