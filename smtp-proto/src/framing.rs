//! Line framing: finding where a command or reply line ends, under a length limit.
//!
//! The first of the two stages of the hot path (see DESIGN.md): the framer finds
//! the line terminator with `memchr` and enforces the limit; the grammar then
//! parses one complete line. The framer never asks the caller to hold more than
//! `limit` bytes: a line that does not end within the limit is discarded as it
//! arrives and reported once, when its end is finally seen.
//!
//! # Contract of [`LineFramer::next_line`]
//!
//! The caller keeps a buffer of received, not yet consumed bytes and calls
//! `next_line(&buf)` after each read, acting on the [`Frame`]:
//!
//! - [`Frame::Line`]: `buf[..line_len]` is one line without its terminator;
//!   remove `consumed` bytes (the line and its terminator) from the front of
//!   the buffer, then call again: more lines may be buffered (pipelining).
//! - [`Frame::NeedMore`]: no complete line yet; read more bytes and call again
//!   with the same buffer plus the new bytes. The buffer then holds fewer than
//!   `limit` bytes.
//! - [`Frame::Discard`]: the bytes are part of a line that is already over the
//!   limit; remove `skip` bytes now, answer nothing, and keep reading.
//! - [`Frame::TooLong`]: an over-long line has ended; remove `skip` bytes
//!   (through its terminator) and answer `500 5.5.6 Line too long`
//!   ([`crate::ParseError::LineTooLong`]). This comes exactly once per
//!   over-long line, after zero or more `Discard`s.
//!
//! However the input is split into reads, the sequence of `Line` and `TooLong`
//! frames is the same (only `Discard` and `NeedMore` frames depend on the
//! split).
//!
//! The limit counts the terminator, as RFC 5321 §4.5.3.1.4 does ("512 octets
//! maximum including the command word and the `<CRLF>`"). A line ends at CRLF;
//! with `lf_line_endings` a bare LF ends it too (a CR before the LF is then
//! still stripped). A bare CR is never a line end: it stays in the line for
//! the grammar to reject, and in strict mode so does a bare LF.

/// Limit of a command line, CRLF included (RFC 5321 §4.5.3.1.4).
pub const COMMAND_LINE_MAX: usize = 512;

/// Limit of a command line once MAIL/RCPT parameters are in use.
///
/// RFC 1869 §4.1.2 lets each service extension raise the 512-octet limit by
/// the length of its parameters (e.g. SIZE, BODY, RET, ENVID, NOTIFY, ORCPT,
/// AUTH, MT-PRIORITY...). Their sum stays far below 4096, the value Postfix
/// and others use for `smtpd` lines, which is why this is the limit a server
/// that advertises extensions should apply.
pub const EXTENDED_COMMAND_LINE_MAX: usize = 4096;

/// Limit of an AUTH command or continuation line, CRLF included (RFC 4954 §4:
/// "12288 octets" for a SASL response line).
pub const AUTH_LINE_MAX: usize = 12288;

/// Limit of a reply line that a client accepts, CRLF included.
///
/// RFC 5321 §4.5.3.1.5 sets 512 octets, but real servers send longer text
/// (long EHLO keyword lines, verbose rejection messages), and refusing them
/// only breaks delivery, so a client allows 4096.
pub const REPLY_LINE_MAX: usize = 4096;

/// What [`LineFramer::next_line`] found at the front of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frame {
    /// A complete line within the limit.
    Line {
        /// Length of the line without its terminator: the line is `buf[..line_len]`.
        line_len: usize,
        /// Bytes to remove from the front of the buffer (line and terminator).
        consumed: usize,
    },
    /// No complete line yet: read more.
    NeedMore,
    /// Bytes of an over-long line whose end has not been seen: remove `skip`
    /// bytes from the front of the buffer and answer nothing yet.
    Discard {
        /// Bytes to remove from the front of the buffer.
        skip: usize,
    },
    /// An over-long line ended: remove `skip` bytes (through its terminator)
    /// and answer `500 5.5.6` once.
    TooLong {
        /// Bytes to remove from the front of the buffer.
        skip: usize,
    },
}

