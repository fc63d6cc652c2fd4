//! xtext (RFC 3461 §4), the encoding of ENVID, ORCPT and AUTH= values, and the
//! RFC 6533 §3 `\x{..}` form that replaces it for `ORCPT=utf-8;...`.
//!
//! Both types keep the wire form (borrowed from the input when parsed) and
//! decode on demand, so parsing a parameter never allocates.

use std::{borrow::Cow, fmt::Write as _};

use crate::{
    chars::XCHAR,
    encode::Encode,
    error::ParseError,
    parse::xtext::{QCHAR, utf_8_addr_unitext, xtext},
};

/// An xtext-encoded value (RFC 3461 §4), e.g. `a+2Bb@c` for `a+b@c`.
///
/// Equality compares wire forms: `+41` and `A` decode alike but are different
/// values, as they are different bytes on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XText<'a> {
    wire: Cow<'a, str>,
}

impl<'a> XText<'a> {
    /// Wraps a wire form the grammar has already accepted.
    pub(crate) fn new_unchecked(wire: &'a str) -> Self {
        XText {
            wire: Cow::Borrowed(wire),
        }
    }

    /// Encodes any bytes: `+`, `=`, controls, space and non-ASCII become
    /// `+XX`, everything else stays as it is.
    pub fn from_decoded(decoded: &[u8]) -> XText<'static> {
        let mut wire = String::with_capacity(decoded.len());
        for &b in decoded {
            if XCHAR[b as usize] {
                wire.push(char::from(b));
            } else {
                // Writing to a String cannot fail.
                let _ = write!(wire, "+{b:02X}");
            }
        }
        XText {
            wire: Cow::Owned(wire),
        }
    }

    /// The encoded (wire) form.
    pub fn as_str(&self) -> &str {
        &self.wire
    }

    /// True when the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.wire.is_empty()
    }

    /// The decoded bytes; borrowed when there is nothing to decode.
    pub fn decode(&self) -> Cow<'_, [u8]> {
        let wire = self.wire.as_bytes();
        if !wire.contains(&b'+') {
            return Cow::Borrowed(wire);
        }
        let mut out = Vec::with_capacity(wire.len());
        let mut rest = wire;
        while let Some((&b, tail)) = rest.split_first() {
            match crate::parse::xtext::hexchar(rest) {
                Ok((after, decoded)) => {
                    out.push(decoded);
                    rest = after;
                }
                // Unreachable for a valid value; keeping the byte beats panicking.
                Err(_) => {
                    out.push(b);
                    rest = tail;
                }
            }
        }
        Cow::Owned(out)
    }

    /// The decoded value as text, or `None` when it is not UTF-8.
    pub fn decode_str(&self) -> Option<Cow<'_, str>> {
        match self.decode() {
            Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(Cow::Borrowed),
            Cow::Owned(v) => String::from_utf8(v).ok().map(Cow::Owned),
        }
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> XText<'static> {
        XText {
            wire: Cow::Owned(self.wire.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for XText<'a> {
    type Error = ParseError;

    /// Accepts a wire form: `xtext = *( xchar / hexchar )`.
    fn try_from(wire: &'a str) -> Result<Self, ParseError> {
        match xtext(wire.as_bytes()) {
            Ok(([], _)) => Ok(XText::new_unchecked(wire)),
            _ => Err(ParseError::InvalidArguments("xtext")),
        }
    }
}

impl<'a> TryFrom<&'a [u8]> for XText<'a> {
    type Error = ParseError;

    /// Accepts a wire form: `xtext = *( xchar / hexchar )`.
    fn try_from(wire: &'a [u8]) -> Result<Self, ParseError> {
        let wire = std::str::from_utf8(wire).map_err(|_| ParseError::InvalidArguments("xtext"))?;
        XText::try_from(wire)
    }
}

impl Encode for XText<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.wire.as_bytes());
    }
}

