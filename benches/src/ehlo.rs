//! EHLO response parsing: a 12-line Gmail/Postfix-like `250` reply, read
//! into each crate's capability model.

use std::str::FromStr;

use lettre::transport::smtp::{
    authentication::Mechanism,
    extension::{Extension, ServerInfo},
    response::Response as LettreResponse,
};
use smtp_codec::{parse::response::ehlo_ok_rsp, types::Response as CodecResponse};
use smtp_proto::EhloInfo;
use stalwart_smtp_proto::EhloResponse;

use crate::{
    case::{Case, LETTRE, OURS, Outcome, SMTP_CODEC, STALWART, failed},
    inputs::EHLO_RESPONSE,
};

/// Group of the EHLO cases.
pub const GROUP: &str = "ehlo/12_lines";

/// Lines of [`EHLO_RESPONSE`] after the first (the domain line): the
/// capabilities a parser that keeps them all reports.
const CAPABILITY_LINES: usize = 11;

/// The EHLO cases. What each returns is the number of capabilities its
/// model keeps: ours and smtp-codec keep every line; Stalwart keeps a
/// bitmask of the ones it knows (all 11 here); lettre keeps only
/// 8BITMIME, SMTPUTF8, STARTTLS and its three AUTH mechanisms.
pub fn cases() -> Vec<Case> {
    let bytes = EHLO_RESPONSE.len();
    let text = String::from_utf8(EHLO_RESPONSE.to_vec()).unwrap_or_default();
    vec![
        Case::new(GROUP, OURS, bytes, CAPABILITY_LINES, || ours(EHLO_RESPONSE)),
        Case::new(GROUP, STALWART, bytes, CAPABILITY_LINES, || {
            stalwart(EHLO_RESPONSE)
        }),
        Case::new(GROUP, SMTP_CODEC, bytes, CAPABILITY_LINES, || {
            codec(EHLO_RESPONSE)
        }),
        Case::new(GROUP, LETTRE, bytes, LETTRE_KNOWN, move || lettre(&text))
            .with_check(|| lettre_known_capabilities(EHLO_RESPONSE)),
    ]
}

fn ours(wire: &[u8]) -> Outcome {
    let (info, used) = EhloInfo::parse(wire).map_err(|e| failed("ours", e))?;
    if used != wire.len() {
        return Err(format!(
            "ours stopped after {used} of {} octets",
            wire.len()
        ));
    }
    Ok(std::hint::black_box(info).capabilities().len() as u64)
}

fn stalwart(wire: &[u8]) -> Outcome {
    let mut bytes = wire.iter();
    let info = EhloResponse::parse(&mut bytes).map_err(|e| failed("stalwart", e))?;
    if !bytes.as_slice().is_empty() {
        return Err("stalwart left octets unparsed".into());
    }
    Ok(u64::from(
        std::hint::black_box(info).capabilities.count_ones(),
    ))
}

fn codec(wire: &[u8]) -> Outcome {
    let (rest, response) = ehlo_ok_rsp(wire).map_err(|e| failed("smtp-codec", e))?;
    if !rest.is_empty() {
        return Err("smtp-codec left octets unparsed".into());
    }
    match std::hint::black_box(response) {
        CodecResponse::Ehlo { capabilities, .. } => Ok(capabilities.len() as u64),
        other => Err(failed("smtp-codec: not an EHLO response", other)),
    }
}

/// Capabilities of [`EHLO_RESPONSE`] that lettre's `ServerInfo` models.
const LETTRE_KNOWN: usize = 6;

/// `Response::from_str` then `ServerInfo::from_response`, as lettre's
/// client does after EHLO.
fn lettre(text: &str) -> Outcome {
    let response = LettreResponse::from_str(text).map_err(|e| failed("lettre", e))?;
    let info = ServerInfo::from_response(&response).map_err(|e| failed("lettre", e))?;
    std::hint::black_box(info);
    Ok(LETTRE_KNOWN as u64)
}

/// What lettre's `ServerInfo` recorded, asked outside the timed loop.
fn lettre_known_capabilities(wire: &[u8]) -> Outcome {
    let text = std::str::from_utf8(wire).map_err(|e| failed("lettre", e))?;
    let response = LettreResponse::from_str(text).map_err(|e| failed("lettre", e))?;
    let info = ServerInfo::from_response(&response).map_err(|e| failed("lettre", e))?;
    let features = [
        Extension::EightBitMime,
        Extension::SmtpUtfEight,
        Extension::StartTls,
    ];
    let mechanisms = [Mechanism::Plain, Mechanism::Login, Mechanism::Xoauth2];
    let count = features
        .into_iter()
        .filter(|&f| info.supports_feature(f))
        .count()
        + mechanisms
            .into_iter()
            .filter(|&m| info.supports_auth_mechanism(m))
            .count();
    Ok(count as u64)
}
