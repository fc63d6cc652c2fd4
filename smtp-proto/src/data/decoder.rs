//! Streaming dot-unstuffing of a DATA body for a server (RFC 5321 §4.5.2).

use super::scan::{RunEnds, is_bare_pair};

/// What the decoder does with a bare CR or bare LF in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BareLineEndings {
    /// Copy it unchanged and record it ([`DataDecoder::bare_line_ending`]); the
    /// server reads on to the real terminator, then refuses the message
    /// (e.g. `550 5.6.11`), which defeats SMTP smuggling.
    #[default]
    Reject,
    /// Write CRLF in its place (and still record it).
    Normalise,
}

/// Which kind of bare line ending was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BareKind {
    /// A CR not followed by LF.
    Cr,
    /// An LF not preceded by CR.
    Lf,
}

/// Where the first bare line ending was seen, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BareLineEnding {
    /// Offset of the bare CR or LF in the DATA input (0 = first byte after `354`).
    pub offset: u64,
    /// CR or LF.
    pub kind: BareKind,
}

/// The result of one [`DataDecoder::decode`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataProgress {
    /// Bytes of the input consumed: the whole chunk, or up to and including
    /// the terminating `.<CRLF>`.
    pub consumed: usize,
    /// The terminator was found: the body is complete.
    pub done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Inside a line; the last byte was not a CR.
    Text,
    /// The last byte was a CR, already written.
    Cr,
    /// At the start of a line: after a real CRLF, or at the start of the data.
    LineStart,
    /// A line-initial `.` was read and held back.
    Dot,
    /// A line-initial `.` and a CR were read and held back.
    DotCr,
    /// The terminator was read.
    Done,
}

/// Streaming DATA decoder for a server: dot-unstuffing (RFC 5321 §4.5.2).
///
/// [`DataDecoder::decode`] takes the bytes received after `354` in chunks of
/// any size (one byte included) and appends the unstuffed body to a
/// caller-owned `Vec<u8>`, which the caller may drain after each call: the
/// body is streamed, never buffered whole by the decoder. The decoder holds at
/// most two bytes itself (a line-initial `.` and a CR after it), carried as
/// state across chunks.
///
/// Rules:
/// - Only `<CRLF>.<CRLF>` ends the data, the CRLF of the `DATA` command
///   counting as the first CRLF. The terminating `.<CRLF>` is not part of the
///   body; the CRLF before it is, so a non-empty body ends with CRLF.
/// - A line is what follows a real CRLF (or the start): a `.` that begins a
///   line and is not the terminator is removed (`..x` gives `.x`, also on the
///   first line). A bare CR or bare LF does not begin a line.
/// - A bare CR (not followed by LF) or bare LF (not preceded by CR) never ends
///   the data. [`BareLineEndings::Reject`] copies it unchanged and records it;
///   [`BareLineEndings::Normalise`] writes CRLF instead and records it too.
/// - NUL and every other octet are passed through and not reported: RFC 5321
///   leaves their policy to the server, which sees them in the body.
/// - Bytes after the terminator are not consumed: they are the next commands
///   of a pipelining client.
///
/// Speed: most of the input is copied in long runs with `extend_from_slice`;
/// a run ends only where a pair of adjacent bytes needs a decision (a `.`
/// after LF, a bare CR or LF). The bare line endings are found by a
/// branch-free test over 128-byte blocks that the compiler vectorises, run
/// 4 KiB ahead, then the `.` within that window with `memchr` (vectorised at
/// run time). Those few bytes go through a small state machine, which also
/// carries the state across chunk boundaries.
///
/// ```
/// use smtp_proto::data::DataDecoder;
///
/// let mut decoder = DataDecoder::new();
/// let mut body = Vec::new();
/// let first = decoder.decode(b"Subject: hi\r\n\r\n..dot\r", &mut body);
/// assert!(!first.done);
/// let input = b"\n.\r\nQUIT\r\n";
/// let second = decoder.decode(input, &mut body);
/// assert!(second.done);
/// assert_eq!(&input[second.consumed..], b"QUIT\r\n");
/// assert_eq!(body, b"Subject: hi\r\n\r\n.dot\r\n");
/// assert_eq!(decoder.bare_line_ending(), None);
/// ```
#[derive(Debug, Clone)]
pub struct DataDecoder {
    state: State,
    policy: BareLineEndings,
    size_limit: u64,
    body_len: u64,
    input_len: u64,
    first_bare: Option<BareLineEnding>,
    bare_count: u64,
}

