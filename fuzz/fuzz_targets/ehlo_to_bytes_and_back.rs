//! Fuzz target `ehlo_to_bytes_and_back`: an EHLO response built from an
//! `Arbitrary` description through `EhloInfo::new` and the capability
//! constructors encodes to a reply that decodes to the same response. An
//! `Other` capability with a typed keyword is documented to parse back typed
//! (`Other { "chunking" }` becomes `Chunking`), so for those the decoded
//! response must be a fixed point: it encodes and decodes to itself.
#![no_main]

use smtp_proto::{EhloInfo, Encode};
use smtp_proto_fuzz::{
    checks::{assert_no_bare_line_endings, ehlo_response::roundtrip},
    structured::{EhloSpec, build_ehlo, has_other_with_known_keyword},
};

libfuzzer_sys::fuzz_target!(|spec: EhloSpec| {
    let Some(info) = build_ehlo(&spec) else {
        return;
    };
    if !has_other_with_known_keyword(&info) {
        roundtrip(&info);
        return;
    }
    let wire = info.to_bytes();
    assert_no_bare_line_endings(&wire);
    let (again, used) = EhloInfo::parse(&wire)
        .unwrap_or_else(|e| panic!("{info:?} encodes to unparsable {wire:?}: {e:?}"));
    assert_eq!(used, wire.len());
    roundtrip(&again);
});
