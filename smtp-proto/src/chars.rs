//! Byte classes of the SMTP grammar as `const` 256-entry tables.
//!
//! One table per terminal class of RFC 5321 / 5322 / 3461 / 4954, so the
//! hot path is one indexed load per byte instead of a chain of comparisons.
//! Bytes >= 0x80 are never in a class here: UTF-8 (RFC 6531) is admitted
//! by the grammar functions that allow it, under `ParseOptions::smtputf8`.

/// Builds a table from a list of inclusive byte ranges.
const fn table(ranges: &[(u8, u8)]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < ranges.len() {
        let (lo, hi) = ranges[i];
        let mut b = lo as usize;
        while b <= hi as usize {
            t[b] = true;
            b += 1;
        }
        i += 1;
    }
    t
}

/// `DIGIT = %x30-39` (RFC 5234).
pub(crate) const DIGIT: [bool; 256] = table(&[(b'0', b'9')]);

/// `Let-dig = ALPHA / DIGIT` (RFC 5321 §4.1.2).
pub(crate) const LET_DIG: [bool; 256] = table(&[(b'A', b'Z'), (b'a', b'z'), (b'0', b'9')]);

/// `Ldh-str` inner characters: `ALPHA / DIGIT / "-"` (RFC 5321 §4.1.2).
pub(crate) const LDH: [bool; 256] =
    table(&[(b'A', b'Z'), (b'a', b'z'), (b'0', b'9'), (b'-', b'-')]);

/// `atext` (RFC 5322 §3.2.3): ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" /
/// "*" / "+" / "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~".
pub(crate) const ATEXT: [bool; 256] = table(&[
    (b'A', b'Z'),
    (b'a', b'z'),
    (b'0', b'9'),
    (b'!', b'!'),
    (b'#', b'\''),
    (b'*', b'+'),
    (b'-', b'-'),
    (b'/', b'/'),
    (b'=', b'='),
    (b'?', b'?'),
    (b'^', b'`'),
    (b'{', b'~'),
]);

/// `qtextSMTP = %d32-33 / %d35-91 / %d93-126` (RFC 5321 §4.1.2).
pub(crate) const QTEXT_SMTP: [bool; 256] = table(&[(32, 33), (35, 91), (93, 126)]);

/// Second octet of `quoted-pairSMTP = %d92 %d32-126` (RFC 5321 §4.1.2).
pub(crate) const QUOTED_PAIR_CHAR: [bool; 256] = table(&[(32, 126)]);

/// `dcontent = %d33-90 / %d94-126` (RFC 5321 §4.1.3).
pub(crate) const DCONTENT: [bool; 256] = table(&[(33, 90), (94, 126)]);

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` inner characters (RFC 5321 §4.1.2).
pub(crate) const ESMTP_KEYWORD: [bool; 256] = LDH;

/// `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2): any printable but "=".
pub(crate) const ESMTP_VALUE: [bool; 256] = table(&[(33, 60), (62, 126)]);

/// `xchar = %d33-42 / %d44-60 / %d62-126` (RFC 3461 §4): printable but "+" and "=".
pub(crate) const XCHAR: [bool; 256] = table(&[(33, 42), (44, 60), (62, 126)]);

/// `HEXDIG` restricted to upper case, as xtext's `hexchar` requires (RFC 3461 §4).
pub(crate) const UPPER_HEXDIG: [bool; 256] = table(&[(b'0', b'9'), (b'A', b'F')]);

/// `textstring = 1*(%d09 / %d32-126)` (RFC 5321 §4.2): reply text.
pub(crate) const TEXTSTRING: [bool; 256] = table(&[(9, 9), (32, 126)]);

/// Printable US-ASCII and space, `%d32-126`: free-form command arguments (VRFY, HELP, ...).
pub(crate) const PRINTABLE_OR_SP: [bool; 256] = table(&[(32, 126)]);

/// The base64 alphabet of RFC 4648 §4 with its pad character.
pub(crate) const BASE64: [bool; 256] = table(&[
    (b'A', b'Z'),
    (b'a', b'z'),
    (b'0', b'9'),
    (b'+', b'+'),
    (b'/', b'/'),
    (b'=', b'='),
]);

/// Length of the longest prefix of `bytes` whose bytes are all in `class`.
#[inline]
pub(crate) fn span(class: &[bool; 256], bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !class[b as usize])
        .unwrap_or(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_their_abnf() {
        for b in 0..=255u8 {
            let i = b as usize;
            assert_eq!(DIGIT[i], b.is_ascii_digit());
            assert_eq!(LET_DIG[i], b.is_ascii_alphanumeric());
            assert_eq!(
                ATEXT[i],
                b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
            );
            assert_eq!(
                QTEXT_SMTP[i],
                (32..=126).contains(&b) && b != b'"' && b != b'\\'
            );
            assert_eq!(
                DCONTENT[i],
                (33..=126).contains(&b) && !b"[\\]".contains(&b)
            );
            assert_eq!(ESMTP_VALUE[i], (33..=126).contains(&b) && b != b'=');
            assert_eq!(XCHAR[i], (33..=126).contains(&b) && b != b'=' && b != b'+');
            assert_eq!(TEXTSTRING[i], b == 9 || (32..=126).contains(&b));
        }
        assert_eq!(span(&DIGIT, b"123x"), 3);
    }
}
