//! Streaming dot-stuffing of a message body for a client (RFC 5321 §4.5.2).

use memchr::memchr2;

/// What the encoder does to the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EncodeMode {
    /// For DATA: normalise line endings, dot-stuff, and let
    /// [`DataEncoder::finish`] end the body with CRLF (when it is not empty
    /// and does not already) and the terminator `.<CRLF>`.
    #[default]
    DotStuff,
    /// For BDAT with a text body (RFC 3030): normalise line endings only;
    /// `finish` completes a trailing CR to CRLF and adds nothing else.
    Normalise,
    /// For BDAT with `BODY=BINARYMIME` (RFC 3030 §3): the bytes are sent as they are.
    PassThrough,
}

/// Streaming body encoder for a client: dot-stuffing (RFC 5321 §4.5.2).
///
/// [`DataEncoder::encode`] takes the message in chunks of any size and appends
/// its wire form to a caller-owned buffer; [`DataEncoder::finish`] ends it.
/// Line endings are normalised to CRLF first (a bare LF or bare CR becomes
/// CRLF, and a CRLF split across chunks stays one CRLF), because a bare line
/// ending is what SMTP smuggling is made of and a receiver may refuse it.
/// Runs between line endings are found with `memchr2` and copied whole.
///
/// ```
/// use smtp_proto::data::DataEncoder;
///
/// let mut encoder = DataEncoder::new();
/// let mut wire = Vec::new();
/// encoder.encode(b"a\n.b\r", &mut wire);
/// encoder.encode(b"\nc", &mut wire);
/// encoder.finish(&mut wire);
/// assert_eq!(wire, b"a\r\n..b\r\nc\r\n.\r\n");
/// ```
#[derive(Debug, Clone, Default)]
pub struct DataEncoder {
    mode: EncodeMode,
    /// The last byte written ended a line (or nothing was written yet).
    mid_line: bool,
    /// The last input byte was a CR, written, whose LF is not written yet.
    pending_cr: bool,
}

impl DataEncoder {
    /// A dot-stuffing encoder for DATA.
    pub fn new() -> Self {
        Self::with_mode(EncodeMode::DotStuff)
    }

    /// An encoder in the given mode.
    pub fn with_mode(mode: EncodeMode) -> Self {
        DataEncoder {
            mode,
            mid_line: false,
            pending_cr: false,
        }
    }

    /// The mode of this encoder.
    pub fn mode(&self) -> EncodeMode {
        self.mode
    }

    /// Appends the encoded form of the next chunk of the body to `out`.
    pub fn encode(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        if self.mode == EncodeMode::PassThrough {
            out.extend_from_slice(chunk);
            return;
        }
        let stuff = self.mode == EncodeMode::DotStuff;
        // Room for the whole chunk plus a few stuffed dots and LFs.
        out.reserve(chunk.len() + chunk.len() / 32 + 4);
        let mut rest = chunk;
        while let Some((&first, tail)) = rest.split_first() {
            if self.pending_cr {
                // Either completes the CRLF or turns a bare CR into one.
                self.pending_cr = false;
                out.push(b'\n');
                self.mid_line = false;
                if first == b'\n' {
                    rest = tail;
                    continue;
                }
            }
            if stuff && !self.mid_line && first == b'.' {
                out.push(b'.');
            }
            match memchr2(b'\r', b'\n', rest) {
                None => {
                    out.extend_from_slice(rest);
                    self.mid_line = true;
                    return;
                }
                Some(end) => {
                    let (line, after) = rest.split_at(end);
                    out.extend_from_slice(line);
                    if after.first() == Some(&b'\n') {
                        out.extend_from_slice(b"\r\n");
                        self.mid_line = false;
                    } else {
                        out.push(b'\r');
                        self.pending_cr = true;
                        self.mid_line = true;
                    }
                    rest = after.get(1..).unwrap_or_default();
                }
            }
        }
    }

