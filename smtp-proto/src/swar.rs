//! Word-at-a-time byte scans ("SIMD within a register") in safe code.
//!
//! SMTP lines are short: 5 to 100 octets. On them, the set-up of a
//! vectorised `memchr` (a dispatch through a function pointer, alignment
//! handling) costs more than the scan, and a byte-per-iteration loop costs
//! three to five instructions per octet. Reading eight octets as one `u64`
//! and testing them together with the classic bit tricks does a whole word
//! in about ten instructions, and is portable.
//!
//! Every test here is exact for the lowest flagged byte of a word (a borrow
//! can only flag bytes above a byte that really matches), so the first
//! match is always found; callers only use the lowest one.

/// `0x01` in every byte.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// Octets read per step.
pub(crate) const WORD: usize = 8;

/// The eight octets of `chunk` (from `chunks_exact(WORD)`) as a
/// little-endian word: the first octet is the lowest byte. A chunk of
/// another length (never passed) reads as zero rather than panicking.
#[inline(always)]
pub(crate) fn load(chunk: &[u8]) -> u64 {
    <[u8; WORD]>::try_from(chunk).map_or(0, u64::from_le_bytes)
}

/// The high bit of every byte of `word` equal to `byte` (and possibly of
/// bytes above the first one that is).
#[inline(always)]
pub(crate) fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The high bit of every byte of `word` below `limit` (`limit` at most
/// 128), possibly also of bytes above the first one that is.
#[inline(always)]
pub(crate) fn bytes_below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGHS
}

/// Index in its word of the lowest byte flagged in `mask` (non-zero).
#[inline(always)]
pub(crate) fn first_flagged(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The high bit of every byte of `word` at or above 128.
#[inline(always)]
pub(crate) fn bytes_high(word: u64) -> u64 {
    word & HIGHS
}

/// Length of the prefix of `bytes` before the first octet that `stops`
/// flags: `stops_word` flags them in a word (exact for its lowest flag, as
/// the tests here are), `stops_byte` says the same of one octet for the
/// tail. For scans over a byte class that a few word tests describe.
#[inline(always)]
pub(crate) fn span_until(
    bytes: &[u8],
    stops_word: impl Fn(u64) -> u64,
    stops_byte: impl Fn(u8) -> bool,
) -> usize {
    let mut chunks = bytes.chunks_exact(WORD);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mask = stops_word(load(chunk));
        if mask != 0 {
            return offset + first_flagged(mask);
        }
        offset += WORD;
    }
    let tail = chunks.remainder();
    offset
        + tail
            .iter()
            .position(|&b| stops_byte(b))
            .unwrap_or(tail.len())
}

/// The high bit of every byte of `word` that is ASCII and at least `lo`
/// (`lo` at most 128). Exact for every byte, not only the lowest: the sum
/// is done on seven-bit values, so no carry crosses into the next byte.
#[inline(always)]
pub(crate) fn bytes_at_least(word: u64, lo: u8) -> u64 {
    ((word & !HIGHS) + ONES * u64::from(0x80 - lo.min(0x80))) & !word & HIGHS
}

/// The high bit of every byte of `word` in the base64 alphabet of RFC 4648
/// §4 without its pad (`A-Z a-z 0-9 + /`), exact for every byte.
#[inline(always)]
pub(crate) fn bytes_base64(word: u64) -> u64 {
    let at_least = |w: u64, lo: u8| bytes_at_least(w, lo);
    // Letters folded to lower case: `| 0x20` maps exactly the two cases of
    // a letter onto `a-z` (and nothing else there).
    let folded = word | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let digit = at_least(word, b'0') & !at_least(word, b'9' + 1);
    let plus = at_least(word, b'+') & !at_least(word, b'+' + 1);
    let slash = at_least(word, b'/') & !at_least(word, b'/' + 1);
    (letter | digit | plus | slash) & !word & HIGHS
}

