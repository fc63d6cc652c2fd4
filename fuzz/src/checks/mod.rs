//! The invariants of each byte-input fuzz target, one function per target,
//! each taking the raw fuzz input and panicking when an invariant breaks.
//!
//! Only `smtp_proto` and `std` may be used here: this module is also compiled
//! into `smtp-proto/tests/fuzz_corpus_replay.rs` through `#[path]`.

pub mod address;
pub mod command;
pub mod data_decoder;
pub mod data_roundtrip;
pub mod ehlo_response;
pub mod input;
pub mod line_framer;
pub mod params;
pub mod pending;
pub mod reference_data_decoder;
pub mod reply;
pub mod sasl;

use smtp_proto::ParseOptions;

/// The option sets every grammar target tries on each input: strict and
/// lenient, each without and with the SMTPUTF8 grammar.
pub const OPTION_SETS: [ParseOptions; 4] = [
    ParseOptions::strict(),
    ParseOptions::strict().with_smtputf8(true),
    ParseOptions::lenient(),
    ParseOptions::lenient().with_smtputf8(true),
];

/// The options a canonical encoding must parse under: strict, with the
/// SMTPUTF8 grammar only when the value was parsed with it. Encoding removes
/// every quirk that leniency accepted.
pub fn canonical(opts: &ParseOptions) -> ParseOptions {
    ParseOptions::strict().with_smtputf8(opts.smtputf8)
}

/// Panics unless every CR in `wire` is followed by LF and every LF preceded
/// by CR: an encoder must never emit a bare line ending (SMTP smuggling).
pub fn assert_no_bare_line_endings(wire: &[u8]) {
    for (k, &byte) in wire.iter().enumerate() {
        match byte {
            b'\r' => assert_eq!(
                wire.get(k + 1),
                Some(&b'\n'),
                "bare CR at {k} in encoded {:?}",
                String::from_utf8_lossy(wire)
            ),
            b'\n' => assert!(
                k > 0 && wire[k - 1] == b'\r',
                "bare LF at {k} in encoded {:?}",
                String::from_utf8_lossy(wire)
            ),
            _ => {}
        }
    }
}

/// Panics unless `wire` is exactly one line ended by its only CRLF.
pub fn assert_one_line(wire: &[u8]) {
    assert!(
        wire.ends_with(b"\r\n"),
        "encoded line does not end in CRLF: {:?}",
        String::from_utf8_lossy(wire)
    );
    let body = &wire[..wire.len() - 2];
    assert!(
        !body.contains(&b'\r') && !body.contains(&b'\n'),
        "CR or LF inside an encoded line: {:?}",
        String::from_utf8_lossy(wire)
    );
}