/// Splits a byte stream into lines under a length limit (see the [module
/// documentation](self) for the contract).
///
/// ```
/// use smtp_proto::framing::{Frame, LineFramer};
///
/// let mut framer = LineFramer::for_commands();
/// let mut buf = b"NOOP\r\nQUI".to_vec();
/// let Frame::Line { line_len, consumed } = framer.next_line(&buf) else { panic!() };
/// assert_eq!(&buf[..line_len], b"NOOP");
/// buf.drain(..consumed);
/// assert_eq!(framer.next_line(&buf), Frame::NeedMore);
/// ```
#[derive(Debug, Clone)]
pub struct LineFramer {
    limit: usize,
    lf_line_endings: bool,
    /// Inside an over-long line whose terminator has not been seen yet.
    discarding: bool,
    /// While discarding: the last discarded byte was a CR, so an LF at the
    /// start of the next buffer completes a CRLF.
    discarded_cr: bool,
}

impl LineFramer {
    /// A strict (CRLF only) framer with the given limit, terminator included.
    pub fn new(limit: usize) -> Self {
        LineFramer {
            limit,
            lf_line_endings: false,
            discarding: false,
            discarded_cr: false,
        }
    }

    /// A framer for a server's command lines ([`COMMAND_LINE_MAX`]).
    pub fn for_commands() -> Self {
        Self::new(COMMAND_LINE_MAX)
    }

    /// A framer for a client's reply lines ([`REPLY_LINE_MAX`]).
    pub fn for_replies() -> Self {
        Self::new(REPLY_LINE_MAX)
    }

    /// Also accept a bare LF as a line end (see [`crate::ParseOptions::lf_line_endings`]).
    pub fn with_lf_line_endings(mut self, on: bool) -> Self {
        self.lf_line_endings = on;
        self
    }

    /// Changes the limit (terminator included). It applies from the next call,
    /// so a server can raise it to [`AUTH_LINE_MAX`] for an AUTH exchange and
    /// lower it afterwards.
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// The current limit, terminator included.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Changes whether a bare LF ends a line.
    pub fn set_lf_line_endings(&mut self, on: bool) {
        self.lf_line_endings = on;
    }

    /// Whether the framer is inside an over-long line (it has returned
    /// [`Frame::Discard`] and not yet the matching [`Frame::TooLong`]).
    pub fn is_discarding(&self) -> bool {
        self.discarding
    }

    /// Forgets an over-long line in progress (e.g. after STARTTLS, when the
    /// buffered bytes are thrown away).
    pub fn reset(&mut self) {
        self.discarding = false;
        self.discarded_cr = false;
    }

    /// Finds the next frame at the front of `buf` (see the [module documentation](self)).
    pub fn next_line(&mut self, buf: &[u8]) -> Frame {
        if buf.is_empty() {
            return Frame::NeedMore;
        }
        if self.discarding {
            return self.discard(buf);
        }
        let window = buf.get(..self.limit).unwrap_or(buf);
        if let Some((line_len, consumed)) = self.find_end(window, false) {
            return Frame::Line { line_len, consumed };
        }
        if buf.len() < self.limit {
            return Frame::NeedMore;
        }
        // Over the limit. The terminator may already be buffered past the window.
        let searched = window.len().saturating_sub(1);
        let rest = buf.get(searched..).unwrap_or_default();
        // `rest[0]` was in the window and not a line end, so it is no CR before an LF.
        match self.find_end(rest, false) {
            Some((_, consumed)) => Frame::TooLong {
                skip: searched + consumed,
            },
            None => {
                self.discarding = true;
                self.discarded_cr = buf.last() == Some(&b'\r');
                Frame::Discard { skip: buf.len() }
            }
        }
    }

    fn discard(&mut self, buf: &[u8]) -> Frame {
        match self.find_end(buf, self.discarded_cr) {
            Some((_, consumed)) => {
                self.discarding = false;
                self.discarded_cr = false;
                Frame::TooLong { skip: consumed }
            }
            None => {
                self.discarded_cr = buf.last() == Some(&b'\r');
                Frame::Discard { skip: buf.len() }
            }
        }
    }

