//! Fuzz target `ehlo_to_bytes_and_back`: an EHLO response built from an
//! `Arbitrary` description through `EhloInfo::new` and the capability
//! constructors encodes to a reply that decodes to the same response (or,
//! for an `Other` capability with a typed keyword, to the same wire form).
#![no_main]

use smtp_proto::{EhloInfo, Encode};
use smtp_proto_fuzz::{
    checks::{assert_no_bare_line_endings, ehlo_response::roundtrip},
    structured::{EhloSpec, build_ehlo, has_other_with_known_keyword},
};

libfuzzer_sys::fuzz_target!(|spec: EhloSpec| {
    let Some(info) = build_ehlo(&spec) else { return };
    if !has_other_with_known_keyword(&info) {
        roundtrip(&info);
        return;
    }
    let wire = info.to_bytes();
    assert_no_bare_line_endings(&wire);
    let (again, used) = EhloInfo::parse(&wire)
        .unwrap_or_else(|e| panic!("{info:?} encodes to unparsable {wire:?}: {e:?}"));
    assert_eq!(used, wire.len());
    assert_eq!(again.to_bytes(), wire, "wire form changed");
});
