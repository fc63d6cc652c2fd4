//! Fuzz target `sasl`: see `smtp_proto_fuzz::checks::sasl` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::sasl::check_sasl(data);
});
