//! Fuzz target `ehlo_response`: see `smtp_proto_fuzz::checks::ehlo_response` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::ehlo_response::check_ehlo_response(data);
});
