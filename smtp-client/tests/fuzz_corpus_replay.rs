//! Replays the committed corpus of the `client_session` fuzz target
//! (`fuzz/corpus/client_session/*`) through the very checks the target runs,
//! so that a plain `cargo test` covers it without cargo-fuzz.
//!
//! The checks live in `fuzz/src/sessions/` and are compiled in here with
//! `#[path]` (a test of this crate cannot depend on the fuzz crate): they
//! read their input with `script.rs`, not `arbitrary`, for that reason.

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/sessions/script.rs"]
mod script;

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/sessions/client.rs"]
mod client;

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/corpus_replay.rs"]
mod corpus_replay;

#[test]
fn client_session_corpus() {
    corpus_replay::replay("client_session", client::check_client_session);
}
