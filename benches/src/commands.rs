//! Command parsing: the realistic mix one command per call and pipelined in
//! one buffer, and the long-parameter worst case.
//!
//! Each parser gets the lines as they come off the wire, CRLF included.
//! duesee's `smtp-codec` has no CHUNKING, so it joins the groups without
//! `BDAT` (the mix minus that line, and the long-parameter line).

use smtp_codec::parse::command::command as codec_command;
use smtp_proto::{Command, ParseOptions};
use stalwart_smtp_proto::{Request, request::receiver::RequestReceiver};

use crate::{
    case::{Case, OURS, Outcome, SMTP_CODEC, STALWART, failed},
    inputs::{COMMAND_MIX, command_mix_without_bdat, long_parameter_command, pipelined},
};

/// The command cases, in table order.
pub fn cases() -> Vec<Case> {
    let mix: Vec<Vec<u8>> = COMMAND_MIX.iter().map(|l| l.to_vec()).collect();
    let without_bdat: Vec<Vec<u8>> = command_mix_without_bdat()
        .iter()
        .map(|l| l.to_vec())
        .collect();
    let long = vec![long_parameter_command()];
    let mut cases = Vec::new();
    for (group, lines, with_codec) in [
        ("commands/mix_one_per_call", &mix, false),
        ("commands/long_parameter", &long, true),
    ] {
        cases.extend(one_per_call(group, lines, with_codec));
    }
    for (group, lines, with_codec) in [
        ("commands/mix_pipelined", &mix, false),
        ("commands/mix_without_bdat_pipelined", &without_bdat, true),
    ] {
        cases.extend(in_one_buffer(group, lines, with_codec));
    }
    cases
}

fn one_per_call(group: &'static str, lines: &[Vec<u8>], with_codec: bool) -> Vec<Case> {
    let bytes = lines.iter().map(Vec::len).sum();
    let count = lines.len();
    let mut cases = Vec::new();
    let ours = lines.to_vec();
    cases.push(Case::new(group, OURS, bytes, count, move || {
        ours_one_per_call(&ours)
    }));
    let theirs = lines.to_vec();
    cases.push(Case::new(group, STALWART, bytes, count, move || {
        stalwart_one_per_call(&theirs)
    }));
    if with_codec {
        let theirs = lines.to_vec();
        cases.push(Case::new(group, SMTP_CODEC, bytes, count, move || {
            codec_one_per_call(&theirs)
        }));
    }
    cases
}

fn in_one_buffer(group: &'static str, lines: &[Vec<u8>], with_codec: bool) -> Vec<Case> {
    let refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    let buffer = pipelined(&refs);
    let count = lines.len();
    let mut cases = Vec::new();
    let ours = buffer.clone();
    cases.push(Case::new(group, OURS, buffer.len(), count, move || {
        ours_pipelined(&ours)
    }));
    let theirs = buffer.clone();
    let mut receiver = RequestReceiver::default();
    cases.push(Case::new(group, STALWART, buffer.len(), count, move || {
        stalwart_pipelined(&mut receiver, &theirs)
    }));
    if with_codec {
        let theirs = buffer.clone();
        cases.push(Case::new(
            group,
            SMTP_CODEC,
            buffer.len(),
            count,
            move || codec_pipelined(&theirs),
        ));
    }
    cases
}

/// `Command::parse` on each line: the server's entry point, framing included.
fn ours_one_per_call(lines: &[Vec<u8>]) -> Outcome {
    let opts = ParseOptions::default();
    let mut parsed = 0;
    for line in lines {
        let (command, used) = Command::parse(line, &opts).map_err(|e| failed("ours", e))?;
        if used != line.len() {
            return Err(format!(
                "ours stopped after {used} of {} octets",
                line.len()
            ));
        }
        std::hint::black_box(&command);
        parsed += 1;
    }
    Ok(parsed)
}

/// `Command::parse` from the front of one buffer until it is used up.
fn ours_pipelined(buffer: &[u8]) -> Outcome {
    let opts = ParseOptions::default();
    let mut rest = buffer;
    let mut parsed = 0;
    while !rest.is_empty() {
        let (command, used) = Command::parse(rest, &opts).map_err(|e| failed("ours", e))?;
        std::hint::black_box(&command);
        rest = rest.get(used..).unwrap_or_default();
        parsed += 1;
    }
    Ok(parsed)
}

/// `Request::parse`, Stalwart's parser for one buffered line.
fn stalwart_one_per_call(lines: &[Vec<u8>]) -> Outcome {
    let mut parsed = 0;
    for line in lines {
        let mut bytes = line.iter();
        let request = Request::parse(&mut bytes).map_err(|e| failed("stalwart", e))?;
        if !bytes.as_slice().is_empty() {
            return Err("stalwart left octets unparsed".into());
        }
        std::hint::black_box(&request);
        parsed += 1;
    }
    Ok(parsed)
}

/// `RequestReceiver::ingest`, Stalwart's streaming entry point (what its
/// server calls on each read).
fn stalwart_pipelined(receiver: &mut RequestReceiver, buffer: &[u8]) -> Outcome {
    let mut bytes = buffer.iter();
    let mut parsed = 0;
    while !bytes.as_slice().is_empty() {
        let request = receiver
            .ingest(&mut bytes)
            .map_err(|e| failed("stalwart", e))?;
        std::hint::black_box(&request);
        parsed += 1;
    }
    Ok(parsed)
}

/// `command`, duesee's nom parser, on each line.
fn codec_one_per_call(lines: &[Vec<u8>]) -> Outcome {
    let mut parsed = 0;
    for line in lines {
        let (tail, command) = codec_command(line).map_err(|e| failed("smtp-codec", e))?;
        if !tail.is_empty() {
            return Err("smtp-codec left octets unparsed".into());
        }
        std::hint::black_box(&command);
        parsed += 1;
    }
    Ok(parsed)
}

/// `command`, duesee's nom parser, from the front of the buffer (it
/// consumes the CRLF itself, so one line and many are the same loop).
fn codec_pipelined(buffer: &[u8]) -> Outcome {
    let mut rest = buffer;
    let mut parsed = 0;
    while !rest.is_empty() {
        let (tail, command) = codec_command(rest).map_err(|e| failed("smtp-codec", e))?;
        std::hint::black_box(&command);
        rest = tail;
        parsed += 1;
    }
    Ok(parsed)
}
