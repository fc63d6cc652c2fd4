//! Fuzzing support for `smtp-proto`: the invariant checks every target runs,
//! the `Arbitrary` value builders of the encode→decode targets, and the
//! differential comparison with Stalwart's `smtp-proto`, and the session
//! targets over `smtp-server` and `smtp-client` ([`sessions`]).
//!
//! [`checks`] depends on nothing but `smtp-proto` and `std`, because
//! `smtp-proto/tests/fuzz_corpus_replay.rs` includes it with `#[path]` to
//! replay the committed corpora under a plain `cargo test` (a test of
//! `smtp-proto` cannot depend on this crate).
#![forbid(unsafe_code)]

pub mod checks;
pub mod corpus_replay;
pub mod differential;
pub mod sessions;
pub mod structured;
