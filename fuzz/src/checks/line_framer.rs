//! `line_framer`: a byte stream, fed to `LineFramer` in chunks whose lengths
//! are part of the input, the way a server holds its receive buffer.
//!
//! Chunking never changes the lines and over-long marks produced, both agree
//! with a reference splitter, every frame makes progress, and the buffer a
//! framer asks the caller to keep never reaches the limit.
//!
//! Input: `flags limit n len_1..len_n payload`; flag bit 0 lets a bare LF end
//! a line, bit 1 uses the 512-octet command limit instead of `limit + 1`.

use smtp_proto::framing::{COMMAND_LINE_MAX, Frame, LineFramer};

use super::input::StreamInput;

/// What the caller learns from the framer, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Framed {
    /// A line within the limit, without its terminator.
    Line(Vec<u8>),
    /// An over-long line ended (`500 5.5.6`).
    TooLong,
}

/// Runs every invariant on one input.
pub fn check_line_framer(data: &[u8]) {
    let input = StreamInput::parse(data);
    let lf = input.flag(0);
    let limit = if input.flag(1) {
        COMMAND_LINE_MAX
    } else {
        usize::from(input.param) + 1
    };
    let whole = frame(&[input.payload], limit, lf);
    let chunked = frame(&input.chunks(), limit, lf);
    assert_eq!(chunked, whole, "chunking changed the frames");
    assert_eq!(
        whole,
        reference(input.payload, limit, lf),
        "framer and reference disagree"
    );
}

fn frame(chunks: &[&[u8]], limit: usize, lf: bool) -> Vec<Framed> {
    let mut framer = LineFramer::new(limit).with_lf_line_endings(lf);
    let mut buf: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match framer.next_line(&buf) {
                Frame::Line { line_len, consumed } => {
                    assert!(
                        line_len < consumed && consumed <= buf.len(),
                        "{line_len} {consumed}"
                    );
                    assert!(
                        consumed <= limit,
                        "a line of {consumed} octets over limit {limit}"
                    );
                    out.push(Framed::Line(buf[..line_len].to_vec()));
                    buf.drain(..consumed);
                }
                Frame::NeedMore => {
                    assert!(
                        buf.len() < limit,
                        "NeedMore with {} ≥ {limit} buffered",
                        buf.len()
                    );
                    break;
                }
                Frame::Discard { skip } => {
                    assert!(
                        skip > 0 && skip <= buf.len(),
                        "discard {skip} of {}",
                        buf.len()
                    );
                    assert!(framer.is_discarding());
                    buf.drain(..skip);
                }
                Frame::TooLong { skip } => {
                    assert!(
                        skip > 0 && skip <= buf.len(),
                        "skip {skip} of {}",
                        buf.len()
                    );
                    assert!(!framer.is_discarding());
                    out.push(Framed::TooLong);
                    buf.drain(..skip);
                }
            }
        }
    }
    out
}

/// Splits the whole stream at its line ends, from the rules: CRLF ends a
/// line, and with `lf` so does a bare LF; the limit counts the terminator;
/// an unterminated tail produces nothing yet.
fn reference(stream: &[u8], limit: usize, lf: bool) -> Vec<Framed> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut k = 0;
    while k < stream.len() {
        if stream[k] == b'\n' {
            let after_cr = k > start && stream[k - 1] == b'\r';
            if after_cr || lf {
                let content_end = if after_cr { k - 1 } else { k };
                let total = k + 1 - start;
                out.push(if total <= limit {
                    Framed::Line(stream[start..content_end].to_vec())
                } else {
                    Framed::TooLong
                });
                start = k + 1;
            }
        }
        k += 1;
    }
    out
}
