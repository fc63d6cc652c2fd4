//! Replays a committed corpus (`fuzz/corpus/<target>/*`) through a target's
//! checks under a plain `cargo test`, naming the input that fails.
//!
//! The corpus-replay tests of `smtp-proto`, `smtp-client` and `smtp-server`
//! include this file with `#[path]` (they cannot depend on this crate), so
//! `CARGO_MANIFEST_DIR` is the including crate's, one level below the
//! workspace root like `fuzz/`.

use std::{fs, panic, path::PathBuf};

/// Runs `check` on every file of `target`'s corpus, in name order.
pub fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    for file in files {
        let data = fs::read(&file).expect("corpus file");
        if panic::catch_unwind(|| check(&data)).is_err() {
            panic!("corpus input {} fails the {target} checks", file.display());
        }
    }
}
