//! The CRAM-MD5 mechanism (RFC 2195): the server sends a unique challenge and
//! the client answers with its user name and HMAC-MD5(password, challenge).
//!
//! The password never crosses the wire, but the server must know it in clear,
//! and MD5 is weak: prefer SCRAM-SHA-256 where both sides have it.

use std::borrow::Cow;
use std::fmt;

use hmac::{Hmac, Mac};
use md5::Md5;

use super::plain::MAX_FIELD_LEN;
use super::secret::{Redacted, SecretBytes, constant_time_eq};
use crate::error::ParseError;

type HmacMd5 = Hmac<Md5>;

/// Longest challenge accepted (the msg-id of RFC 5322 §3.6.4 fits a line).
pub const MAX_CHALLENGE_LEN: usize = 998;

/// A server challenge in the `msg-id` form RFC 2195 §2 asks for: `<` unique
/// part `@` host `>`, printable ASCII without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CramMd5Challenge<'a>(Cow<'a, str>);

impl<'a> CramMd5Challenge<'a> {
    /// Checks a whole challenge such as `<1896.697170952@postoffice.reston.mci.net>`.
    ///
    /// `msg-id = "<" id-left "@" id-right ">"` (RFC 2195 §2 after RFC 822), here
    /// any printable ASCII but `<`, `>` and space on either side of the last `@`.
    pub fn new(challenge: &'a str) -> Result<Self, ParseError> {
        const BAD: ParseError =
            ParseError::InvalidArguments("CRAM-MD5 challenge must be <id@host>");
        let bytes = challenge.as_bytes();
        if bytes.len() > MAX_CHALLENGE_LEN {
            return Err(ParseError::TooLong("CRAM-MD5 challenge"));
        }
        let inner = bytes
            .strip_prefix(b"<")
            .and_then(|b| b.strip_suffix(b">"))
            .ok_or(BAD)?;
        let at = inner.iter().rposition(|&b| b == b'@').ok_or(BAD)?;
        let printable = inner
            .iter()
            .all(|&b| (0x21..=0x7e).contains(&b) && b != b'<' && b != b'>');
        if at == 0 || at + 1 == inner.len() || !printable {
            return Err(BAD);
        }
        Ok(CramMd5Challenge(Cow::Borrowed(challenge)))
    }

    /// Builds `<unique@host>`. The caller supplies `unique`, which must never
    /// repeat: e.g. at least 16 random bytes in hex, a dot and a timestamp.
    pub fn build(unique: &str, host: &str) -> Result<CramMd5Challenge<'static>, ParseError> {
        let text = format!("<{unique}@{host}>");
        CramMd5Challenge::new(&text)?;
        Ok(CramMd5Challenge(Cow::Owned(text)))
    }

    /// The challenge, to send base64-encoded in a `334` reply.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The challenge as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches the challenge from the input it was built from.
    pub fn into_owned(self) -> CramMd5Challenge<'static> {
        CramMd5Challenge(Cow::Owned(self.0.into_owned()))
    }
}

fn hmac_md5(password: &[u8], challenge: &[u8]) -> [u8; 16] {
    // HMAC takes keys of any length, so the error branch is never taken; it
    // falls back to a zero key instead of panicking.
    let mut mac = <HmacMd5 as Mac>::new_from_slice(password)
        .unwrap_or_else(|_| <HmacMd5 as hmac::digest::KeyInit>::new(&Default::default()));
    mac.update(challenge);
    mac.finalize().into_bytes().into()
}

/// A user name: non-empty UTF-8 without control characters, at most 255 octets.
fn username(field: &[u8]) -> Result<&str, ParseError> {
    if field.len() > MAX_FIELD_LEN {
        return Err(ParseError::TooLong("CRAM-MD5 username"));
    }
    let bad = ParseError::InvalidArguments("CRAM-MD5 username");
    if field.is_empty() || field.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(bad);
    }
    std::str::from_utf8(field).map_err(|_| bad)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The client's answer to a decoded challenge (RFC 2195 §2):
/// `username SP hex(HMAC-MD5(password, challenge))` in lower-case hex.
pub fn cram_md5_response(
    username_: &str,
    password: &[u8],
    challenge: &[u8],
) -> Result<SecretBytes, ParseError> {
    let name = username(username_.as_bytes())?;
    let digest = hmac_md5(password, challenge);
    let mut out = Vec::with_capacity(name.len() + 33);
    out.extend_from_slice(name.as_bytes());
    out.push(b' ');
    for b in digest {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0x0f)]);
    }
    Ok(SecretBytes::new(out))
}

