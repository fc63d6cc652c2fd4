//! Fuzz target `reply`: see `smtp_proto_fuzz::checks::reply` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::reply::check_reply(data);
});