/// A UTF-8 address in the RFC 6533 §3 form used by `ORCPT=utf-8;...`:
/// `utf-8-addr-xtext` (all ASCII, `\x{E9}` escapes) or `utf-8-addr-unitext`
/// (UTF-8 kept as is, only under SMTPUTF8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Utf8AddrText<'a> {
    wire: Cow<'a, str>,
}

impl<'a> Utf8AddrText<'a> {
    /// Wraps a wire form the grammar has already accepted.
    pub(crate) fn new_unchecked(wire: &'a str) -> Self {
        Utf8AddrText {
            wire: Cow::Borrowed(wire),
        }
    }

    /// Encodes `address` as `utf-8-addr-xtext`: every character that is not a
    /// `QCHAR` becomes `\x{..}`. Fails on an empty address and on the control
    /// characters RFC 6533 has no escape for (NUL, 0x0A-0x0F, 0x1A-0x1F).
    pub fn from_address(address: &str) -> Result<Utf8AddrText<'static>, ParseError> {
        Self::encode_address(address, false)
    }

    /// Encodes `address` as `utf-8-addr-unitext`: like
    /// [`Utf8AddrText::from_address`], but non-ASCII characters stay UTF-8.
    pub fn from_address_unitext(address: &str) -> Result<Utf8AddrText<'static>, ParseError> {
        Self::encode_address(address, true)
    }

    fn encode_address(address: &str, unicode: bool) -> Result<Utf8AddrText<'static>, ParseError> {
        const ERR: ParseError = ParseError::InvalidParameter("ORCPT");
        if address.is_empty() {
            return Err(ERR);
        }
        let mut wire = String::with_capacity(address.len());
        for c in address.chars() {
            let code = u32::from(c);
            let plain = if code < 0x80 {
                QCHAR[code as usize]
            } else {
                unicode
            };
            if plain {
                wire.push(c);
            } else if matches!(code, 0x00 | 0x0A..=0x0F | 0x1A..=0x1F) {
                return Err(ERR);
            } else {
                // Writing to a String cannot fail.
                let _ = write!(wire, "\\x{{{code:02X}}}");
            }
        }
        Ok(Utf8AddrText {
            wire: Cow::Owned(wire),
        })
    }

    /// The encoded (wire) form.
    pub fn as_str(&self) -> &str {
        &self.wire
    }

    /// True for the `utf-8-addr-xtext` form, which needs no SMTPUTF8.
    pub fn is_ascii(&self) -> bool {
        self.wire.is_ascii()
    }

    /// The address with its `\x{..}` escapes decoded; borrowed when there are none.
    pub fn decode(&self) -> Cow<'_, str> {
        if !self.wire.contains('\\') {
            return Cow::Borrowed(&self.wire);
        }
        let mut out = String::with_capacity(self.wire.len());
        let mut rest = self.wire.as_ref();
        while let Some(at) = rest.find('\\') {
            let (plain, escaped) = rest.split_at(at);
            out.push_str(plain);
            match crate::parse::xtext::embedded_unicode_char(escaped.as_bytes()) {
                Ok((after, c)) => {
                    out.push(c);
                    // The escape is ASCII, so this is a char boundary.
                    rest = escaped
                        .get(escaped.len() - after.len()..)
                        .unwrap_or_default();
                }
                // Unreachable for a valid value; keeping the text beats panicking.
                Err(_) => {
                    out.push('\\');
                    rest = escaped.get(1..).unwrap_or_default();
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Utf8AddrText<'static> {
        Utf8AddrText {
            wire: Cow::Owned(self.wire.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for Utf8AddrText<'a> {
    type Error = ParseError;

    /// Accepts a wire form, `utf-8-addr-xtext` or `utf-8-addr-unitext`.
    fn try_from(wire: &'a str) -> Result<Self, ParseError> {
        match utf_8_addr_unitext(wire.as_bytes()) {
            Ok(([], _)) => Ok(Utf8AddrText::new_unchecked(wire)),
            _ => Err(ParseError::InvalidParameter("ORCPT")),
        }
    }
}

impl Encode for Utf8AddrText<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.wire.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn xtext_decodes() {
        let x = XText::try_from("a+2Bb@c").unwrap();
        assert_eq!(x.decode().as_ref(), b"a+b@c");
        assert_eq!(x.decode_str().as_deref(), Some("a+b@c"));
        let plain = XText::try_from("plain").unwrap();
        assert!(matches!(plain.decode(), Cow::Borrowed(b"plain")));
        assert_eq!(XText::try_from("+FF").unwrap().decode_str(), None);
    }

    #[test]
    fn xtext_rejects_bad_wire_forms() {
        for bad in ["a+2b", "a+", "a+2", "a=b", "a b", "é", "a\r\n"] {
            assert_eq!(
                XText::try_from(bad),
                Err(ParseError::InvalidArguments("xtext")),
                "{bad:?}"
            );
        }
        assert!(XText::try_from(&b"\xFF"[..]).is_err());
        assert!(XText::try_from("").unwrap().is_empty());
    }

    #[test]
    fn xtext_encodes() {
        let x = XText::from_decoded(b"a+b=c d\r\n\xC3\xA9~!");
        assert_eq!(x.as_str(), "a+2Bb+3Dc+20d+0D+0A+C3+A9~!");
        assert_eq!(x.to_bytes(), x.as_str().as_bytes());
    }

    #[test]
    fn utf8_addr_known_answers() {
        let a = Utf8AddrText::from_address("jérôme+x=y\\z@example.com").unwrap();
        assert_eq!(
            a.as_str(),
            "j\\x{E9}r\\x{F4}me\\x{2B}x\\x{3D}y\\x{5C}z@example.com"
        );
        assert!(a.is_ascii());
        assert_eq!(a.decode(), "jérôme+x=y\\z@example.com");
        let u = Utf8AddrText::from_address_unitext("jérôme+x@例え.jp").unwrap();
        assert_eq!(u.as_str(), "jérôme\\x{2B}x@例え.jp");
        assert!(!u.is_ascii());
        assert_eq!(u.decode(), "jérôme+x@例え.jp");
        assert!(Utf8AddrText::from_address("").is_err());
        assert!(Utf8AddrText::from_address("a\nb").is_err());
        assert_eq!(
            Utf8AddrText::from_address("a b\u{7F}").unwrap().as_str(),
            "a\\x{20}b\\x{7F}"
        );
        assert!(Utf8AddrText::try_from("a+2Bb").is_err());
        assert!(Utf8AddrText::try_from("a\\x{41}").is_err());
        assert!(Utf8AddrText::try_from("a\\x{e9}").is_ok());
    }

    proptest! {
        #[test]
        fn xtext_round_trips(decoded in proptest::collection::vec(any::<u8>(), 0..64)) {
            let x = XText::from_decoded(&decoded);
            let wire = x.to_bytes();
            let parsed = XText::try_from(&wire[..]).unwrap();
            prop_assert_eq!(&parsed, &x);
            let back = parsed.decode();
            prop_assert_eq!(back.as_ref(), &decoded[..]);
        }

        #[test]
        fn arbitrary_wire_forms_never_panic(wire in "([!-~]|\\\\x\\{[0-9A-Fa-f]{0,7}\\}?|\\PC){0,24}") {
            if let Ok(x) = XText::try_from(wire.as_str()) {
                let _ = x.decode_str();
            }
            if let Ok(u) = Utf8AddrText::try_from(wire.as_str()) {
                let decoded = u.decode();
                prop_assert!(!decoded.is_empty());
            }
        }

        #[test]
        fn utf8_addr_round_trips(address in "\\PC{1,24}", unitext in any::<bool>()) {
            let built = if unitext {
                Utf8AddrText::from_address_unitext(&address)
            } else {
                Utf8AddrText::from_address(&address)
            };
            if let Ok(a) = built {
                let wire = String::from_utf8(a.to_bytes()).unwrap();
                let parsed = Utf8AddrText::try_from(wire.as_str()).unwrap();
                prop_assert_eq!(&parsed, &a);
                prop_assert_eq!(parsed.decode(), address.as_str());
            }
        }
    }
}