impl Default for DataDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DataDecoder {
    /// A decoder that rejects bare line endings and has no size limit.
    pub fn new() -> Self {
        DataDecoder {
            state: State::LineStart,
            policy: BareLineEndings::Reject,
            size_limit: u64::MAX,
            body_len: 0,
            input_len: 0,
            first_bare: None,
            bare_count: 0,
        }
    }

    /// Sets the bare CR / bare LF policy.
    pub fn with_bare_line_endings(mut self, policy: BareLineEndings) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the body size limit in octets: past it the decoder writes no more
    /// output but reads on to the terminator, and [`DataDecoder::size_exceeded`]
    /// tells the server to answer `552 5.3.4` then.
    pub fn with_size_limit(mut self, limit: u64) -> Self {
        self.size_limit = limit;
        self
    }

    /// Starts a new message, keeping the policy and the size limit.
    pub fn reset(&mut self) {
        *self = DataDecoder {
            policy: self.policy,
            size_limit: self.size_limit,
            ..DataDecoder::new()
        };
    }

    /// Whether the terminator has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Octets of body produced so far, counting those past the size limit
    /// that were not written.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// Octets of input consumed so far.
    pub fn input_len(&self) -> u64 {
        self.input_len
    }

    /// Whether the body went over the size limit (the output then holds only
    /// its first `limit` octets).
    pub fn size_exceeded(&self) -> bool {
        self.body_len > self.size_limit
    }

    /// The first bare CR or bare LF seen, if any.
    pub fn bare_line_ending(&self) -> Option<BareLineEnding> {
        self.first_bare
    }

    /// How many bare CRs and bare LFs were seen.
    pub fn bare_line_ending_count(&self) -> u64 {
        self.bare_count
    }

    /// Decodes the next chunk of input, appending body octets to `out`.
    ///
    /// Once the terminator is found, later calls consume nothing.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> DataProgress {
        if self.state == State::Done {
            return DataProgress {
                consumed: 0,
                done: true,
            };
        }
        let mut i = 0;
        let mut run_ends = RunEnds::new();
        while let Some(&byte) = input.get(i) {
            // The byte pair at `i` is checked first so that input dense with
            // bare line endings does not pay for a block scan per byte.
            let fast = matches!(self.state, State::Text | State::Cr | State::LineStart)
                && i.checked_sub(1)
                    .and_then(|prev| input.get(prev))
                    .is_some_and(|&prev| !needs_decision(prev, byte));
            if fast {
                let run = run_ends.run_end(input, i).saturating_sub(i);
                if run > 0 {
                    let end = i + run;
                    self.emit(out, input.get(i..end).unwrap_or_default());
                    self.state = match input.get(end - 1) {
                        Some(b'\r') => State::Cr,
                        Some(b'\n') => State::LineStart,
                        _ => State::Text,
                    };
                    i = end;
                    // A stuffing `.` (at a line start, followed by anything but
                    // CR) is dropped here, as the state machine would drop it.
                    if self.state == State::LineStart
                        && input.get(end) == Some(&b'.')
                        && input.get(end + 1).is_some_and(|&next| next != b'\r')
                    {
                        self.state = State::Text;
                        i = end + 1;
                    }
                    continue;
                }
            }
            let ended = self.step(byte, self.input_len + i as u64, out);
            i += 1;
            if ended {
                self.input_len += i as u64;
                return DataProgress {
                    consumed: i,
                    done: true,
                };
            }
        }
        self.input_len += input.len() as u64;
        DataProgress {
            consumed: input.len(),
            done: self.state == State::Done,
        }
    }

    /// One byte through the state machine; true when it completes the terminator.
    fn step(&mut self, byte: u8, offset: u64, out: &mut Vec<u8>) -> bool {
        match self.state {
            State::Text => self.text(byte, offset, out),
            State::LineStart if byte == b'.' => self.state = State::Dot,
            State::LineStart => self.text(byte, offset, out),
            State::Cr if byte == b'\n' => {
                self.emit(out, b"\n");
                self.state = State::LineStart;
            }
            State::Cr => {
                self.bare_cr(offset.saturating_sub(1), out);
                self.text(byte, offset, out);
            }
            State::Dot if byte == b'\r' => self.state = State::DotCr,
            // Not the terminator: the held `.` was stuffing and is dropped.
            State::Dot => self.text(byte, offset, out),
            State::DotCr if byte == b'\n' => {
                self.state = State::Done;
                return true;
            }
            State::DotCr => {
                self.emit(out, b"\r");
                self.bare_cr(offset.saturating_sub(1), out);
                self.text(byte, offset, out);
            }
            State::Done => return true,
        }
        false
    }

    /// A byte inside a line (never a line-initial `.`).
    fn text(&mut self, byte: u8, offset: u64, out: &mut Vec<u8>) {
        match byte {
            b'\r' => {
                self.emit(out, b"\r");
                self.state = State::Cr;
            }
            b'\n' => {
                self.record_bare(offset, BareKind::Lf);
                match self.policy {
                    BareLineEndings::Reject => self.emit(out, b"\n"),
                    BareLineEndings::Normalise => self.emit(out, b"\r\n"),
                }
                self.state = State::Text;
            }
            _ => {
                self.emit(out, &[byte]);
                self.state = State::Text;
            }
        }
    }

    /// A CR already written turned out bare.
    fn bare_cr(&mut self, offset: u64, out: &mut Vec<u8>) {
        self.record_bare(offset, BareKind::Cr);
        if self.policy == BareLineEndings::Normalise {
            self.emit(out, b"\n");
        }
    }

    fn record_bare(&mut self, offset: u64, kind: BareKind) {
        self.bare_count = self.bare_count.saturating_add(1);
        if self.first_bare.is_none() {
            self.first_bare = Some(BareLineEnding { offset, kind });
        }
    }

    /// Appends body octets to `out` up to the size limit, counting them all.
    #[inline]
    fn emit(&mut self, out: &mut Vec<u8>, bytes: &[u8]) {
        let room = self.size_limit.saturating_sub(self.body_len);
        self.body_len = self.body_len.saturating_add(bytes.len() as u64);
        if bytes.len() as u64 <= room {
            out.extend_from_slice(bytes);
        } else {
            let room = usize::try_from(room).unwrap_or(usize::MAX);
            out.extend_from_slice(bytes.get(..room).unwrap_or(bytes));
        }
    }
}

