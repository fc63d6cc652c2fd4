//! `params`: raw bytes → MAIL and RCPT parameters (everything after the
//! path: empty, or SP and `esmtp-param`s, xtext values included).
//!
//! Whatever decodes must encode to parameters that decode back equal under
//! strict options and re-encode to the same bytes; strict acceptance implies
//! the same value under lenient options.

use smtp_proto::{
    Encode, ParseOptions,
    parse::params::{mail_parameters, rcpt_parameters},
};

use super::{OPTION_SETS, canonical};

/// Runs every invariant on one input.
pub fn check_params(data: &[u8]) {
    let mut accepted = Vec::new();
    for opts in &OPTION_SETS {
        let mail = mail_parameters(data, opts).ok();
        let rcpt = rcpt_parameters(data, opts).ok();
        if let Some(params) = &mail {
            roundtrip_mail(params, opts);
        }
        if let Some(params) = &rcpt {
            roundtrip_rcpt(params, opts);
        }
        accepted.push((mail, rcpt));
    }
    for (narrow, wide) in [(0, 1), (2, 3), (0, 2), (1, 3)] {
        if let Some(params) = &accepted[narrow].0 {
            assert_eq!(
                accepted[wide].0.as_ref(),
                Some(params),
                "MAIL {narrow} vs {wide}"
            );
        }
        if let Some(params) = &accepted[narrow].1 {
            assert_eq!(
                accepted[wide].1.as_ref(),
                Some(params),
                "RCPT {narrow} vs {wide}"
            );
        }
    }
}

fn roundtrip_mail(params: &smtp_proto::MailParams<'_>, opts: &ParseOptions) {
    let wire = params.to_bytes();
    check_wire(&wire);
    let again = mail_parameters(&wire, &canonical(opts)).unwrap_or_else(|e| {
        panic!(
            "{params:?} encodes to {:?}: {e:?}",
            String::from_utf8_lossy(&wire)
        )
    });
    assert_eq!(&again, params, "wire {:?}", String::from_utf8_lossy(&wire));
    assert_eq!(again.to_bytes(), wire, "encoding is not stable");
}

fn roundtrip_rcpt(params: &smtp_proto::RcptParams<'_>, opts: &ParseOptions) {
    let wire = params.to_bytes();
    check_wire(&wire);
    let again = rcpt_parameters(&wire, &canonical(opts)).unwrap_or_else(|e| {
        panic!(
            "{params:?} encodes to {:?}: {e:?}",
            String::from_utf8_lossy(&wire)
        )
    });
    assert_eq!(&again, params, "wire {:?}", String::from_utf8_lossy(&wire));
    assert_eq!(again.to_bytes(), wire, "encoding is not stable");
}

/// Encoded parameters are empty or start with SP, and hold no control octet.
fn check_wire(wire: &[u8]) {
    assert!(
        wire.is_empty() || wire[0] == b' ',
        "{:?}",
        String::from_utf8_lossy(wire)
    );
    assert!(
        !wire.iter().any(|b| b.is_ascii_control()),
        "control octet in encoded parameters {:?}",
        String::from_utf8_lossy(wire)
    );
}
