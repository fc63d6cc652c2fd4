//! Fuzz target `server_session`: see `smtp_proto_fuzz::sessions::server` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|script: smtp_proto_fuzz::sessions::ScriptInput<'_>| {
    smtp_proto_fuzz::sessions::server::check_server_session(script.0);
});