/// The client's decoded answer, as a server receives it. `Debug` redacts the digest.
#[derive(Clone, PartialEq, Eq)]
pub struct CramMd5Response<'a> {
    username: Cow<'a, str>,
    digest: [u8; 16],
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> CramMd5Response<'a> {
    /// Decodes `username SP digest`, the digest being 32 hex digits (RFC 2195 §2).
    /// The user name is what precedes the last space, so it may contain spaces.
    pub fn parse(response: &'a [u8]) -> Result<Self, ParseError> {
        const BAD: ParseError =
            ParseError::InvalidArguments("CRAM-MD5 response must be user SP digest");
        let space = response.iter().rposition(|&b| b == b' ').ok_or(BAD)?;
        let (name, rest) = response.split_at(space);
        let hex = rest.get(1..).ok_or(BAD)?;
        if hex.len() != 32 {
            return Err(BAD);
        }
        let mut digest = [0u8; 16];
        for (out, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
            let &[hi, lo] = pair else { return Err(BAD) };
            let (Some(hi), Some(lo)) = (hex_value(hi), hex_value(lo)) else {
                return Err(BAD);
            };
            *out = (hi << 4) | lo;
        }
        Ok(CramMd5Response {
            username: Cow::Borrowed(username(name)?),
            digest,
        })
    }

    /// The user name the client claims.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// True when the digest is HMAC-MD5(`password`, `challenge`), compared in
    /// constant time.
    pub fn verify(&self, challenge: &CramMd5Challenge<'_>, password: &[u8]) -> bool {
        constant_time_eq(&hmac_md5(password, challenge.as_bytes()), &self.digest)
    }

    /// Detaches the response from the input it was parsed from.
    pub fn into_owned(self) -> CramMd5Response<'static> {
        CramMd5Response {
            username: Cow::Owned(self.username.into_owned()),
            digest: self.digest,
        }
    }
}

impl fmt::Debug for CramMd5Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CramMd5Response")
            .field("username", &self.username)
            .field("digest", &Redacted)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{decode_challenge, encode_challenge};
    use proptest::prelude::*;

    const CHALLENGE: &str = "<1896.697170952@postoffice.reston.mci.net>";

    #[test]
    fn rfc2195_example() {
        let mut text = Vec::new();
        encode_challenge(CHALLENGE.as_bytes(), &mut text);
        assert_eq!(
            text,
            b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
        );
        let challenge = decode_challenge(&text).unwrap();
        let response = cram_md5_response("tim", b"tanstaaftanstaaf", &challenge).unwrap();
        assert_eq!(response.expose(), b"tim b913a602c7eda7a495b4e6e7334d3890");

        let parsed = CramMd5Response::parse(response.expose()).unwrap();
        let challenge = CramMd5Challenge::new(CHALLENGE).unwrap();
        assert_eq!(parsed.username(), "tim");
        assert!(parsed.verify(&challenge, b"tanstaaftanstaaf"));
        assert!(!parsed.verify(&challenge, b"tanstaaftanstaag"));
        let other = CramMd5Challenge::new("<1897.697170952@postoffice.reston.mci.net>").unwrap();
        assert!(!parsed.verify(&other, b"tanstaaftanstaaf"));
        let upper = CramMd5Response::parse(b"tim B913A602C7EDA7A495B4E6E7334D3890").unwrap();
        assert!(upper.verify(&challenge, b"tanstaaftanstaaf"));
    }

    #[test]
    fn challenges() {
        assert_eq!(
            CramMd5Challenge::build("1896.697170952", "postoffice.reston.mci.net")
                .unwrap()
                .as_str(),
            CHALLENGE
        );
        for bad in [
            "",
            "<>",
            "<@>",
            "<a@>",
            "<@b>",
            "a@b",
            "<a@b",
            "<a b@c>",
            "<a@b>>",
            "<a@b\r\n>",
        ] {
            assert!(CramMd5Challenge::new(bad).is_err(), "{bad:?}");
        }
        assert!(CramMd5Challenge::new(&format!("<{}@b>", "a".repeat(1000))).is_err());
    }

    #[test]
    fn bad_responses() {
        for bad in [
            &b""[..],
            b"tim",
            b"tim ",
            b" b913a602c7eda7a495b4e6e7334d3890",
            b"tim b913a602c7eda7a495b4e6e7334d389",
            b"tim b913a602c7eda7a495b4e6e7334d38900",
            b"tim g913a602c7eda7a495b4e6e7334d3890",
            b"tim b913a602c7eda7a495b4e6e7334d3890 ",
            b"t\0m b913a602c7eda7a495b4e6e7334d3890",
            b"t\xffm b913a602c7eda7a495b4e6e7334d3890",
        ] {
            assert!(CramMd5Response::parse(bad).is_err(), "{bad:?}");
        }
        let spaced = CramMd5Response::parse(b"tim smith b913a602c7eda7a495b4e6e7334d3890").unwrap();
        assert_eq!(spaced.username(), "tim smith");
    }

    #[test]
    fn debug_redacts_the_digest() {
        let parsed = CramMd5Response::parse(b"tim b913a602c7eda7a495b4e6e7334d3890").unwrap();
        let debug = format!("{parsed:?}");
        assert!(debug.contains("tim") && !debug.contains("b913") && !debug.contains("185"));
    }

    proptest! {
        #[test]
        fn round_trip(user in "[^\0-\x1f\x7f]{1,40}", password in any::<Vec<u8>>(), unique in "[0-9a-f.]{1,40}") {
            let challenge = CramMd5Challenge::build(&unique, "mx.example.org").unwrap();
            let response = cram_md5_response(&user, &password, challenge.as_bytes()).unwrap();
            let parsed = CramMd5Response::parse(response.expose()).unwrap();
            prop_assert_eq!(parsed.username(), user.as_str());
            prop_assert!(parsed.verify(&challenge, &password));
            let mut wrong = password.clone();
            wrong.push(b'x');
            prop_assert!(!parsed.verify(&challenge, &wrong));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), text in ".{0,60}") {
            let _ = CramMd5Response::parse(&bytes);
            let _ = CramMd5Challenge::new(&text);
        }
    }
}
