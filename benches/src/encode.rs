//! Encoding commands, replies and EHLO responses into a reused buffer.
//!
//! The values are parsed once outside the timed loop by each crate's own
//! parser, so every competitor encodes the same messages. Stalwart has no
//! command encoder; smtp-codec has no reply type other than greeting/EHLO,
//! and no BDAT, so the command group is the mix without BDAT.

use smtp_codec::{
    parse::{command::command as codec_command, response::ehlo_ok_rsp},
    types::{Command as CodecCommand, Response as CodecResponse},
};
use smtp_proto::{Command, EhloInfo, Encode, ParseOptions, Reply};
use stalwart_smtp_proto::{EhloResponse, Response, response::parser::ResponseReceiver};

use crate::{
    case::{Case, OURS, Outcome, SMTP_CODEC, STALWART, failed},
    inputs::{EHLO_RESPONSE, REPLIES, command_mix_without_bdat},
};

/// The encoding cases, in table order.
///
/// The encoders do not all write the same octets for the same message:
/// smtp-codec writes `RCPT TO:<<postmaster@example.net>>` for a postmaster
/// recipient; Stalwart's `Response::write` joins the lines of a multi-line
/// reply with a bare LF and adds `0.0.0` where there is no enhanced code,
/// and `EhloResponse::write` writes its own greeting and keyword order. So
/// each case's throughput counts the octets it writes, and the tables
/// compare time per message set.
pub fn cases() -> Vec<Case> {
    let mut cases = commands();
    cases.extend(replies());
    cases.extend(ehlo());
    cases
}

fn commands() -> Vec<Case> {
    const GROUP: &str = "encode/commands";
    let lines = command_mix_without_bdat();
    let bytes = lines.iter().map(|l| l.len()).sum();
    let opts = ParseOptions::default();
    let ours: Vec<Command<'static>> = lines
        .iter()
        .filter_map(|l| Command::parse(l, &opts).ok())
        .map(|(c, _)| c.into_owned())
        .collect();
    let theirs: Vec<CodecCommand> = lines
        .iter()
        .filter_map(|l| codec_command(l).ok())
        .map(|(_, c)| c)
        .collect();
    let mut ours_out = Vec::with_capacity(bytes);
    let mut codec_out = Vec::with_capacity(bytes);
    vec![
        measured(GROUP, OURS, move || ours_encode(&ours, &mut ours_out)),
        measured(GROUP, SMTP_CODEC, move || {
            codec_out.clear();
            for command in &theirs {
                command
                    .serialize(&mut codec_out)
                    .map_err(|e| failed("smtp-codec", e))?;
            }
            Ok(codec_out.len() as u64)
        }),
    ]
}

fn replies() -> Vec<Case> {
    const GROUP: &str = "encode/replies";
    let bytes = REPLIES.iter().map(|r| r.len()).sum();
    let ours: Vec<Reply<'static>> = REPLIES
        .iter()
        .filter_map(|r| Reply::parse(r).ok())
        .map(|(r, _)| r.into_owned())
        .collect();
    let mut receiver = ResponseReceiver::default();
    let theirs: Vec<Response<String>> = REPLIES
        .iter()
        .filter_map(|r| {
            let parsed = receiver.parse(&mut r.iter()).ok();
            receiver.reset();
            parsed
        })
        .collect();
    let mut ours_out = Vec::with_capacity(bytes);
    let mut their_out = Vec::with_capacity(bytes);
    vec![
        measured(GROUP, OURS, move || ours_encode(&ours, &mut ours_out)),
        measured(GROUP, STALWART, move || {
            their_out.clear();
            for reply in &theirs {
                reply
                    .write(&mut their_out)
                    .map_err(|e| failed("stalwart", e))?;
            }
            Ok(their_out.len() as u64)
        }),
    ]
}

fn ehlo() -> Vec<Case> {
    const GROUP: &str = "encode/ehlo";
    let bytes = EHLO_RESPONSE.len();
    let ours: Vec<EhloInfo<'static>> = EhloInfo::parse(EHLO_RESPONSE)
        .ok()
        .map(|(info, _)| info.into_owned())
        .into_iter()
        .collect();
    let stalwart: Option<EhloResponse<String>> =
        EhloResponse::parse(&mut EHLO_RESPONSE.iter()).ok();
    let codec: Option<CodecResponse> = ehlo_ok_rsp(EHLO_RESPONSE).ok().map(|(_, r)| r);
    let mut ours_out = Vec::with_capacity(bytes);
    let mut stalwart_out = Vec::with_capacity(bytes);
    let mut codec_out = Vec::with_capacity(bytes);
    vec![
        measured(GROUP, OURS, move || ours_encode(&ours, &mut ours_out)),
        measured(GROUP, STALWART, move || {
            stalwart_out.clear();
            let info = stalwart.as_ref().ok_or("stalwart did not parse it")?;
            info.write(&mut stalwart_out)
                .map_err(|e| failed("stalwart", e))?;
            Ok(stalwart_out.len() as u64)
        }),
        measured(GROUP, SMTP_CODEC, move || {
            codec_out.clear();
            let info = codec.as_ref().ok_or("smtp-codec did not parse it")?;
            info.serialize(&mut codec_out)
                .map_err(|e| failed("smtp-codec", e))?;
            Ok(codec_out.len() as u64)
        }),
    ]
}

/// A case whose input size and expected output are what its first call
/// wrote: a call that fails or writes nothing fails verification.
fn measured(
    group: &'static str,
    competitor: &'static str,
    mut run: impl FnMut() -> Outcome + 'static,
) -> Case {
    let written = run().ok().filter(|&n| n > 0).unwrap_or(0) as usize;
    Case::new(group, competitor, written, written.max(1), run)
}

fn ours_encode<T: Encode>(values: &[T], out: &mut Vec<u8>) -> Outcome {
    out.clear();
    if values.is_empty() {
        return Err("ours parsed nothing to encode".into());
    }
    for value in values {
        value.encode(out);
    }
    Ok(out.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our encoder gives back the very octets each message was parsed from,
    /// so our throughput is counted on the same input as the parsing groups.
    #[test]
    fn our_encoders_write_back_the_inputs() {
        for mut case in cases().into_iter().filter(|c| c.competitor == OURS) {
            let input: usize = match case.group {
                "encode/commands" => command_mix_without_bdat().iter().map(|l| l.len()).sum(),
                "encode/replies" => REPLIES.iter().map(|r| r.len()).sum(),
                _ => EHLO_RESPONSE.len(),
            };
            assert_eq!(case.run(), Ok(input as u64), "{}", case.id());
        }
    }
}
