//! Findings reported against `smtp-proto` and not fixed yet.
//!
//! Each switch turns off the one invariant a finding breaks, so that long
//! runs keep looking for other bugs instead of stopping at a known one. Each
//! finding has a failing regression test in
//! `smtp-proto/tests/fuzz_regressions.rs`, `#[ignore]`d until the fix lands;
//! the fix then removes the `#[ignore]` and sets the switch to `false`.

/// `EhloInfo::parse` strips an RFC 2034 enhanced status code from the first
/// line of an EHLO response and then takes what follows as the domain, which
/// may itself look like a status code (`250 2.0.0 2.0.0 x`): the response
/// encodes to `250 2.0.0 x`, which parses back differently. `EhloInfo::new`
/// refuses such a domain. Test: `ehlo_domain_that_looks_like_a_status_code`.
pub const EHLO_DOMAIN_LIKE_ENHANCED_STATUS: bool = false;

/// `Mailbox::parse` (and `Mailbox::try_from`) does not apply the RFC 5321
/// §4.5.3.1.3 path limit that `Mailbox::new` applies, so it builds mailboxes
/// whose path our own MAIL/RCPT parser refuses. Test:
/// `mailbox_parse_applies_the_path_limit`.
pub const MAILBOX_PARSE_SKIPS_PATH_LIMIT: bool = false;

/// `Reply::parse` keeps 8-bit text that is not UTF-8 by decoding it lossily
/// (each invalid octet becomes U+FFFD, three octets), after checking the
/// 8192-octet line limit on the wire; the reply then encodes to lines over
/// the limit, which `Reply::parse` refuses. Test:
/// `lossy_reply_text_stays_within_the_line_limit`.
pub const LOSSY_REPLY_TEXT_GROWS_PAST_LINE_LIMIT: bool = false;

/// Whether `text` starts like an RFC 3463 status code (`d.d{1,3}.d{1,3}`).
pub fn starts_like_enhanced_status(text: &str) -> bool {
    let mut parts = text.split(['.', ' ']);
    let digits = |part: Option<&str>, max: usize| {
        part.is_some_and(|p| {
            !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
        })
    };
    digits(parts.next(), 1) && digits(parts.next(), 3) && digits(parts.next(), 3)
}
