//! The xtext grammar of RFC 3461 §4 and the RFC 6533 §3 forms that replace it
//! in `ORCPT=utf-8;...`.
//!
//! Each function recognises a prefix of a complete value and returns the
//! recognised bytes; the caller checks that nothing is left over, which is how
//! a `+` without two upper-case hex digits after it becomes an error.

use nom::{
    IResult,
    error::{Error, ErrorKind},
};

use crate::chars::{UPPER_HEXDIG, XCHAR};
use crate::swar;

fn fail<T>(input: &[u8]) -> IResult<&[u8], T> {
    Err(nom::Err::Error(Error::new(input, ErrorKind::Verify)))
}

fn hex_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'F' => Some(u32::from(b - b'A' + 10)),
        b'a'..=b'f' => Some(u32::from(b - b'a' + 10)),
        _ => None,
    }
}

/// `hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits`
/// (RFC 3461 §4), returning the octet it stands for.
pub fn hexchar(input: &[u8]) -> IResult<&[u8], u8> {
    match input {
        [b'+', hi, lo, rest @ ..] if UPPER_HEXDIG[*hi as usize] && UPPER_HEXDIG[*lo as usize] => {
            match (hex_value(*hi), hex_value(*lo)) {
                // Both digits are hex, so the value fits a byte.
                (Some(h), Some(l)) => Ok((rest, ((h << 4) | l) as u8)),
                _ => fail(input),
            }
        }
        _ => fail(input),
    }
}

/// `xtext = *( xchar / hexchar )` with
/// `xchar = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except for "+" and "="`
/// (RFC 3461 §4), returning the encoded (wire) form it recognised.
///
/// Stops before the first byte that cannot continue an xtext, such as a `+`
/// that is not followed by two upper-case hex digits.
pub fn xtext(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let mut at = 0;
    loop {
        // `xchar` is printable ASCII but `+` and `=`: a word at a time.
        at += swar::span_until(
            input.get(at..).unwrap_or_default(),
            |w| {
                swar::bytes_below(w, 33)
                    | swar::bytes_equal(w, b'+')
                    | swar::bytes_equal(w, b'=')
                    | swar::bytes_equal(w, 0x7f)
                    | swar::bytes_high(w)
            },
            |b| !XCHAR[b as usize],
        );
        match input.get(at..) {
            Some(rest @ [b'+', ..]) => match hexchar(rest) {
                Ok(_) => at += 3,
                Err(_) => break,
            },
            _ => break,
        }
    }
    let (wire, rest) = input.split_at(at);
    Ok((rest, wire))
}

/// `QCHAR = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e` (RFC 6533 §3): printable
/// ASCII that xtext leaves alone, minus the backslash that starts an escape.
pub(crate) const QCHAR: [bool; 256] = {
    let mut t = XCHAR;
    t[b'\\' as usize] = false;
    t
};

/// `HEXPOINT` (RFC 6533 §3): the code point of an `EmbeddedUnicodeChar`, in
/// its shortest form, never a character that could have been written as a
/// `QCHAR`, never a surrogate.
///
/// ```text
/// HEXPOINT = ( ( "0"/"1" ) %x31-39 ) / "10" / "20" / "2B" / "3D" / "7F" / "5C" /
///            ( HEXDIG8 HEXDIG ) / ( NZHEXDIG 2(HEXDIG) ) / ( NZDHEXDIG 3(HEXDIG) ) /
///            ( "D" %x30-37 2(HEXDIG) ) / ( NZHEXDIG 4(HEXDIG) ) / ( "10" 4*HEXDIG )
/// ```
pub fn hexpoint(input: &[u8]) -> IResult<&[u8], char> {
    let digits = input
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let Some(hex) = input.get(..digits) else {
        return fail(input);
    };
    let value = hex
        .iter()
        .filter_map(|&b| hex_value(b))
        .fold(0u32, |acc, d| (acc << 4) | d);
    let allowed = match digits {
        2 => matches!(
            value,
            0x01..=0x09 | 0x10..=0x19 | 0x20 | 0x2B | 0x3D | 0x5C | 0x7F | 0x80..=0xFF
        ),
        3 => value >= 0x100,
        4 => value >= 0x1000 && !(0xD800..=0xDFFF).contains(&value),
        5 => value >= 0x1_0000,
        6 => (0x10_0000..=0x10_FFFF).contains(&value),
        _ => false,
    };
    match char::from_u32(value) {
        Some(c) if allowed => Ok((input.get(digits..).unwrap_or_default(), c)),
        _ => fail(input),
    }
}

/// `EmbeddedUnicodeChar = %x5C.78 "{" HEXPOINT "}"` (RFC 6533 §3): `\x{E9}`.
pub fn embedded_unicode_char(input: &[u8]) -> IResult<&[u8], char> {
    let Some(after) = input.strip_prefix(b"\\x{") else {
        return fail(input);
    };
    let (rest, c) = hexpoint(after)?;
    match rest.strip_prefix(b"}") {
        Some(rest) => Ok((rest, c)),
        None => fail(input),
    }
}

/// `utf-8-addr-xtext = 1*(QCHAR / EmbeddedUnicodeChar)` (RFC 6533 §3), the
/// all-ASCII form of a UTF-8 address; returns the wire form it recognised.
pub fn utf_8_addr_xtext(input: &[u8]) -> IResult<&[u8], &[u8]> {
    utf_8_addr(input, false)
}

