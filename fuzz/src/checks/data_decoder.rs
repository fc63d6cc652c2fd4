//! `data_decoder`: arbitrary DATA input, fed to `DataDecoder` in chunks
//! whose lengths are part of the input.
//!
//! The chunked decode gives the same body, end position, size accounting and
//! bare line ending reports as a one-shot decode, and both agree with the
//! reference decoder; the terminator is only ever found at `<CRLF>.<CRLF>`
//! (or `.<CRLF>` first), never at a smuggling vector (`<LF>.<LF>`,
//! `<CR>.<CR>`, `<LF>.<CRLF>`, ...).
//!
//! After the terminator, a `reset` decoder reads the rest of the input
//! exactly as a new one does (the next message on the connection).
//!
//! Input: `flags limit n len_1..len_n payload`; flag bit 0 selects
//! `Normalise`, bit 1 a size limit of `limit` octets.

use smtp_proto::{BareLineEndings, DataDecoder};

use super::input::StreamInput;
use super::reference_data_decoder::{DecodeOutcome, reference_decode};

/// Runs every invariant on one input.
pub fn check_data_decoder(data: &[u8]) {
    let input = StreamInput::parse(data);
    let policy = if input.flag(0) {
        BareLineEndings::Normalise
    } else {
        BareLineEndings::Reject
    };
    let limit = if input.flag(1) {
        u64::from(input.param)
    } else {
        u64::MAX
    };
    let whole = decode(&[input.payload], policy, limit);
    let chunked = decode(&input.chunks(), policy, limit);
    assert_eq!(chunked, whole, "chunking changed the outcome");
    let reference = reference_decode(input.payload, policy, limit);
    assert_eq!(whole, reference, "decoder and reference disagree");
    if whole.done {
        let end = whole.consumed;
        let payload = input.payload;
        assert_eq!(&payload[end - 3..end], b".\r\n", "terminator is not .CRLF");
        assert!(
            end == 3 || &payload[end - 5..end - 3] == b"\r\n",
            "terminator not preceded by CRLF"
        );
        check_reset(payload, end, policy, limit);
    }
}

/// Decodes `payload[end..]` with a decoder `reset` after the first message
/// and with a new one: same body, same progress, same reports.
fn check_reset(payload: &[u8], end: usize, policy: BareLineEndings, limit: u64) {
    let mut reused = DataDecoder::new()
        .with_bare_line_endings(policy)
        .with_size_limit(limit);
    let mut body = Vec::new();
    assert!(reused.decode(payload, &mut body).done);
    reused.reset();
    let rest = &payload[end..];
    let mut fresh = DataDecoder::new()
        .with_bare_line_endings(policy)
        .with_size_limit(limit);
    let (mut reused_body, mut fresh_body) = (Vec::new(), Vec::new());
    assert_eq!(
        reused.decode(rest, &mut reused_body),
        fresh.decode(rest, &mut fresh_body)
    );
    assert_eq!(reused_body, fresh_body);
    assert_eq!(reused.body_len(), fresh.body_len());
    assert_eq!(reused.input_len(), fresh.input_len());
    assert_eq!(reused.bare_line_ending(), fresh.bare_line_ending());
    assert_eq!(
        reused.bare_line_ending_count(),
        fresh.bare_line_ending_count()
    );
}

/// Feeds `chunks` the way a server does: stop at the terminator.
fn decode(chunks: &[&[u8]], policy: BareLineEndings, limit: u64) -> DecodeOutcome {
    let mut decoder = DataDecoder::new()
        .with_bare_line_endings(policy)
        .with_size_limit(limit);
    let mut body = Vec::new();
    let mut consumed = 0;
    for chunk in chunks {
        let progress = decoder.decode(chunk, &mut body);
        assert!(progress.consumed <= chunk.len());
        consumed += progress.consumed;
        if progress.done {
            assert!(decoder.is_done());
            break;
        }
        assert_eq!(
            progress.consumed,
            chunk.len(),
            "stopped early without the terminator"
        );
    }
    assert_eq!(decoder.input_len(), consumed as u64);
    assert_eq!(decoder.size_exceeded(), decoder.body_len() > limit);
    assert_eq!(body.len() as u64, decoder.body_len().min(limit));
    DecodeOutcome {
        body,
        consumed,
        done: decoder.is_done(),
        body_len: decoder.body_len(),
        first_bare: decoder.bare_line_ending(),
        bare_count: decoder.bare_line_ending_count(),
    }
}
