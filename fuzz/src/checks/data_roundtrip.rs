//! `data_roundtrip`: an arbitrary message body through the client's encoders
//! and back through the server's decoders.
//!
//! DATA: stuff (in chunks) → unstuff gives the body with its line endings
//! normalised to CRLF (and a final CRLF added), with no bare line ending on
//! the wire, no early terminator, and the same wire as a one-shot encode.
//! BDAT: a `Normalise` encoder gives exactly the normalised body and a
//! `PassThrough` one the body; `BdatWriter` chunks read back with the
//! command parser and `BdatReader` give the body again.
//!
//! Input: `flags size n len_1..len_n payload`; `size + 1` is the BDAT chunk size.

use smtp_proto::{
    Command, DataDecoder, DataEncoder, EncodeMode, ParseOptions,
    bdat::{BdatReader, BdatWriter, bdat_chunks},
};

use super::{assert_no_bare_line_endings, input::StreamInput};

/// Runs every invariant on one input.
pub fn check_data_roundtrip(data: &[u8]) {
    let input = StreamInput::parse(data);
    let chunks = input.chunks();
    let body = input.payload;
    let normalised = normalise(body);

    let wire = encode(EncodeMode::DotStuff, &chunks);
    let mut one_shot = Vec::new();
    DataEncoder::encode_body(EncodeMode::DotStuff, body, &mut one_shot);
    assert_eq!(wire, one_shot, "chunking changed the DATA encoding");
    assert_no_bare_line_endings(&wire);
    let mut expected = normalised.clone();
    if !expected.is_empty() && !expected.ends_with(b"\r\n") {
        expected.extend_from_slice(b"\r\n");
    }
    let mut decoder = DataDecoder::new();
    let mut decoded = Vec::new();
    let progress = decoder.decode(&wire, &mut decoded);
    assert!(
        progress.done,
        "no terminator in {:?}",
        String::from_utf8_lossy(&wire)
    );
    assert_eq!(progress.consumed, wire.len(), "terminator found early");
    assert_eq!(decoder.bare_line_ending(), None);
    assert_eq!(decoded, expected, "stuff → unstuff changed the body");

    assert_eq!(encode(EncodeMode::Normalise, &chunks), normalised);
    assert_eq!(encode(EncodeMode::PassThrough, &chunks), body);

    check_bdat(&chunks, body, usize::from(input.param) + 1);
}

fn encode(mode: EncodeMode, chunks: &[&[u8]]) -> Vec<u8> {
    let mut encoder = DataEncoder::with_mode(mode);
    let mut wire = Vec::new();
    for chunk in chunks {
        encoder.encode(chunk, &mut wire);
    }
    encoder.finish(&mut wire);
    wire
}

/// Every CRLF, bare CR and bare LF becomes CRLF.
fn normalise(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut k = 0;
    while k < body.len() {
        match body[k] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if body.get(k + 1) == Some(&b'\n') {
                    k += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            byte => out.push(byte),
        }
        k += 1;
    }
    out
}

fn check_bdat(chunks: &[&[u8]], body: &[u8], chunk_size: usize) {
    let mut writer = BdatWriter::new(chunk_size);
    let mut stream = Vec::new();
    for chunk in chunks {
        writer.write(chunk, &mut stream);
    }
    writer.finish(&mut stream);

    let mut from_iterator = Vec::new();
    for chunk in bdat_chunks(body, chunk_size) {
        chunk.encode(&mut from_iterator);
    }
    assert_eq!(from_iterator, stream, "bdat_chunks and BdatWriter differ");

    let mut reader = BdatReader::new();
    let mut message = Vec::new();
    let mut rest = &stream[..];
    loop {
        let (command, used) = Command::parse(rest, &ParseOptions::strict())
            .unwrap_or_else(|e| panic!("BDAT command does not parse: {e:?}"));
        let Command::Bdat { size, last } = command else {
            panic!("not a BDAT command: {command:?}");
        };
        assert!(size <= chunk_size as u64);
        reader.start_chunk(size, last);
        rest = &rest[used..];
        let read = reader.read(rest);
        assert!(read.chunk_done, "chunk of {size} octets not complete");
        assert_eq!(read.consumed as u64, size);
        message.extend_from_slice(read.data);
        rest = &rest[read.consumed..];
        if read.message_done {
            break;
        }
    }
    assert!(rest.is_empty(), "octets after the LAST chunk");
    assert!(reader.is_complete());
    assert_eq!(message, body, "BDAT changed the message");
}
