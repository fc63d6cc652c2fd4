//! Fuzz target `data_decoder`: see `smtp_proto_fuzz::checks::data_decoder` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::data_decoder::check_data_decoder(data);
});
