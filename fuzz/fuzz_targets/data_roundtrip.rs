//! Fuzz target `data_roundtrip`: see `smtp_proto_fuzz::checks::data_roundtrip` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::data_roundtrip::check_data_roundtrip(data);
});
