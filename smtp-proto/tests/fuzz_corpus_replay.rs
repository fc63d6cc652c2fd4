//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/*`) through the
//! very checks the fuzz targets run, so that a plain `cargo test` covers
//! them without cargo-fuzz or a nightly toolchain.
//!
//! The checks live in `fuzz/src/checks/` and are compiled in here with
//! `#[path]`: a test of `smtp-proto` cannot depend on the fuzz crate (which
//! depends on `smtp-proto`), and sharing the file keeps one definition of
//! each invariant. The `*_to_bytes_and_back` and `differential_stalwart`
//! corpora need `arbitrary` or Stalwart's crate and are replayed by
//! `.ci/fuzz` instead.

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/checks/mod.rs"]
mod checks;

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/corpus_replay.rs"]
mod corpus_replay;

use corpus_replay::replay;

#[test]
fn command_corpus() {
    replay("command", checks::command::check_command);
}

#[test]
fn reply_corpus() {
    replay("reply", checks::reply::check_reply);
}

#[test]
fn ehlo_response_corpus() {
    replay("ehlo_response", checks::ehlo_response::check_ehlo_response);
}

#[test]
fn params_corpus() {
    replay("params", checks::params::check_params);
}

#[test]
fn address_corpus() {
    replay("address", checks::address::check_address);
}

#[test]
fn data_decoder_corpus() {
    replay("data_decoder", checks::data_decoder::check_data_decoder);
}

#[test]
fn data_roundtrip_corpus() {
    replay(
        "data_roundtrip",
        checks::data_roundtrip::check_data_roundtrip,
    );
}

#[test]
fn sasl_corpus() {
    replay("sasl", checks::sasl::check_sasl);
}

#[test]
fn line_framer_corpus() {
    replay("line_framer", checks::line_framer::check_line_framer);
}
