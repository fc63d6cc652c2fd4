//! Fuzz target `command`: see `smtp_proto_fuzz::checks::command` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::command::check_command(data);
});
