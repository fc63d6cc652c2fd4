//! SASLprep (RFC 4013), the subset that needs no Unicode tables.
//!
//! ASCII strings are handled exactly: printable ASCII is unchanged and control
//! characters are refused (RFC 4013 §2.3, RFC 3454 C.2.1). For non-ASCII
//! strings the mapping steps are applied (RFC 4013 §2.1: non-ASCII spaces
//! become U+0020, "commonly mapped to nothing" characters are removed) and the
//! prohibited characters of RFC 4013 §2.3 are refused, but NFKC normalisation
//! (§2.2) and the bidirectional check (§2.4) are not done: such strings are
//! used as their UTF-8 bytes, which matches full SASLprep whenever the input
//! is already in NFKC (what every input method produces for Latin, Greek,
//! Cyrillic and CJK text).

use std::borrow::Cow;

use crate::error::ParseError;

/// RFC 3454 C.1.2: non-ASCII space characters, mapped to SPACE.
fn is_non_ascii_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// RFC 3454 B.1: commonly mapped to nothing.
fn is_mapped_to_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{1806}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// RFC 4013 §2.3: control characters (C.2.1, C.2.2), private use (C.3),
/// non-characters (C.4), characters inappropriate for plain text (C.6) or
/// canonical representation (C.7), display-changing characters (C.8) and
/// tagging characters (C.9). Surrogates (C.5) cannot occur in a `str`.
fn is_prohibited(c: char) -> bool {
    let u = u32::from(c);
    matches!(
        c,
        '\u{0000}'..='\u{001F}'
            | '\u{007F}'..='\u{009F}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{180E}'
            | '\u{200C}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2063}'
            | '\u{206A}'..='\u{206F}'
            | '\u{0340}'
            | '\u{0341}'
            | '\u{2FF0}'..='\u{2FFB}'
            | '\u{E000}'..='\u{F8FF}'
            | '\u{FDD0}'..='\u{FDEF}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFD}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
            | '\u{F0000}'..='\u{10FFFF}'
    ) || (u & 0xFFFE) == 0xFFFE
}

/// Prepares a password or user name for comparison or hashing.
///
/// Returns the input itself when nothing changes; fails with
/// `InvalidArguments` on a prohibited character or an empty result.
pub fn saslprep(input: &str) -> Result<Cow<'_, str>, ParseError> {
    const PROHIBITED: ParseError = ParseError::InvalidArguments("prohibited character (SASLprep)");
    if input.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return if input.is_empty() {
            Err(ParseError::InvalidArguments("empty string (SASLprep)"))
        } else {
            Ok(Cow::Borrowed(input))
        };
    }
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if is_mapped_to_nothing(c) {
            continue;
        }
        let c = if is_non_ascii_space(c) { ' ' } else { c };
        if is_prohibited(c) {
            return Err(PROHIBITED);
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(ParseError::InvalidArguments("empty string (SASLprep)"));
    }
    Ok(if out == input {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4013_examples_within_the_subset() {
        // RFC 4013 §3: SOFT HYPHEN mapped to nothing, NBSP to space.
        assert_eq!(saslprep("I\u{00AD}X").unwrap(), "IX");
        assert_eq!(saslprep("user").unwrap(), "user");
        assert_eq!(saslprep("USER").unwrap(), "USER");
        assert_eq!(saslprep("a\u{00A0}b").unwrap(), "a b");
        assert!(saslprep("\u{0007}").is_err());
        assert!(saslprep("pass\tword").is_err());
        assert!(saslprep("").is_err());
        assert!(saslprep("\u{00AD}").is_err());
        assert!(saslprep("a\u{E000}").is_err());
        assert!(saslprep("a\u{FFFF}").is_err());
        assert!(matches!(saslprep("pencil"), Ok(Cow::Borrowed("pencil"))));
        assert!(matches!(
            saslprep("pässwörd"),
            Ok(Cow::Borrowed("pässwörd"))
        ));
    }

    proptest! {
        #[test]
        fn printable_ascii_is_identity(s in "[ -~]{1,50}") {
            prop_assert_eq!(saslprep(&s).unwrap(), s.as_str());
        }

        #[test]
        fn never_panics(s in ".{0,50}") {
            let _ = saslprep(&s);
        }
    }
}
