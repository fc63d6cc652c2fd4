//! Fuzz target `differential_stalwart`: our command parser against
//! Stalwart's `smtp-proto` 0.2.5; every disagreement must belong to a class
//! documented in `fuzz/DIFFERENCES.md`.
#![no_main]

use smtp_proto_fuzz::differential::check_differential;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    check_differential(data);
});
