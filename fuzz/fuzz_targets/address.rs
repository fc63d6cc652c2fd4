//! Fuzz target `address`: see `smtp_proto_fuzz::checks::address` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::address::check_address(data);
});
