//! A slow, obviously correct DATA decoder (RFC 5321 §4.5.2), written from
//! the rules alone over the whole input at once, to judge the streaming
//! `smtp_proto::DataDecoder` against.
//!
//! Rules: a line starts at the first octet or after a real CRLF (never after
//! a bare CR or LF); the data ends at the first line that is exactly `.`
//! CRLF; a `.` that starts any other line is removed; a CR not followed by LF
//! and an LF not preceded by CR are bare: kept (and reported), or written as
//! CRLF under `Normalise`. Output past the size limit is counted, not kept.

use smtp_proto::{
    BareLineEndings,
    data::{BareKind, BareLineEnding},
};

/// Everything a decoder reports about one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOutcome {
    /// The body written (at most `limit` octets).
    pub body: Vec<u8>,
    /// Octets of input consumed.
    pub consumed: usize,
    /// Whether the terminator was found.
    pub done: bool,
    /// Octets of body produced, written or not.
    pub body_len: u64,
    /// The first bare CR or LF.
    pub first_bare: Option<BareLineEnding>,
    /// How many bare CRs and LFs.
    pub bare_count: u64,
}

/// Decodes `input` (everything after the `354`) in one go.
pub fn reference_decode(input: &[u8], policy: BareLineEndings, limit: u64) -> DecodeOutcome {
    let starts_line = |k: usize| k == 0 || (k >= 2 && &input[k - 2..k] == b"\r\n");
    let terminator = (0..input.len()).find(|&k| starts_line(k) && input[k..].starts_with(b".\r\n"));
    let (mut decided, consumed, done) = match terminator {
        Some(k) => (k, k + 3, true),
        None => (input.len(), input.len(), false),
    };
    if !done {
        // A line-initial "." or ".\r" at the very end may still become the
        // terminator: nothing can be said about it yet.
        for held in [&b".\r"[..], &b"."[..]] {
            if input.ends_with(held) && starts_line(input.len() - held.len()) {
                decided = input.len() - held.len();
                break;
            }
        }
    }
    let mut outcome = DecodeOutcome {
        body: Vec::new(),
        consumed,
        done,
        body_len: 0,
        first_bare: None,
        bare_count: 0,
    };
    for k in 0..decided {
        let byte = input[k];
        if byte == b'.' && starts_line(k) {
            continue;
        }
        match byte {
            // A CR at the very end of the input is not known to be bare yet.
            b'\r' if matches!(input.get(k + 1), Some(&next) if next != b'\n') => {
                outcome.bare(k, BareKind::Cr);
                match policy {
                    BareLineEndings::Reject => outcome.emit(b"\r", limit),
                    BareLineEndings::Normalise => outcome.emit(b"\r\n", limit),
                }
            }
            b'\n' if k == 0 || input[k - 1] != b'\r' => {
                outcome.bare(k, BareKind::Lf);
                match policy {
                    BareLineEndings::Reject => outcome.emit(b"\n", limit),
                    BareLineEndings::Normalise => outcome.emit(b"\r\n", limit),
                }
            }
            _ => outcome.emit(&[byte], limit),
        }
    }
    outcome
}

impl DecodeOutcome {
    fn emit(&mut self, bytes: &[u8], limit: u64) {
        for &byte in bytes {
            if self.body_len < limit {
                self.body.push(byte);
            }
            self.body_len += 1;
        }
    }

    fn bare(&mut self, offset: usize, kind: BareKind) {
        self.bare_count += 1;
        if self.first_bare.is_none() {
            self.first_bare = Some(BareLineEnding {
                offset: offset as u64,
                kind,
            });
        }
    }
}
