//! Replays the committed corpus of the `server_session` fuzz target
//! (`fuzz/corpus/server_session/*`) through the very checks the target runs,
//! so that a plain `cargo test` covers it without cargo-fuzz.
//!
//! The checks live in `fuzz/src/sessions/` and are compiled in here with
//! `#[path]` (a test of this crate cannot depend on the fuzz crate): they
//! read their input with `script.rs`, not `arbitrary`, for that reason.

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/sessions/script.rs"]
mod script;

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/sessions/server.rs"]
mod server;

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/corpus_replay.rs"]
mod corpus_replay;

#[test]
fn server_session_corpus() {
    corpus_replay::replay("server_session", server::check_server_session);
}
