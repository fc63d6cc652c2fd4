//! `ehlo_response`: raw bytes → `EhloInfo::parse`.
//!
//! Whatever decodes must encode to a reply that decodes back to an equal
//! response and re-encodes to the same bytes; reading the response through
//! `Reply::parse` + `EhloInfo::from_reply` must agree with `EhloInfo::parse`;
//! every accessor a client calls must be total.

use smtp_proto::{EhloInfo, Encode, ParseError, Reply};

use super::{assert_no_bare_line_endings, pending};

/// Runs every invariant on one input.
pub fn check_ehlo_response(data: &[u8]) {
    let direct = EhloInfo::parse(data);
    if let Ok((reply, used)) = Reply::parse(data)
        && let (Ok(via_reply), Ok((info, direct_used))) = (EhloInfo::from_reply(&reply), &direct)
    {
        assert_eq!(*direct_used, used);
        assert_eq!(&via_reply, info, "EhloInfo::parse and from_reply disagree");
    }
    match direct {
        Ok((info, used)) => {
            assert!(used > 0 && used <= data.len());
            use_accessors(&info);
            roundtrip(&info);
        }
        Err(ParseError::Incomplete | ParseError::InvalidReply(_)) => {}
        Err(other) => panic!("EHLO parser returned a command error {other:?}"),
    }
}

/// Calls everything a client asks of a response; none may panic.
fn use_accessors(info: &EhloInfo<'_>) {
    let _ = (
        info.domain(),
        info.greeting(),
        info.max_size(),
        info.limits(),
    );
    let _ = info.auth_mechanisms().count();
    let _ = (info.supports("SIZE"), info.supports_auth("PLAIN"));
    let _ = (
        info.has_pipelining(),
        info.has_starttls(),
        info.has_chunking(),
    );
    let _ = (
        info.has_binarymime(),
        info.has_8bitmime(),
        info.has_smtputf8(),
    );
    let _ = (
        info.has_dsn(),
        info.has_enhanced_status_codes(),
        info.has_requiretls(),
    );
    if let Some(limits) = info.limits() {
        let _ = (
            limits.rcpt_max(),
            limits.mail_max(),
            limits.rcpt_domain_max(),
        );
        let _ = limits.iter().count();
    }
    for capability in info.capabilities() {
        assert!(!capability.keyword().is_empty());
        let _ = info.capability(capability.keyword());
    }
}

/// encode → decode gives the same response, and encoding is stable.
pub fn roundtrip(info: &EhloInfo<'_>) {
    if pending::EHLO_DOMAIN_LIKE_ENHANCED_STATUS
        && pending::starts_like_enhanced_status(info.domain())
    {
        return;
    }
    let wire = info.to_bytes();
    assert_no_bare_line_endings(&wire);
    let (again, used) = EhloInfo::parse(&wire).unwrap_or_else(|e| {
        panic!(
            "{info:?} encodes to {:?}, which does not parse: {e:?}",
            String::from_utf8_lossy(&wire)
        )
    });
    assert_eq!(used, wire.len());
    assert_eq!(&again, info, "wire {:?}", String::from_utf8_lossy(&wire));
    assert_eq!(again.to_bytes(), wire, "encoding is not stable");
}
