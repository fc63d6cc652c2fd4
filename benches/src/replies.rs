//! Reply parsing, as a client reads them: single-line replies with and
//! without enhanced status codes, and multi-line ones.
//!
//! lettre parses `&str`; its client reads into a `String`, so the text is
//! converted once outside the timed loop.

use std::str::FromStr;

use lettre::transport::smtp::response::Response as LettreResponse;
use smtp_proto::Reply;
use stalwart_smtp_proto::response::parser::ResponseReceiver;

use crate::{
    case::{Case, LETTRE, OURS, Outcome, STALWART, failed},
    inputs::REPLIES,
};

/// The reply cases, in table order.
pub fn cases() -> Vec<Case> {
    let (single, multi): (Vec<&[u8]>, Vec<&[u8]>) = REPLIES
        .iter()
        .partition(|reply| reply.iter().filter(|&&b| b == b'\n').count() == 1);
    let mut cases = replies("replies/single_line", &single);
    cases.extend(replies("replies/multi_line", &multi));
    cases
}

fn replies(group: &'static str, replies: &[&[u8]]) -> Vec<Case> {
    let owned: Vec<Vec<u8>> = replies.iter().map(|r| r.to_vec()).collect();
    let bytes = owned.iter().map(Vec::len).sum();
    let count = owned.len();
    let ours = owned.clone();
    let theirs = owned.clone();
    let mut receiver = ResponseReceiver::default();
    let text: Vec<String> = owned
        .iter()
        .map(|r| String::from_utf8(r.clone()).unwrap_or_default())
        .collect();
    vec![
        Case::new(group, OURS, bytes, count, move || ours_replies(&ours)),
        Case::new(group, STALWART, bytes, count, move || {
            stalwart_replies(&mut receiver, &theirs)
        }),
        Case::new(group, LETTRE, bytes, count, move || lettre_replies(&text)),
    ]
}

fn ours_replies(replies: &[Vec<u8>]) -> Outcome {
    let mut parsed = 0;
    for wire in replies {
        let (reply, used) = Reply::parse(wire).map_err(|e| failed("ours", e))?;
        if used != wire.len() {
            return Err(format!(
                "ours stopped after {used} of {} octets",
                wire.len()
            ));
        }
        std::hint::black_box(&reply);
        parsed += 1;
    }
    Ok(parsed)
}

/// `ResponseReceiver::parse`, reset between replies as Stalwart's client does.
fn stalwart_replies(receiver: &mut ResponseReceiver, replies: &[Vec<u8>]) -> Outcome {
    let mut parsed = 0;
    for wire in replies {
        let mut bytes = wire.iter();
        let reply = receiver
            .parse(&mut bytes)
            .map_err(|e| failed("stalwart", e))?;
        receiver.reset();
        if !bytes.as_slice().is_empty() {
            return Err("stalwart left octets unparsed".into());
        }
        std::hint::black_box(&reply);
        parsed += 1;
    }
    Ok(parsed)
}

fn lettre_replies(replies: &[String]) -> Outcome {
    let mut parsed = 0;
    for text in replies {
        let reply = LettreResponse::from_str(text).map_err(|e| failed("lettre", e))?;
        std::hint::black_box(&reply);
        parsed += 1;
    }
    Ok(parsed)
}
