//! The session targets: scripted peers against the sans-I/O cores of
//! `smtp-server` and `smtp-client`, with the invariants they must keep.
//!
//! These files use only `std`, `smtp_proto` and the session crate under
//! test: `smtp-server/tests/fuzz_corpus_replay.rs` includes `script.rs` and
//! `server.rs` with `#[path]`, `smtp-client/tests/fuzz_corpus_replay.rs`
//! includes `script.rs` and `client.rs`, to replay the committed corpora
//! under a plain `cargo test`.

pub mod client;
pub mod script;
pub mod server;

use arbitrary::{Arbitrary, Unstructured};

/// The fuzz input of a session target, as an `Arbitrary` value: the whole
/// input, read as operations by [`script::Script`]. The operations are
/// decoded there rather than derived, so that the byte layout stays simple
/// enough for hand-written seeds and for replay without `arbitrary`.
#[derive(Debug, Clone, Copy)]
pub struct ScriptInput<'a>(pub &'a [u8]);

impl<'a> Arbitrary<'a> for ScriptInput<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ScriptInput(u.bytes(u.len())?))
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ScriptInput(u.take_rest()))
    }
}
