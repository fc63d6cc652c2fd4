//! Fuzz target `params`: see `smtp_proto_fuzz::checks::params` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::params::check_params(data);
});
