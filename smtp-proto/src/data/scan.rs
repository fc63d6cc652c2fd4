//! The two scans that find where the DATA decoder's next copyable run ends.
//!
//! Almost every octet of a body is copied unchanged; only a `.` after an LF
//! (stuffing or the terminator) and a bare CR or bare LF need the decoder's
//! state machine. Both are looked for by scans that cost little per octet
//! when nothing is found:
//! - bare line endings with a pairwise test over 128-octet blocks: "is the
//!   octet a CR" must equal "is the next octet an LF" at every position,
//!   which the compiler turns into two compares, a xor and an or per 16
//!   octets at the baseline target (SSE2);
//! - a `.` after an LF with `memchr(b'.')` (runtime-dispatched AVX2 on
//!   x86-64) and a look at the octet before, or with a `memmem` search for
//!   `<LF>.` when there are many dots inside lines.
//!
//! A combined pairwise test for both (8 vector operations per 16 octets)
//! cost more than these two together.

use std::sync::OnceLock;

use memchr::memmem::Finder;

/// Index of the first `.` at or after `from` that follows an LF in `input`
/// (so never 0: what precedes the input is the caller's state).
///
/// Most text has few dots, so each `.` is found with `memchr` (the fastest
/// scan) and its predecessor checked; after a few dots inside lines the rest
/// is searched for the pair `<LF>.` with `memmem`, whose speed does not
/// depend on how many dots there are.
pub(super) fn next_dot_after_lf(input: &[u8], from: usize) -> Option<usize> {
    /// Dots inside lines tolerated before switching to `memmem`.
    const DOTS_BEFORE_MEMMEM: usize = 4;
    let mut at = from.max(1);
    for _ in 0..DOTS_BEFORE_MEMMEM {
        let dot = at + memchr::memchr(b'.', input.get(at..)?)?;
        if input.get(dot - 1) == Some(&b'\n') {
            return Some(dot);
        }
        at = dot + 1;
    }
    static LF_DOT: OnceLock<Finder<'static>> = OnceLock::new();
    let finder = LF_DOT.get_or_init(|| Finder::new(b"\n."));
    let lf_from = at - 1;
    let found = finder.find(input.get(lf_from..)?)?;
    Some(lf_from + found + 1)
}

/// Whether the adjacent octets `a`, `b` hold a bare line ending: a CR not
/// followed by LF, or an LF not preceded by CR.
#[inline(always)]
pub(super) fn is_bare_pair(a: u8, b: u8) -> bool {
    (a == b'\r') != (b == b'\n')
}

/// Whether no pair `(prev[k], cur[k])` is bare. A fold over fixed-size
/// arrays without early exit, so that it compiles to SIMD.
#[inline(always)]
fn block_has_no_bare<const N: usize>(prev: &[u8; N], cur: &[u8; N]) -> bool {
    !prev
        .iter()
        .zip(cur.iter())
        .fold(false, |acc, (&a, &b)| acc | is_bare_pair(a, b))
}

/// Whether the `N` pairs from `at` are free of bare line endings (false
/// when the input is too short for them).
#[inline(always)]
fn last_block_is_clean<const N: usize>(input: &[u8], at: usize) -> bool {
    let prev = input
        .get(at..at + N)
        .and_then(|b| <&[u8; N]>::try_from(b).ok());
    let cur = input
        .get(at + 1..at + 1 + N)
        .and_then(|b| <&[u8; N]>::try_from(b).ok());
    prev.zip(cur)
        .is_some_and(|(prev, cur)| block_has_no_bare(prev, cur))
}

/// Index `k` of the first bare pair `input[at + k]`, `input[at + k + 1]` for
/// `k` in `skip..N`: `Some(None)` when there is none, `None` when the input
/// is too short for `N` pairs. The pairs are flagged into an array (compares
/// the compiler vectorises), then read eight flags at a time as a word.
#[inline(always)]
fn first_bare_pair<const N: usize>(input: &[u8], at: usize, skip: usize) -> Option<Option<usize>> {
    let prev = <&[u8; N]>::try_from(input.get(at..at + N)?).ok()?;
    let cur = <&[u8; N]>::try_from(input.get(at + 1..at + 1 + N)?).ok()?;
    let mut flags = [0u8; N];
    for ((flag, &a), &b) in flags.iter_mut().zip(prev.iter()).zip(cur.iter()) {
        *flag = u8::from(is_bare_pair(a, b));
    }
    Some(
        flags
            .chunks_exact(8)
            .enumerate()
            .skip(skip / 8)
            .find_map(|(w, word)| {
                let mut word = u64::from_le_bytes(<[u8; 8]>::try_from(word).ok()?);
                if w == skip / 8 {
                    // Drop the flags of the pairs before `skip` in this word.
                    word &= u64::MAX.checked_shl((skip % 8) as u32 * 8).unwrap_or(0);
                }
                (word != 0).then(|| w * 8 + (word.trailing_zeros() / 8) as usize)
            }),
    )
}

