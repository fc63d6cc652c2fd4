//! Fuzz target `line_framer`: see `smtp_proto_fuzz::checks::line_framer` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    smtp_proto_fuzz::checks::line_framer::check_line_framer(data);
});
