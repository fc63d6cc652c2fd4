//! Fuzz target `command_to_bytes_and_back`: a command built from an
//! `Arbitrary` description through the validating constructors encodes to
//! one CRLF line that decodes (strict, SMTPUTF8) to the same command.
#![no_main]

use smtp_proto::ParseOptions;
use smtp_proto_fuzz::{
    checks::command::roundtrip,
    structured::{CommandSpec, build_command},
};

libfuzzer_sys::fuzz_target!(|spec: CommandSpec| {
    if let Some(command) = build_command(&spec) {
        roundtrip(&command, &ParseOptions::strict().with_smtputf8(true));
    }
});
