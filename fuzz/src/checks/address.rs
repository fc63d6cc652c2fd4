//! `address`: raw bytes → every address-level parser (reverse and forward
//! paths, paths, mailboxes, local parts, domains, hosts, address literals,
//! plus the VRFY/ETRN arguments) under every option set.
//!
//! Whatever decodes must encode to bytes that decode back equal under strict
//! options and re-encode to the same bytes, within the RFC 5321 §4.5.3.1 size
//! limits; a local part rebuilt from its value has the same value; an IP
//! literal rebuilt from its address has the same address.

use smtp_proto::{
    AddressLiteral, Domain, Encode, ForwardPath, Host, LocalPart, Mailbox, ParseOptions, Path,
    ReversePath,
    types::command::{Argument, NodeName},
};

use super::{OPTION_SETS, canonical, pending};

/// RFC 5321 §4.5.3.1.1: local part at most 64 octets.
const MAX_LOCAL_PART: usize = 64;
/// RFC 5321 §4.5.3.1.2: domain at most 255 octets.
const MAX_DOMAIN: usize = 255;
/// RFC 5321 §4.5.3.1.3: path at most 256 octets, brackets included.
const MAX_PATH: usize = 256;

/// Runs the same invariant for one parser: decode under `opts`, and when it
/// succeeds, encode, decode under strict options, compare, re-encode.
macro_rules! roundtrip {
    ($data:expr, $opts:expr, $ty:ident) => {{
        if let Ok(value) = $ty::parse($data, $opts) {
            let wire = value.to_bytes();
            assert!(
                !wire.iter().any(|b| b.is_ascii_control() && *b != b'\t'),
                "control octet in encoded {}: {:?}",
                stringify!($ty),
                String::from_utf8_lossy(&wire)
            );
            let again = $ty::parse(&wire, &canonical($opts)).unwrap_or_else(|e| {
                panic!(
                    "{value:?} encodes to {:?}, which does not parse: {e:?}",
                    String::from_utf8_lossy(&wire)
                )
            });
            assert_eq!(again, value, "wire {:?}", String::from_utf8_lossy(&wire));
            assert_eq!(again.to_bytes(), wire, "encoding is not stable");
            Some(value)
        } else {
            None
        }
    }};
}

/// Runs every invariant on one input.
pub fn check_address(data: &[u8]) {
    for opts in &OPTION_SETS {
        check_with(data, opts);
    }
}

fn check_with(data: &[u8], opts: &ParseOptions) {
    if let Some(path) = roundtrip!(data, opts, ReversePath)
        && let Some(mailbox) = path.mailbox()
    {
        check_mailbox(mailbox);
    }
    if let Some(path) = roundtrip!(data, opts, ForwardPath)
        && let Some(mailbox) = path.mailbox()
    {
        check_mailbox(mailbox);
    }
    if let Some(path) = roundtrip!(data, opts, Path) {
        check_mailbox(path.mailbox());
        assert!(path.to_bytes().len() <= MAX_PATH, "path over 256 octets");
    }
    if let Some(mailbox) = roundtrip!(data, opts, Mailbox) {
        check_mailbox(&mailbox);
    }
    if let Some(local) = roundtrip!(data, opts, LocalPart) {
        check_local_part(&local);
    }
    if let Some(domain) = roundtrip!(data, opts, Domain) {
        assert!(
            domain.as_str().len() <= MAX_DOMAIN,
            "domain over 255 octets"
        );
    }
    if let Some(literal) = roundtrip!(data, opts, AddressLiteral) {
        check_literal(&literal);
    }
    if let Some(Host::Literal(literal)) = roundtrip!(data, opts, Host) {
        check_literal(&literal);
    }
    roundtrip!(data, opts, Argument);
    roundtrip!(data, opts, NodeName);
}

fn check_mailbox(mailbox: &Mailbox<'_>) {
    check_local_part(mailbox.local_part());
    let wire = mailbox.to_bytes();
    if !pending::MAILBOX_PARSE_SKIPS_PATH_LIMIT {
        assert!(wire.len() + 2 <= MAX_PATH, "mailbox over the path limit");
    }
    if let Host::Domain(domain) = mailbox.domain() {
        assert!(
            domain.as_str().len() <= MAX_DOMAIN,
            "domain over 255 octets"
        );
    }
}

fn check_local_part(local: &LocalPart<'_>) {
    assert!(
        local.as_str().len() <= MAX_LOCAL_PART,
        "local part over 64 octets"
    );
    let value = local.value();
    let rebuilt = LocalPart::from_value(&value).unwrap_or_else(|e| {
        panic!("{local:?} has value {value:?}, which from_value refuses: {e:?}")
    });
    assert_eq!(
        rebuilt.value(),
        value,
        "from_value changes the value of {local:?}"
    );
}

fn check_literal(literal: &AddressLiteral<'_>) {
    if let Some(ip) = literal.ip() {
        let rebuilt = AddressLiteral::from(ip);
        let wire = rebuilt.to_bytes();
        let again = AddressLiteral::parse(&wire, &ParseOptions::strict())
            .unwrap_or_else(|e| panic!("{ip} encodes to unparsable {wire:?}: {e:?}"));
        assert_eq!(again.ip(), Some(ip));
    }
}