/// How many octets from `start` form no bare line ending with the octet
/// before them: the length of the run of positions `q` from `start` where
/// the pair `input[q - 1]`, `input[q]` is not bare. 0 when `start` is 0.
#[inline]
pub(super) fn bare_free_run_len(input: &[u8], start: usize) -> usize {
    const WIDE: usize = 128;
    const NARROW: usize = 16;
    // `q` is the index of the first octet of the next unchecked pair.
    let Some(mut q) = start.checked_sub(1) else {
        return 0;
    };
    // Pair `k` is (`firsts[k]`, `seconds[k]`); exact chunks of both let the
    // loop run without a bounds check per block.
    let firsts = input
        .get(q..input.len().saturating_sub(1))
        .unwrap_or_default();
    let seconds = input.get(q + 1..).unwrap_or_default();
    let mut blocks = firsts.chunks_exact(WIDE).zip(seconds.chunks_exact(WIDE));
    let all_clean =
        blocks.all(
            |(a, b)| match (<&[u8; WIDE]>::try_from(a), <&[u8; WIDE]>::try_from(b)) {
                (Ok(a), Ok(b)) if block_has_no_bare(a, b) => {
                    q += WIDE;
                    true
                }
                _ => false,
            },
        );
    // The block at `q` has a bare pair; or, when all were clean, the tail is
    // shorter than a block: then look at the last block of the input
    // instead, from its pair `q` on.
    let block = if all_clean {
        input.len().checked_sub(WIDE + 1).filter(|&last| last <= q)
    } else {
        Some(q)
    };
    if let Some(at) = block {
        if all_clean && last_block_is_clean::<WIDE>(input, at) {
            return input.len().saturating_sub(start);
        }
        return match first_bare_pair::<WIDE>(input, at, q - at) {
            Some(Some(k)) => at + k + 1 - start,
            _ => input.len().saturating_sub(start),
        };
    }
    // An input shorter than a block: 16 pairs at a time, then octet by octet.
    while let Some(found) = first_bare_pair::<NARROW>(input, q, 0) {
        if let Some(k) = found {
            return q + k + 1 - start;
        }
        q += NARROW;
    }
    while let (Some(&a), Some(&b)) = (input.get(q), input.get(q + 1)) {
        if is_bare_pair(a, b) {
            break;
        }
        q += 1;
    }
    q + 1 - start
}

/// Where the copyable runs of one input end, from scans done ahead and
/// remembered, so that each octet is scanned once for each kind.
///
/// The bare line ending scan goes first, over a window of [`RunEnds::WINDOW`]
/// octets: it is the slower one, and running it on octets not yet in the
/// closest cache lets their loading overlap its work; the `.` search then
/// reads them from that cache.
#[derive(Debug)]
pub(super) struct RunEnds {
    /// Every position from the last scan's start to here (excluded) ends a
    /// pair that is not bare.
    clean_until: usize,
    /// Where the last bare line ending scan stopped looking: `clean_until`
    /// is below it when that scan found one.
    scanned_until: usize,
    /// The first `.` after an LF found by the last search, or `None` if the
    /// searches found none before `dot_searched_until`.
    dot: Option<usize>,
    dot_searched_until: usize,
}

impl RunEnds {
    /// Octets scanned ahead for bare line endings.
    const WINDOW: usize = 4096;

    pub(super) fn new() -> Self {
        RunEnds {
            clean_until: 0,
            scanned_until: 0,
            dot: None,
            dot_searched_until: 0,
        }
    }

    /// Scans the window from `from` for bare line endings.
    fn scan_bare(&mut self, input: &[u8], from: usize) {
        self.scanned_until = input.len().min(from.saturating_add(Self::WINDOW));
        let window = input.get(..self.scanned_until).unwrap_or(input);
        self.clean_until = from + bare_free_run_len(window, from);
    }

