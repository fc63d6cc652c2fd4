//! DATA: dot-unstuffing a 1 MiB body with one line in 50 stuffed, in one
//! call and in 4 KiB chunks (a socket read), and dot-stuffing the same body.
//!
//! Each decoder appends to one output buffer, cleared (not freed) between
//! calls, as a server reusing its buffer does. Stalwart has no encoder, so
//! the stuffing groups measure ours alone.

use smtp_proto::{DataDecoder, DataEncoder, EncodeMode};
use stalwart_smtp_proto::request::receiver::DataReceiver;

use crate::{
    case::{Case, OURS, Outcome, STALWART},
    inputs::{DATA_CHUNK, data_body, data_wire},
};

/// The DATA cases, in table order.
pub fn cases() -> Vec<Case> {
    let body = data_body();
    let wire = data_wire(&body);
    let mut cases = Vec::new();
    for (group, chunk) in [
        ("data/unstuff_one_call", wire.len()),
        ("data/unstuff_4k_chunks", DATA_CHUNK),
    ] {
        let ours = wire.clone();
        let mut out = Vec::with_capacity(body.len());
        cases.push(Case::new(group, OURS, wire.len(), body.len(), move || {
            ours_unstuff(&ours, chunk, &mut out)
        }));
        let theirs = wire.clone();
        let mut out = Vec::with_capacity(body.len());
        cases.push(Case::new(
            group,
            STALWART,
            wire.len(),
            body.len(),
            move || stalwart_unstuff(&theirs, chunk, &mut out),
        ));
    }
    for (group, chunk) in [
        ("data/stuff_one_call", body.len()),
        ("data/stuff_4k_chunks", DATA_CHUNK),
    ] {
        let input = body.clone();
        let mut out = Vec::with_capacity(wire.len());
        cases.push(Case::new(group, OURS, body.len(), wire.len(), move || {
            ours_stuff(&input, chunk, &mut out)
        }));
    }
    cases
}

fn ours_unstuff(wire: &[u8], chunk: usize, out: &mut Vec<u8>) -> Outcome {
    out.clear();
    let mut decoder = DataDecoder::new();
    let mut chunks = wire.chunks(chunk).peekable();
    while let Some(piece) = chunks.next() {
        let progress = decoder.decode(piece, out);
        if progress.done {
            if progress.consumed != piece.len() || chunks.peek().is_some() {
                return Err("ours ended the data early".into());
            }
            if decoder.bare_line_ending().is_some() {
                return Err("ours reported a bare line ending".into());
            }
            return Ok(out.len() as u64);
        }
    }
    Err("ours did not see the terminator".into())
}

fn stalwart_unstuff(wire: &[u8], chunk: usize, out: &mut Vec<u8>) -> Outcome {
    out.clear();
    let mut receiver = DataReceiver::new();
    let mut chunks = wire.chunks(chunk).peekable();
    while let Some(piece) = chunks.next() {
        let mut bytes = piece.iter();
        if receiver.ingest(&mut bytes, out) {
            if !bytes.as_slice().is_empty() || chunks.peek().is_some() {
                return Err("stalwart ended the data early".into());
            }
            return Ok(out.len() as u64);
        }
    }
    Err("stalwart did not see the terminator".into())
}

fn ours_stuff(body: &[u8], chunk: usize, out: &mut Vec<u8>) -> Outcome {
    out.clear();
    let mut encoder = DataEncoder::with_mode(EncodeMode::DotStuff);
    for piece in body.chunks(chunk) {
        encoder.encode(piece, out);
    }
    encoder.finish(out);
    Ok(out.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_decoders_give_back_the_body_and_the_encoder_the_wire() {
        let body = data_body();
        let wire = data_wire(&body);
        for chunk in [wire.len(), DATA_CHUNK, 1000] {
            let mut out = Vec::new();
            ours_unstuff(&wire, chunk, &mut out).unwrap();
            assert!(out == body, "ours, chunk {chunk}");
            stalwart_unstuff(&wire, chunk, &mut out).unwrap();
            assert!(out == body, "stalwart, chunk {chunk}");
            ours_stuff(&body, chunk, &mut out).unwrap();
            assert!(out == wire, "stuffing, chunk {chunk}");
        }
    }
}
