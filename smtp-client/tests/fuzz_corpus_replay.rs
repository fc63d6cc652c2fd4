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

use std::{fs, panic, path::PathBuf};

#[test]
fn client_session_corpus() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/client_session");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    for file in files {
        let data = fs::read(&file).expect("corpus file");
        eprintln!("=== {}", file.display());
        if panic::catch_unwind(|| client::check_client_session(&data)).is_err() {
            panic!(
                "corpus input {} fails the client_session checks",
                file.display()
            );
        }
    }
}