    /// The end (excluded) of the run of octets from `i` that can be copied
    /// unchanged: the next bare line ending or `.` after an LF, or the end
    /// of `input`. `i` is at least 1 and never smaller than in the previous
    /// call.
    pub(super) fn run_end(&mut self, input: &[u8], i: usize) -> usize {
        if i >= self.clean_until {
            self.scan_bare(input, i);
        }
        loop {
            let search_from = match self.dot {
                Some(at) if at >= i => return at.min(self.clean_until),
                // Past the last `.` found: what follows it is not searched yet.
                Some(_) => Some(i),
                None if self.dot_searched_until < self.clean_until => {
                    Some(self.dot_searched_until.max(i))
                }
                None => None,
            };
            if let Some(from) = search_from {
                // To the end of the window, not just to the next bare line
                // ending: input dense with those still costs one search per
                // window, not one per line.
                let searched = input.get(..self.scanned_until).unwrap_or(input);
                self.dot = next_dot_after_lf(searched, from);
                self.dot_searched_until = self.scanned_until;
                if self.dot.is_some() {
                    continue;
                }
            }
            // No `.` before `clean_until`: the run goes on into the next
            // window if the last scan found no bare line ending.
            if self.clean_until < self.scanned_until || self.clean_until >= input.len() {
                return self.clean_until;
            }
            self.scan_bare(input, self.clean_until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain_next_dot(input: &[u8], from: usize) -> Option<usize> {
        (from.max(1)..input.len()).find(|&k| input[k] == b'.' && input[k - 1] == b'\n')
    }

    fn plain_bare_free_run(input: &[u8], start: usize) -> usize {
        if start == 0 {
            return 0;
        }
        (start..input.len())
            .find(|&q| is_bare_pair(input[q - 1], input[q]))
            .unwrap_or(input.len())
            - start
    }

    #[test]
    fn dot_at_the_first_octet_is_left_to_the_caller() {
        assert_eq!(next_dot_after_lf(b".x\n.", 0), Some(3));
        assert_eq!(next_dot_after_lf(b".x", 0), None);
        assert_eq!(next_dot_after_lf(b".x\n.", 1), Some(3));
        assert_eq!(next_dot_after_lf(b"\n.", 1), Some(1));
        assert_eq!(next_dot_after_lf(b"\n.", 2), None);
        assert_eq!(next_dot_after_lf(b"\n.", 9), None);
    }

    #[test]
    fn bare_free_runs_cross_blocks_and_stop_at_the_first_bare_pair() {
        let mut input = b"ab\r\n".repeat(100);
        assert_eq!(bare_free_run_len(&input, 1), input.len() - 1);
        input[250] = b'\n';
        for start in 1..=input.len() {
            assert_eq!(
                bare_free_run_len(&input, start),
                plain_bare_free_run(&input, start),
                "start {start}"
            );
        }
    }

    fn crlf_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                6 => Just(b'a'),
                3 => Just(b'\r'),
                3 => Just(b'\n'),
                2 => Just(b'.'),
                1 => any::<u8>(),
            ],
            0..400,
        )
    }

    /// Where a run from `i` must end, straight from the definition.
    fn plain_run_end(input: &[u8], i: usize) -> usize {
        (i..input.len())
            .find(|&q| {
                let (a, b) = (input[q - 1], input[q]);
                is_bare_pair(a, b) || (a == b'\n' && b == b'.')
            })
            .unwrap_or(input.len())
    }

    /// Text with the given specials, each after `gap` plain octets.
    fn text_with(specials: &[(usize, &[u8])]) -> Vec<u8> {
        let mut input = Vec::new();
        for &(gap, special) in specials {
            input.extend(std::iter::repeat_n(b'q', gap));
            input.extend_from_slice(special);
        }
        input
    }

    #[test]
    fn run_ends_around_window_boundaries() {
        let w = RunEnds::WINDOW;
        for at in [w - 2, w - 1, w, w + 1, 2 * w - 1, 2 * w, 2 * w + 1] {
            for special in [&b"\n"[..], b"\r", b"\r\n.", b"\r\n", b"."] {
                let input = text_with(&[(at, special), (w + 7, b"\r\n"), (3, b"")]);
                let mut ends = RunEnds::new();
                let mut i = 1;
                while i < input.len() {
                    let end = ends.run_end(&input, i);
                    assert_eq!(end, plain_run_end(&input, i), "at {at} {special:?} i {i}");
                    i = end + 1;
                }
            }
        }
    }

    proptest! {
        #[test]
        fn scans_agree_with_plain_loops(input in crlf_bytes(), start in 0usize..420) {
            let start = start.min(input.len());
            prop_assert_eq!(next_dot_after_lf(&input, start), plain_next_dot(&input, start));
            prop_assert_eq!(bare_free_run_len(&input, start), plain_bare_free_run(&input, start));
        }

        #[test]
        fn run_ends_agree_with_the_definition(
            specials in proptest::collection::vec(
                (0usize..5000, prop_oneof![
                    Just(&b"\r\n"[..]), Just(&b"\r\n."[..]), Just(&b"\n"[..]),
                    Just(&b"\r"[..]), Just(&b"."[..]), Just(&b"\n."[..]),
                ]),
                0..8),
            steps in proptest::collection::vec(0usize..3000, 1..8),
        ) {
            let input = text_with(&specials);
            let mut ends = RunEnds::new();
            let mut i = 1;
            let mut k = 0;
            while i < input.len() {
                let end = ends.run_end(&input, i);
                prop_assert_eq!(end, plain_run_end(&input, i), "i {}", i);
                // Like the decoder: on to the run's end, past it, or further.
                i = end.max(i) + steps[k % steps.len()] % 3 + usize::from(end == i);
                k += 1;
            }
        }
    }
}