/// Whether the adjacent bytes `a`, `b` need the state machine: `b` is a
/// `.` after an LF, or one of them is a bare CR or bare LF.
#[inline(always)]
fn needs_decision(a: u8, b: u8) -> bool {
    is_bare_pair(a, b) | ((a == b'\n') & (b == b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a decoder reports, for comparisons.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Outcome {
        body: Vec<u8>,
        consumed: Option<usize>,
        body_len: u64,
        size_exceeded: bool,
        first_bare: Option<BareLineEnding>,
        bare_count: u64,
    }

    /// The obviously correct decoder: whole input at once, straight from the rules.
    fn reference(input: &[u8], policy: BareLineEndings, limit: u64) -> Outcome {
        let line_start = |k: usize| k == 0 || (k >= 2 && &input[k - 2..k] == b"\r\n");
        let end = (0..input.len()).find(|&k| line_start(k) && input[k..].starts_with(b".\r\n"));
        let content = &input[..end.unwrap_or(input.len())];
        let mut body = Vec::new();
        let mut first_bare = None;
        let mut bare_count = 0;
        for (k, &b) in content.iter().enumerate() {
            // Without a terminator, bytes that could still begin one are held back.
            if end.is_none() {
                let tail = &content[k..];
                if line_start(k) && (tail == b"." || tail == b".\r") {
                    break;
                }
            }
            if b == b'.' && line_start(k) {
                continue;
            }
            let bare_cr = b == b'\r' && content.get(k + 1).is_some_and(|&n| n != b'\n');
            let bare_lf = b == b'\n' && (k == 0 || input[k - 1] != b'\r');
            if bare_cr || bare_lf {
                bare_count += 1;
                let kind = if bare_cr { BareKind::Cr } else { BareKind::Lf };
                first_bare.get_or_insert(BareLineEnding {
                    offset: k as u64,
                    kind,
                });
                if policy == BareLineEndings::Normalise {
                    body.extend_from_slice(b"\r\n");
                    continue;
                }
            }
            body.push(b);
        }
        let body_len = body.len() as u64;
        body.truncate(limit.min(body_len) as usize);
        Outcome {
            body,
            consumed: end.map(|k| k + 3),
            body_len,
            size_exceeded: body_len > limit,
            first_bare,
            bare_count,
        }
    }

    /// The fast decoder fed `input` in pieces cut at `cuts`.
    fn fast(input: &[u8], cuts: &[usize], policy: BareLineEndings, limit: u64) -> Outcome {
        let mut d = DataDecoder::new()
            .with_bare_line_endings(policy)
            .with_size_limit(limit);
        let mut body = Vec::new();
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        bounds.sort_unstable();
        bounds.push(input.len());
        let mut start = 0;
        let mut consumed = None;
        for end in bounds {
            if end < start || consumed.is_some() {
                continue;
            }
            let p = d.decode(&input[start..end], &mut body);
            assert!(p.consumed <= end - start);
            if p.done {
                consumed = Some(start + p.consumed);
                assert!(d.is_done());
                assert_eq!(d.decode(b".\r\n", &mut body).consumed, 0);
            } else {
                assert_eq!(p.consumed, end - start);
            }
            start = end;
        }
        assert!(body.len() as u64 <= limit);
        Outcome {
            body,
            consumed,
            body_len: d.body_len(),
            size_exceeded: d.size_exceeded(),
            first_bare: d.bare_line_ending(),
            bare_count: d.bare_line_ending_count(),
        }
    }

    const MODES: [BareLineEndings; 2] = [BareLineEndings::Reject, BareLineEndings::Normalise];

    /// Decodes `input` whole, in 1-byte chunks and cut at every position, checking they agree.
    fn decode_all_ways(input: &[u8], policy: BareLineEndings) -> Outcome {
        let whole = fast(input, &[], policy, u64::MAX);
        let bytewise: Vec<usize> = (0..input.len()).collect();
        assert_eq!(
            fast(input, &bytewise, policy, u64::MAX),
            whole,
            "1-byte chunks"
        );
        for cut in 0..=input.len() {
            assert_eq!(fast(input, &[cut], policy, u64::MAX), whole, "cut at {cut}");
        }
        assert_eq!(reference(input, policy, u64::MAX), whole, "reference");
        whole
    }

    fn body_and_end(input: &[u8], policy: BareLineEndings) -> (Vec<u8>, Option<usize>) {
        let o = decode_all_ways(input, policy);
        (o.body, o.consumed)
    }

    #[test]
    fn first_line_dot_ends_data() {
        for policy in MODES {
            assert_eq!(body_and_end(b".\r\n", policy), (vec![], Some(3)));
            assert_eq!(body_and_end(b".\r\nQUIT\r\n", policy), (vec![], Some(3)));
        }
    }

    #[test]
    fn first_line_stuffed_dot_is_removed() {
        for policy in MODES {
            assert_eq!(
                body_and_end(b"..\r\n.\r\n", policy),
                (b".\r\n".to_vec(), Some(7))
            );
            assert_eq!(
                body_and_end(b"..x\r\n.\r\n", policy),
                (b".x\r\n".to_vec(), Some(8))
            );
            assert_eq!(
                body_and_end(b".x\r\n.\r\n", policy),
                (b"x\r\n".to_vec(), Some(7))
            );
        }
    }

    #[test]
    fn body_keeps_crlf_before_terminator() {
        let input = b"Subject: t\r\n\r\nhello\r\n..dots\r\n.\r\nMAIL FROM:<>\r\n";
        for policy in MODES {
            let (body, end) = body_and_end(input, policy);
            assert_eq!(body, b"Subject: t\r\n\r\nhello\r\n.dots\r\n");
            assert_eq!(end, Some(input.len() - 14));
        }
    }

    #[test]
    fn dot_inside_a_line_is_kept() {
        for policy in MODES {
            assert_eq!(
                body_and_end(b"a.\r\n a..b\r\n.\r\n", policy).0,
                b"a.\r\n a..b\r\n"
            );
        }
    }

    #[test]
    fn smuggling_vectors_never_end_data() {
        let vectors: [&[u8]; 10] = [
            b"\n.\n",
            b"\r.\r",
            b"\r.\n",
            b"\n.\r",
            b"\n.\r\n",
            b"\r\n.\n",
            b"\r.\r\n",
            b"\r\n.\r",
            b"\r\n\x00.\r\n",
            b"\n.\r\n",
        ];
        for v in vectors {
            for policy in MODES {
                for prefix in [&b""[..], b"Subject: x\r\n\r\nbody"] {
                    let mut input = prefix.to_vec();
                    input.extend_from_slice(v);
                    input.extend_from_slice(b"MAIL FROM:<evil@x>\r\n");
                    // Without the real terminator, nothing ends.
                    let open = decode_all_ways(&input, policy);
                    assert_eq!(open.consumed, None, "{v:?} {policy:?}");
                    input.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
                    let o = decode_all_ways(&input, policy);
                    assert_eq!(o.consumed, Some(input.len() - 6), "{v:?} {policy:?}");
                    // Only the NUL vector is free of bare line endings.
                    assert_eq!(o.first_bare.is_some(), !v.contains(&0), "{v:?}");
                    if policy == BareLineEndings::Normalise {
                        assert!(!has_bare(&o.body), "{v:?}");
                    }
                }
            }
        }
    }

    fn has_bare(body: &[u8]) -> bool {
        body.iter().enumerate().any(|(k, &b)| {
            (b == b'\r' && body.get(k + 1) != Some(&b'\n'))
                || (b == b'\n' && (k == 0 || body[k - 1] != b'\r'))
        })
    }

    #[test]
    fn bare_positions_are_reported() {
        let o = decode_all_ways(b"ab\ncd\r\n.\r\n", BareLineEndings::Reject);
        assert_eq!(
            o.first_bare,
            Some(BareLineEnding {
                offset: 2,
                kind: BareKind::Lf
            })
        );
        assert_eq!(o.body, b"ab\ncd\r\n");
        let o = decode_all_ways(b"ab\rcd\r\n.\r\n", BareLineEndings::Normalise);
        assert_eq!(
            o.first_bare,
            Some(BareLineEnding {
                offset: 2,
                kind: BareKind::Cr
            })
        );
        assert_eq!(o.body, b"ab\r\ncd\r\n");
        let o = decode_all_ways(b"\r\n.\rx\r\n.\r\n", BareLineEndings::Normalise);
        assert_eq!(
            o.first_bare,
            Some(BareLineEnding {
                offset: 3,
                kind: BareKind::Cr
            })
        );
        assert_eq!(o.body, b"\r\n\r\nx\r\n");
        assert_eq!(o.bare_count, 1);
    }

    #[test]
    fn nul_passes_through() {
        let o = decode_all_ways(b"a\x00b\r\n\x00\r\n.\r\n", BareLineEndings::Reject);
        assert_eq!(o.body, b"a\x00b\r\n\x00\r\n");
        assert_eq!(o.first_bare, None);
    }

    #[test]
    fn terminator_split_at_every_position() {
        let mut input = b"line one\r\n".repeat(20);
        input.extend_from_slice(b"..stuffed\r\n.\r\nRSET\r\n");
        let mut expected = b"line one\r\n".repeat(20);
        expected.extend_from_slice(b".stuffed\r\n");
        for policy in MODES {
            let o = decode_all_ways(&input, policy);
            assert_eq!(o.body, expected);
            assert_eq!(o.consumed, Some(input.len() - 6));
            for a in 0..input.len() {
                for b in [a + 1, a + 2, a + 3] {
                    assert_eq!(fast(&input, &[a, b], policy, u64::MAX), o);
                }
            }
        }
    }

    #[test]
    fn size_limit_stops_output_not_scanning() {
        let input = b"0123456789\r\nabcdef\r\n.\r\n";
        let mut d = DataDecoder::new().with_size_limit(5);
        let mut out = Vec::new();
        let p = d.decode(input, &mut out);
        assert_eq!(
            p,
            DataProgress {
                consumed: input.len(),
                done: true
            }
        );
        assert_eq!(out, b"01234");
        assert_eq!(d.body_len(), 20);
        assert!(d.size_exceeded());
        for limit in [0, 1, 11, 12, 19, 20, 21] {
            let o = fast(input, &[3, 13], BareLineEndings::Reject, limit);
            assert_eq!(o, reference(input, BareLineEndings::Reject, limit));
            assert_eq!(o.size_exceeded, limit < 20);
        }
    }

    #[test]
    fn reset_starts_a_new_message() {
        let mut d = DataDecoder::new().with_size_limit(100);
        let mut out = Vec::new();
        assert!(d.decode(b"\nx\r\n.\r\n", &mut out).done);
        assert!(d.bare_line_ending().is_some());
        d.reset();
        assert!(!d.is_done());
        assert_eq!(d.bare_line_ending(), None);
        out.clear();
        assert!(d.decode(b"y\r\n.\r\n", &mut out).done);
        assert_eq!(out, b"y\r\n");
    }

    #[test]
    fn long_clean_runs_cross_blocks() {
        let mut input = Vec::new();
        for n in 0..300 {
            input.extend_from_slice(&b"x".repeat(n % 97));
            input.extend_from_slice(if n % 7 == 0 { b"\r\n.." } else { b"\r\n" });
        }
        input.extend_from_slice(b"\r\n.\r\n");
        for policy in MODES {
            let o = fast(&input, &[], policy, u64::MAX);
            assert_eq!(o, reference(&input, policy, u64::MAX));
            let cuts: Vec<usize> = (0..input.len()).step_by(61).collect();
            assert_eq!(fast(&input, &cuts, policy, u64::MAX), o);
        }
    }

    #[test]
    fn dot_dense_lines_match_reference() {
        // Dots inside lines outnumber the stuffed ones: the `.` search falls
        // back from `memchr` to `memmem`; the result must not change.
        let mut input = Vec::new();
        for n in 0..120 {
            input.extend_from_slice(&b"a.b.c.d.e.f.".repeat(n % 13));
            input.extend_from_slice(match n % 9 {
                0 => b"\r\n..",
                4 => b"\n.",
                7 => b"\r.",
                _ => b"\r\n",
            });
        }
        input.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
        for policy in MODES {
            let o = fast(&input, &[], policy, u64::MAX);
            assert_eq!(o, reference(&input, policy, u64::MAX));
            assert!(o.consumed.is_some() && o.first_bare.is_some());
            for step in [7, 64, 129, 1000] {
                let cuts: Vec<usize> = (0..input.len()).step_by(step).collect();
                assert_eq!(fast(&input, &cuts, policy, u64::MAX), o, "step {step}");
            }
        }
    }

    #[test]
    fn specials_across_scan_windows_match_reference() {
        // Several scan windows of plain text with a bare line ending, a
        // stuffed line and a dot line placed around the window boundaries.
        let mut input = Vec::new();
        for (n, special) in [&b"\r\n..x"[..], b"\n", b"\r\n.\r", b"\rz", b"\r\n.."]
            .iter()
            .enumerate()
        {
            while input.len() < 4096 * (n + 1) - 2 + n {
                input.extend_from_slice(b"abcdefgh\r\n");
            }
            input.extend_from_slice(special);
        }
        input.extend_from_slice(b"\r\n.\r\n");
        for policy in MODES {
            let o = fast(&input, &[], policy, u64::MAX);
            assert_eq!(o, reference(&input, policy, u64::MAX));
            assert_eq!(o.consumed, Some(input.len()));
            for cut in [1, 4095, 4096, 4097, 8190, 8193, 12289] {
                assert_eq!(fast(&input, &[cut], policy, u64::MAX), o, "cut {cut}");
            }
        }
    }

    fn smtp_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                4 => Just(b'\r'),
                4 => Just(b'\n'),
                4 => Just(b'.'),
                2 => Just(b'a'),
                1 => Just(0u8),
                1 => any::<u8>(),
            ],
            0..300,
        )
    }

    proptest! {
        #[test]
        fn fast_matches_reference(
            body in smtp_bytes(),
            with_end in any::<bool>(),
            cuts in proptest::collection::vec(any::<usize>(), 0..12),
            normalise in any::<bool>(),
            limit in prop_oneof![Just(u64::MAX), 0u64..400],
        ) {
            let policy = if normalise { BareLineEndings::Normalise } else { BareLineEndings::Reject };
            let mut input = body;
            if with_end {
                input.extend_from_slice(b"\r\n.\r\nNOOP\r\n");
            }
            let expected = reference(&input, policy, limit);
            prop_assert_eq!(&fast(&input, &cuts, policy, limit), &expected);
            let bytewise: Vec<usize> = (0..input.len()).collect();
            prop_assert_eq!(&fast(&input, &bytewise, policy, limit), &expected);
        }

        #[test]
        fn long_bodies_match_reference(
            lines in proptest::collection::vec(
                (0usize..150, prop_oneof![Just(&b"\r\n"[..]), Just(&b"\r\n.."[..]), Just(&b"\n"[..]), Just(&b"\r"[..]), Just(&b"\r\n."[..])]),
                0..40),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
            normalise in any::<bool>(),
        ) {
            let policy = if normalise { BareLineEndings::Normalise } else { BareLineEndings::Reject };
            let mut input = Vec::new();
            for (n, end) in lines {
                input.extend(std::iter::repeat_n(b'q', n));
                input.extend_from_slice(end);
            }
            input.extend_from_slice(b"\r\n.\r\n");
            prop_assert_eq!(fast(&input, &cuts, policy, u64::MAX), reference(&input, policy, u64::MAX));
        }
    }
}