/// Position of the first LF in `bytes`, and whether an octet before it
/// has its high bit set (is not ASCII): the framing and the ASCII check of
/// a command line in one pass. The tail shorter than a word is read as the
/// buffer's last eight octets (overlapping what was scanned) when there
/// are that many, so that no octet-by-octet loop runs on the usual line.
#[inline]
pub(crate) fn find_lf_noting_high(bytes: &[u8]) -> Option<(usize, bool)> {
    let mut chunks = bytes.chunks_exact(WORD);
    let mut offset = 0;
    let mut seen = 0;
    for chunk in &mut chunks {
        let word = load(chunk);
        let lf = bytes_equal(word, b'\n');
        if lf != 0 {
            let high = (seen | (word & below_first_flag(lf))) & HIGHS != 0;
            return Some((offset + first_flagged(lf), high));
        }
        seen |= word;
        offset += WORD;
    }
    let tail = chunks.remainder();
    if tail.is_empty() {
        return None;
    }
    // The tail in the low bytes of a word, zeros above (never an LF).
    let word = match bytes.len().checked_sub(WORD).and_then(|s| bytes.get(s..)) {
        Some(last) => load(last) >> (8 * (WORD - tail.len())),
        None => tail.iter().rev().fold(0, |w, &b| (w << 8) | u64::from(b)),
    };
    let lf = bytes_equal(word, b'\n');
    if lf == 0 {
        return None;
    }
    let high = (seen | (word & below_first_flag(lf))) & HIGHS != 0;
    Some((offset + first_flagged(lf), high))
}

/// Every bit of the bytes below the lowest byte flagged in `mask` (non-zero).
#[inline(always)]
fn below_first_flag(mask: u64) -> u64 {
    ((mask & mask.wrapping_neg()) >> 7).wrapping_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn find_lf(bytes: &[u8]) -> Option<usize> {
        find_lf_noting_high(bytes).map(|(lf, _)| lf)
    }

    #[test]
    fn finds_the_first_lf_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b'\n';
                if at + 1 < len {
                    bytes[len - 1] = b'\n';
                }
                assert_eq!(find_lf(&bytes), Some(at), "len {len} at {at}");
            }
            assert_eq!(find_lf(&vec![b'x'; len]), None);
        }
    }

    #[test]
    fn base64_class_is_exact_for_every_octet() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b; 8]);
            let expected = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
            assert_eq!(bytes_base64(word) == HIGHS, expected, "{b:#04x}");
            assert_eq!(bytes_base64(word) == 0, !expected, "{b:#04x}");
        }
    }

    #[test]
    fn masks_flag_the_first_matching_byte() {
        let word = load(b"ab\x1fc\x7f\n\xff ");
        assert_eq!(first_flagged(bytes_below(word, 0x20)), 2);
        assert_eq!(first_flagged(bytes_equal(word, 0x7f)), 4);
        assert_eq!(first_flagged(bytes_equal(word, b'\n')), 5);
        assert_eq!(bytes_below(load(b"\x80\xff  AZaz"), 0x20), 0);
        assert_eq!(bytes_equal(load(b"\x80\xff  AZaz"), b'\n'), 0);
    }

    proptest! {
        #[test]
        fn span_until_agrees_with_a_plain_scan(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let stop = |b: u8| b < 33 || b == b'=' || b >= 0x80;
            let words = |w: u64| bytes_below(w, 33) | bytes_equal(w, b'=') | bytes_high(w);
            prop_assert_eq!(
                span_until(&bytes, words, stop),
                bytes.iter().position(|&b| stop(b)).unwrap_or(bytes.len())
            );
        }

        #[test]
        fn find_lf_agrees_with_a_plain_search(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(find_lf(&bytes), bytes.iter().position(|&b| b == b'\n'));
        }

        #[test]
        fn find_lf_noting_high_agrees_with_plain_scans(
            bytes in prop::collection::vec(prop_oneof![Just(b'\n'), Just(0x80u8), any::<u8>(), Just(b'a')], 0..64)
        ) {
            let expected = bytes.iter().position(|&b| b == b'\n').map(|lf| {
                (lf, !bytes[..lf].is_ascii())
            });
            prop_assert_eq!(find_lf_noting_high(&bytes), expected);
        }

        #[test]
        fn base64_class_is_exact_for_every_byte(bytes in prop::array::uniform8(any::<u8>())) {
            let flags = bytes_base64(load(&bytes));
            for (i, &b) in bytes.iter().enumerate() {
                let expected = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
                prop_assert_eq!(flags >> (8 * i + 7) & 1 == 1, expected, "{:#04x}", b);
            }
        }

        #[test]
        fn lowest_flag_is_exact(bytes in prop::array::uniform8(any::<u8>()), limit in 0u8..=128) {
            let word = load(&bytes);
            let below = bytes_below(word, limit);
            let first_below = bytes.iter().position(|&b| b < limit);
            prop_assert_eq!((below != 0).then(|| first_flagged(below)), first_below);
            let equal = bytes_equal(word, limit);
            let first_equal = bytes.iter().position(|&b| b == limit);
            prop_assert_eq!((equal != 0).then(|| first_flagged(equal)), first_equal);
        }
    }
}
