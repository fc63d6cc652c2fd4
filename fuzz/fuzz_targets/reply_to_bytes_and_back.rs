//! Fuzz target `reply_to_bytes_and_back`: a reply built from an `Arbitrary`
//! description through `Reply::new` / `Reply::new_single` encodes to lines
//! that decode to the same reply.
#![no_main]

use smtp_proto_fuzz::{
    checks::reply::roundtrip,
    structured::{ReplySpec, build_reply},
};

libfuzzer_sys::fuzz_target!(|spec: ReplySpec| {
    if let Some(reply) = build_reply(&spec) {
        roundtrip(&reply);
    }
});