/// `utf-8-addr-unitext = 1*(QUCHAR / EmbeddedUnicodeChar)` with
/// `QUCHAR = QCHAR / UTF8-2 / UTF8-3 / UTF8-4` (RFC 6533 §3), the form that
/// keeps UTF-8 as is (only under SMTPUTF8); returns the wire form it recognised.
pub fn utf_8_addr_unitext(input: &[u8]) -> IResult<&[u8], &[u8]> {
    utf_8_addr(input, true)
}

fn utf_8_addr(input: &[u8], unicode: bool) -> IResult<&[u8], &[u8]> {
    let mut at = 0;
    while let Some(rest) = input.get(at..) {
        let Some(&first) = rest.first() else { break };
        if QCHAR[first as usize] {
            at += 1;
        } else if first == b'\\' {
            match embedded_unicode_char(rest) {
                Ok((after, _)) => at += rest.len() - after.len(),
                Err(_) => break,
            }
        } else if unicode && first >= 0x80 {
            match utf8_char_len(rest) {
                Some(n) => at += n,
                None => break,
            }
        } else {
            break;
        }
    }
    if at == 0 {
        return fail(input);
    }
    let (wire, rest) = input.split_at(at);
    Ok((rest, wire))
}

/// Length of the one UTF-8 encoded non-ASCII character at the start of `bytes`
/// (`UTF8-2 / UTF8-3 / UTF8-4`, RFC 3629), if there is one.
fn utf8_char_len(bytes: &[u8]) -> Option<usize> {
    let n = match bytes.first()? {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let head = bytes.get(..n)?;
    std::str::from_utf8(head).ok().map(|_| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexchar_known_answers() {
        assert_eq!(hexchar(b"+2Bx"), Ok((&b"x"[..], b'+')));
        assert_eq!(hexchar(b"+3D"), Ok((&b""[..], b'=')));
        assert_eq!(hexchar(b"+FF"), Ok((&b""[..], 0xFF)));
        assert!(hexchar(b"+2b").is_err(), "lower-case hex is not xtext");
        assert!(hexchar(b"+2").is_err());
        assert!(hexchar(b"+").is_err());
        assert!(hexchar(b"2B").is_err());
    }

    #[test]
    fn xtext_known_answers() {
        assert_eq!(xtext(b"a+2Bb@c"), Ok((&b""[..], &b"a+2Bb@c"[..])));
        assert_eq!(xtext(b""), Ok((&b""[..], &b""[..])));
        assert_eq!(xtext(b"ab cd"), Ok((&b" cd"[..], &b"ab"[..])));
        assert_eq!(xtext(b"ab=cd"), Ok((&b"=cd"[..], &b"ab"[..])));
        assert_eq!(xtext(b"ab+2gcd"), Ok((&b"+2gcd"[..], &b"ab"[..])));
        assert_eq!(xtext(b"ab+"), Ok((&b"+"[..], &b"ab"[..])));
        assert_eq!(xtext(b"\xC3\xA9"), Ok((&b"\xC3\xA9"[..], &b""[..])));
    }

    #[test]
    fn hexpoint_known_answers() {
        let ok = |s: &[u8], c: char| assert_eq!(hexpoint(s), Ok((&b""[..], c)), "{s:?}");
        ok(b"E9", 'é');
        ok(b"e9", 'é');
        ok(b"20", ' ');
        ok(b"2B", '+');
        ok(b"3D", '=');
        ok(b"5C", '\\');
        ok(b"7F", '\u{7F}');
        ok(b"09", '\t');
        ok(b"10", '\u{10}');
        ok(b"100", '\u{100}');
        ok(b"20AC", '€');
        ok(b"D7FF", '\u{D7FF}');
        ok(b"1F600", '😀');
        ok(b"10FFFF", '\u{10FFFF}');
        for bad in [
            &b"00"[..],
            b"0A",
            b"1F",
            b"41",
            b"7E",
            b"0E9",
            b"00E9",
            b"D800",
            b"DFFF",
            b"0FFFF",
            b"110000",
            b"1000000",
            b"",
            b"G1",
            b"1",
        ] {
            assert!(hexpoint(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn utf_8_addr_known_answers() {
        assert_eq!(
            utf_8_addr_xtext(b"j\\x{E9}r\\x{F4}me@example.com"),
            Ok((&b""[..], &b"j\\x{E9}r\\x{F4}me@example.com"[..]))
        );
        assert_eq!(
            utf_8_addr_xtext(b"a+2Bb"),
            Ok((&b"+2Bb"[..], &b"a"[..])),
            "no hexchar in the RFC 6533 forms"
        );
        assert!(
            utf_8_addr_xtext(b"\\x{41}").is_err(),
            "A must be written as is"
        );
        assert!(utf_8_addr_xtext(b"").is_err());
        assert!(utf_8_addr_xtext(b"\xC3\xA9").is_err());
        assert_eq!(
            utf_8_addr_unitext("jérôme@example.com".as_bytes()),
            Ok((&b""[..], "jérôme@example.com".as_bytes()))
        );
        assert_eq!(
            utf_8_addr_unitext(b"a\xC3b"),
            Ok((&b"\xC3b"[..], &b"a"[..])),
            "broken UTF-8 ends the form"
        );
    }
}
