//! The two scans that find where the DATA decoder's next copyable run ends.
//!
//! Almost every octet of a body is copied unchanged; only a `.` after an LF
//! (stuffing or the terminator) and a bare CR or bare LF need the decoder's
//! state machine. Both are looked for by scans that cost little per octet
//! when nothing is found:
//! - `<LF>.` with `memchr::memmem` (runtime-dispatched AVX2 on x86-64, a few
//!   instructions per 32 octets), once per stuffed line;
//! - bare line endings with a pairwise test over 64-octet blocks: "is the
//!   octet a CR" must equal "is the next octet an LF" at every position,
//!   which the compiler turns into two compares, a xor and an or per 16
//!   octets at the baseline target (SSE2).

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

/// Whether the `N` pairs `input[k]`, `input[k + 1]` for `k` in `q..q + N`
/// are free of bare line endings; `None` when the input is too short.
#[inline(always)]
fn pairs_have_no_bare<const N: usize>(input: &[u8], q: usize) -> Option<bool> {
    let prev = <&[u8; N]>::try_from(input.get(q..q + N)?).ok()?;
    let cur = <&[u8; N]>::try_from(input.get(q + 1..q + 1 + N)?).ok()?;
    Some(block_has_no_bare(prev, cur))
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
    loop {
        match pairs_have_no_bare::<WIDE>(input, q) {
            Some(true) => q += WIDE,
            Some(false) => break,
            None => {
                // The tail is shorter than a block: check the last block of the
                // input instead, which overlaps pairs already known to be clean.
                let last = input.len().saturating_sub(WIDE + 1);
                if last <= q && pairs_have_no_bare::<WIDE>(input, last) == Some(true) {
                    return input.len() - start;
                }
                break;
            }
        }
    }
    while pairs_have_no_bare::<NARROW>(input, q) == Some(true) {
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

    proptest! {
        #[test]
        fn scans_agree_with_plain_loops(input in crlf_bytes(), start in 0usize..420) {
            let start = start.min(input.len());
            prop_assert_eq!(next_dot_after_lf(&input, start), plain_next_dot(&input, start));
            prop_assert_eq!(bare_free_run_len(&input, start), plain_bare_free_run(&input, start));
        }
    }
}