    /// Ends the body (see [`EncodeMode`] for what each mode appends) and makes
    /// the encoder ready for the next message.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.pending_cr {
            out.push(b'\n');
            self.mid_line = false;
        }
        if self.mode == EncodeMode::DotStuff {
            if self.mid_line {
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b".\r\n");
        }
        *self = Self::with_mode(self.mode);
    }

    /// Encodes a whole body at once: `encode(body)` then `finish()`.
    pub fn encode_body(mode: EncodeMode, body: &[u8], out: &mut Vec<u8>) {
        let mut encoder = Self::with_mode(mode);
        encoder.encode(body, out);
        encoder.finish(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DataDecoder;
    use proptest::prelude::*;

    fn encode_in(mode: EncodeMode, body: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
        bounds.sort_unstable();
        bounds.push(body.len());
        let mut e = DataEncoder::with_mode(mode);
        let mut out = Vec::new();
        let mut start = 0;
        for end in bounds {
            e.encode(&body[start..end], &mut out);
            start = end;
        }
        e.finish(&mut out);
        out
    }

    /// Bare CR and bare LF become CRLF.
    fn normalise(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut k = 0;
        while k < body.len() {
            match (body[k], body.get(k + 1)) {
                (b'\r', Some(b'\n')) => {
                    out.extend_from_slice(b"\r\n");
                    k += 2;
                    continue;
                }
                (b'\r' | b'\n', _) => out.extend_from_slice(b"\r\n"),
                (b, _) => out.push(b),
            }
            k += 1;
        }
        out
    }

    fn has_bare(bytes: &[u8]) -> bool {
        bytes.iter().enumerate().any(|(k, &b)| {
            (b == b'\r' && bytes.get(k + 1) != Some(&b'\n'))
                || (b == b'\n' && (k == 0 || bytes[k - 1] != b'\r'))
        })
    }

    fn stuffed(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        DataEncoder::encode_body(EncodeMode::DotStuff, body, &mut out);
        out
    }

    #[test]
    fn known_answers() {
        assert_eq!(stuffed(b""), b".\r\n");
        assert_eq!(stuffed(b"a"), b"a\r\n.\r\n");
        assert_eq!(stuffed(b"a\r\n"), b"a\r\n.\r\n");
        assert_eq!(stuffed(b"."), b"..\r\n.\r\n");
        assert_eq!(stuffed(b".\r\n"), b"..\r\n.\r\n");
        assert_eq!(stuffed(b"a\r\n.b\r\n..\r\n"), b"a\r\n..b\r\n...\r\n.\r\n");
        assert_eq!(stuffed(b"a\n.\nb"), b"a\r\n..\r\nb\r\n.\r\n");
        assert_eq!(stuffed(b"a\r.\rb\r"), b"a\r\n..\r\nb\r\n.\r\n");
        assert_eq!(stuffed(b"a.b\r\n"), b"a.b\r\n.\r\n");
        assert_eq!(stuffed(b"\r\r\n\n"), b"\r\n\r\n\r\n.\r\n");
    }

    #[test]
    fn crlf_split_across_chunks_stays_one() {
        assert_eq!(
            encode_in(EncodeMode::DotStuff, b"a\r\n.b", &[2]),
            b"a\r\n..b\r\n.\r\n"
        );
        assert_eq!(
            encode_in(EncodeMode::Normalise, b"a\r\nb\r", &[2, 5]),
            b"a\r\nb\r\n"
        );
    }

    #[test]
    fn other_modes() {
        let body = b"x\n.y\r";
        let mut out = Vec::new();
        DataEncoder::encode_body(EncodeMode::Normalise, body, &mut out);
        assert_eq!(out, b"x\r\n.y\r\n");
        out.clear();
        DataEncoder::encode_body(EncodeMode::PassThrough, body, &mut out);
        assert_eq!(out, body);
    }

    #[test]
    fn finish_resets_for_the_next_message() {
        let mut e = DataEncoder::new();
        let mut out = Vec::new();
        e.encode(b"a\r", &mut out);
        e.finish(&mut out);
        e.encode(b".", &mut out);
        e.finish(&mut out);
        assert_eq!(out, b"a\r\n.\r\n..\r\n.\r\n");
    }

    fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                3 => Just(b'\r'),
                3 => Just(b'\n'),
                3 => Just(b'.'),
                2 => Just(b'a'),
                1 => any::<u8>(),
            ],
            0..200,
        )
    }

    proptest! {
        #[test]
        fn decode_of_encode_is_normalised_body(
            body in body_bytes(),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
            decode_cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let wire = encode_in(EncodeMode::DotStuff, &body, &cuts);
            prop_assert_eq!(&wire, &encode_in(EncodeMode::DotStuff, &body, &[]));
            prop_assert!(!has_bare(&wire));
            let mut expected = normalise(&body);
            if !expected.is_empty() && !expected.ends_with(b"\r\n") {
                expected.extend_from_slice(b"\r\n");
            }
            let mut bounds: Vec<usize> = decode_cuts.iter().map(|c| c % (wire.len() + 1)).collect();
            bounds.sort_unstable();
            bounds.push(wire.len());
            let mut d = DataDecoder::new();
            let mut decoded = Vec::new();
            let mut start = 0;
            let mut consumed = 0;
            for end in bounds {
                consumed += d.decode(&wire[start..end], &mut decoded).consumed;
                start = end;
            }
            prop_assert!(d.is_done());
            prop_assert_eq!(consumed, wire.len());
            prop_assert_eq!(d.bare_line_ending(), None);
            prop_assert_eq!(decoded, expected);
        }

        #[test]
        fn normalise_mode_only_normalises(
            body in body_bytes(),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let wire = encode_in(EncodeMode::Normalise, &body, &cuts);
            prop_assert!(!has_bare(&wire));
            prop_assert_eq!(wire, normalise(&body));
            prop_assert_eq!(encode_in(EncodeMode::PassThrough, &body, &cuts), body);
        }
    }
}
