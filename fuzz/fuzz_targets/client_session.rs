//! Fuzz target `client_session`: see `smtp_proto_fuzz::sessions::client` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|script: smtp_proto_fuzz::sessions::ScriptInput<'_>| {
    smtp_proto_fuzz::sessions::client::check_client_session(script.0);
});