    /// The first line end in `bytes`: `(line_len, consumed)`. `prev_cr` says the
    /// byte before `bytes` was a CR, for an LF at `bytes[0]`.
    fn find_end(&self, bytes: &[u8], prev_cr: bool) -> Option<(usize, usize)> {
        let mut from = 0;
        while let Some(found) = bytes
            .get(from..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
        {
            let lf = from + found;
            let after_cr = match lf.checked_sub(1) {
                Some(cr) => bytes.get(cr) == Some(&b'\r'),
                None => prev_cr,
            };
            if after_cr {
                return Some((lf.saturating_sub(1), lf + 1));
            }
            if self.lf_line_endings {
                return Some((lf, lf + 1));
            }
            from = lf + 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Feeds `input` split at `cuts` through a framer the way a server does,
    /// holding at most `limit` bytes, and returns the lines and over-long marks.
    fn run(
        framer: &mut LineFramer,
        input: &[u8],
        cuts: &[usize],
    ) -> (Vec<Result<Vec<u8>, ()>>, usize) {
        let mut out = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut max_held = 0;
        let mut start = 0;
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        bounds.sort_unstable();
        bounds.push(input.len());
        for end in bounds {
            if end < start {
                continue;
            }
            buf.extend_from_slice(&input[start..end]);
            start = end;
            loop {
                max_held = max_held.max(buf.len());
                match framer.next_line(&buf) {
                    Frame::Line { line_len, consumed } => {
                        out.push(Ok(buf[..line_len].to_vec()));
                        buf.drain(..consumed);
                    }
                    Frame::NeedMore => break,
                    Frame::Discard { skip } => {
                        assert!(skip > 0 && skip <= buf.len());
                        buf.drain(..skip);
                    }
                    Frame::TooLong { skip } => {
                        out.push(Err(()));
                        buf.drain(..skip);
                    }
                }
            }
            // What the caller holds between reads is below the limit.
            assert!(buf.len() < framer.limit().max(1));
        }
        (out, max_held)
    }

    fn lines(input: &[u8], limit: usize, lf: bool) -> Vec<Result<Vec<u8>, ()>> {
        run(
            &mut LineFramer::new(limit).with_lf_line_endings(lf),
            input,
            &[],
        )
        .0
    }

    #[test]
    fn splits_crlf_lines() {
        let got = lines(b"EHLO a\r\nMAIL FROM:<>\r\npartial", 512, false);
        assert_eq!(
            got,
            vec![Ok(b"EHLO a".to_vec()), Ok(b"MAIL FROM:<>".to_vec())]
        );
    }

    #[test]
    fn known_frames() {
        let mut f = LineFramer::new(10);
        assert_eq!(f.next_line(b""), Frame::NeedMore);
        assert_eq!(f.next_line(b"NOOP"), Frame::NeedMore);
        assert_eq!(f.next_line(b"NOOP\r"), Frame::NeedMore);
        assert_eq!(
            f.next_line(b"NOOP\r\nQ"),
            Frame::Line {
                line_len: 4,
                consumed: 6
            }
        );
        assert_eq!(
            f.next_line(b"\r\n"),
            Frame::Line {
                line_len: 0,
                consumed: 2
            }
        );
        // Exactly at the limit (terminator included) is fine; one more is not.
        assert_eq!(
            f.next_line(b"12345678\r\n"),
            Frame::Line {
                line_len: 8,
                consumed: 10
            }
        );
        assert_eq!(f.next_line(b"123456789\r\n"), Frame::TooLong { skip: 11 });
        assert_eq!(f.next_line(b"123456789\r"), Frame::Discard { skip: 10 });
        assert!(f.is_discarding());
        assert_eq!(f.next_line(b""), Frame::NeedMore);
        assert_eq!(f.next_line(b"\nNOOP\r\n"), Frame::TooLong { skip: 1 });
        assert!(!f.is_discarding());
        assert_eq!(
            f.next_line(b"NOOP\r\n"),
            Frame::Line {
                line_len: 4,
                consumed: 6
            }
        );
    }

    #[test]
    fn strict_mode_keeps_bare_lf_and_cr_in_the_line() {
        let mut f = LineFramer::new(512);
        assert_eq!(
            f.next_line(b"NO\nOP\r\n"),
            Frame::Line {
                line_len: 5,
                consumed: 7
            }
        );
        assert_eq!(
            f.next_line(b"NO\rOP\r\n"),
            Frame::Line {
                line_len: 5,
                consumed: 7
            }
        );
        assert_eq!(f.next_line(b"NOOP\n"), Frame::NeedMore);
        assert_eq!(
            f.next_line(b"\r\r\n"),
            Frame::Line {
                line_len: 1,
                consumed: 3
            }
        );
    }

    #[test]
    fn lf_mode_accepts_bare_lf() {
        let mut f = LineFramer::new(512).with_lf_line_endings(true);
        assert_eq!(
            f.next_line(b"NOOP\nQUIT\r\n"),
            Frame::Line {
                line_len: 4,
                consumed: 5
            }
        );
        assert_eq!(
            f.next_line(b"QUIT\r\n"),
            Frame::Line {
                line_len: 4,
                consumed: 6
            }
        );
        assert_eq!(
            f.next_line(b"NO\rOP\n"),
            Frame::Line {
                line_len: 5,
                consumed: 6
            }
        );
    }

    #[test]
    fn strict_discard_needs_crlf_split_across_reads() {
        let mut f = LineFramer::new(4);
        assert_eq!(f.next_line(b"abcdef"), Frame::Discard { skip: 6 });
        assert_eq!(f.next_line(b"x\n"), Frame::Discard { skip: 2 });
        assert_eq!(f.next_line(b"\r"), Frame::Discard { skip: 1 });
        assert_eq!(f.next_line(b"\nab\r\n"), Frame::TooLong { skip: 1 });
        assert_eq!(
            f.next_line(b"ab\r\n"),
            Frame::Line {
                line_len: 2,
                consumed: 4
            }
        );
    }

    #[test]
    fn limit_changes_between_lines() {
        let long = [b'A'; 600];
        let mut input = long.to_vec();
        input.extend_from_slice(b"\r\n");
        let mut f = LineFramer::for_commands();
        assert_eq!(f.next_line(&input), Frame::TooLong { skip: 602 });
        f.set_limit(AUTH_LINE_MAX);
        assert_eq!(
            f.next_line(&input),
            Frame::Line {
                line_len: 600,
                consumed: 602
            }
        );
    }

    #[test]
    fn too_long_reported_once_per_line() {
        let mut input = vec![b'x'; 2000];
        input.extend_from_slice(b"\r\nNOOP\r\n");
        input.extend_from_slice(&[b'y'; 700]);
        input.extend_from_slice(b"\r\n");
        for cuts in [
            vec![],
            vec![1, 2, 3, 100, 511, 512, 513, 1999, 2000, 2001],
            (0..2800).collect(),
        ] {
            let (got, max_held) = run(&mut LineFramer::new(512), &input, &cuts);
            assert_eq!(got, vec![Err(()), Ok(b"NOOP".to_vec()), Err(())]);
            if cuts.len() > 100 {
                assert!(max_held <= 512);
            }
        }
    }

    #[test]
    fn tiny_limits_do_not_panic() {
        for limit in 0..4 {
            let mut f = LineFramer::new(limit);
            for input in [&b""[..], b"\n", b"\r\n", b"a\r\n", b"\r", b"ab"] {
                let _ = f.next_line(input);
            }
        }
    }

    fn line_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'a'), any::<u8>()],
            0..200,
        )
    }

    proptest! {
        #[test]
        fn chunking_never_changes_frames(
            input in line_bytes(),
            cuts in proptest::collection::vec(any::<usize>(), 0..20),
            limit in 1usize..24,
            lf in any::<bool>(),
        ) {
            let whole = run(&mut LineFramer::new(limit).with_lf_line_endings(lf), &input, &[]).0;
            let (split, _) = run(&mut LineFramer::new(limit).with_lf_line_endings(lf), &input, &cuts);
            prop_assert_eq!(&whole, &split);
            let bytewise: Vec<usize> = (0..input.len()).collect();
            let (bytes, max_held) =
                run(&mut LineFramer::new(limit).with_lf_line_endings(lf), &input, &bytewise);
            prop_assert_eq!(&whole, &bytes);
            prop_assert!(max_held <= limit);
            for line in whole.iter().flatten() {
                prop_assert!(line.len() < limit);
            }
        }
    }
}
