//! Pieces shared by XOAUTH2 and OAUTHBEARER: the `key=value^A` pairs, the
//! bearer token syntax, and the JSON error challenge a server sends when the
//! token is refused (RFC 7628 §3.2.2).

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::error::ParseError;

/// `kvsep = %x01` (RFC 7628 §3.1).
pub(crate) const KVSEP: u8 = 0x01;

/// Longest bearer token accepted, in octets.
pub const MAX_TOKEN_LEN: usize = 8192;
/// Longest user name, authzid or host accepted, in octets.
pub const MAX_IDENTITY_LEN: usize = 255;

/// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
/// (RFC 6750 §2.1).
pub(crate) fn b64token(token: &str) -> Result<&str, ParseError> {
    let bytes = token.as_bytes();
    let body = bytes.iter().position(|&b| b == b'=').unwrap_or(bytes.len());
    let (chars, padding) = bytes.split_at(body);
    let ok = !chars.is_empty()
        && chars
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
        && padding.iter().all(|&b| b == b'=');
    if token.len() > MAX_TOKEN_LEN {
        Err(ParseError::TooLong("bearer token"))
    } else if ok {
        Ok(token)
    } else {
        Err(ParseError::InvalidArguments("bad bearer token"))
    }
}

/// `credentials = "Bearer" 1*SP b64token` (RFC 6750 §2.1; the scheme is
/// case-insensitive, RFC 9110 §11.1): the token of an `auth=` value.
pub(crate) fn bearer_credentials(value: &str) -> Result<&str, ParseError> {
    let bad = ParseError::InvalidArguments("auth value must be Bearer <token>");
    let scheme = value.get(..6).ok_or(bad)?;
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(bad);
    }
    let rest = value.get(6..).unwrap_or("");
    let token = rest.trim_start_matches(' ');
    if token.len() == rest.len() {
        return Err(bad);
    }
    b64token(token)
}

/// A user name, authzid or host carried in a pair: non-empty, no control
/// characters (so no `^A`, CR or LF), UTF-8, bounded.
pub(crate) fn identity<'a>(value: &'a str, what: &'static str) -> Result<&'a str, ParseError> {
    if value.len() > MAX_IDENTITY_LEN {
        return Err(ParseError::TooLong(what));
    }
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err(ParseError::InvalidArguments(what));
    }
    Ok(value)
}

/// `kvpair = key "=" value kvsep`, `key = 1*(ALPHA)`,
/// `value = *(VCHAR / SP / HTAB / CR / LF)` (RFC 7628 §3.1), for a run of
/// pairs followed by the final `kvsep`. Calls `pair` for each; a key seen
/// twice is an error.
pub(crate) fn kvpairs<'a>(
    input: &'a [u8],
    mut pair: impl FnMut(&'a str, &'a str) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let body = input
        .strip_suffix(&[KVSEP])
        .ok_or(ParseError::InvalidArguments(
            "OAuth message must end with ^A^A",
        ))?;
    let mut seen: Vec<&[u8]> = Vec::new();
    for raw in body.split_inclusive(|&b| b == KVSEP) {
        let raw = raw
            .strip_suffix(&[KVSEP])
            .ok_or(ParseError::InvalidArguments(
                "OAuth message must end with ^A^A",
            ))?;
        let eq = raw
            .iter()
            .position(|&b| b == b'=')
            .ok_or(ParseError::InvalidArguments("OAuth key=value expected"))?;
        let (key, value) = raw.split_at(eq);
        let value = value.get(1..).unwrap_or(b"");
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
            return Err(ParseError::InvalidArguments("bad OAuth key"));
        }
        if !value.iter().all(|&b| {
            (0x21..=0x7e).contains(&b)
                || b == b' '
                || b == b'\t'
                || b == b'\r'
                || b == b'\n'
                || b >= 0x80
        }) {
            return Err(ParseError::InvalidArguments("bad OAuth value"));
        }
        if seen.contains(&key) {
            return Err(ParseError::InvalidArguments("OAuth key given twice"));
        }
        if seen.len() >= 16 {
            return Err(ParseError::InvalidArguments("too many OAuth keys"));
        }
        seen.push(key);
        let key =
            std::str::from_utf8(key).map_err(|_| ParseError::InvalidArguments("bad OAuth key"))?;
        let value = std::str::from_utf8(value)
            .map_err(|_| ParseError::InvalidArguments("bad OAuth value"))?;
        pair(key, value)?;
    }
    if seen.is_empty() {
        return Err(ParseError::InvalidArguments("OAuth message without pairs"));
    }
    Ok(())
}

/// The error a server reports when it refuses a token: a JSON object sent as
/// the `334` challenge (RFC 7628 §3.2.2; XOAUTH2 uses the same shape). The
/// client answers with a dummy response, then the server sends `535`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OAuthError<'a> {
    /// `status`: an RFC 6749 error code (`invalid_token`) or, for Google's
    /// XOAUTH2, an HTTP status (`401`).
    pub status: Cow<'a, str>,
    /// `scope`: the scope the token needs, if known.
    pub scope: Option<Cow<'a, str>>,
    /// `schemes`: the HTTP authentication schemes accepted (XOAUTH2: `Bearer`).
    pub schemes: Option<Cow<'a, str>>,
    /// `openid-configuration`: where to discover the authorization server.
    pub openid_configuration: Option<Cow<'a, str>>,
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Longest error challenge parsed, in octets.
const MAX_JSON_LEN: usize = 4096;

impl<'a> OAuthError<'a> {
    /// An error with just a status, e.g. `invalid_token`.
    pub fn new(status: &'a str) -> Self {
        OAuthError {
            status: Cow::Borrowed(status),
            ..OAuthError::default()
        }
    }

    /// The JSON object, to send base64-encoded in a `334` challenge.
    /// Control characters are escaped, so the result is one line.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::from("{\"status\":");
        push_json_string(&mut out, &self.status);
        let optional = [
            ("schemes", &self.schemes),
            ("scope", &self.scope),
            ("openid-configuration", &self.openid_configuration),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                out.push_str(",\"");
                out.push_str(name);
                out.push_str("\":");
                push_json_string(&mut out, value);
            }
        }
        out.push('}');
        out.into_bytes()
    }

    /// Reads a decoded error challenge: a flat JSON object of string (or
    /// number) members. Unknown members are ignored; `status` is required.
    pub fn parse(json: &'a [u8]) -> Result<Self, ParseError> {
        let bad = ParseError::InvalidReply("bad OAuth error challenge");
        if json.len() > MAX_JSON_LEN {
            return Err(bad);
        }
        let text = std::str::from_utf8(json).map_err(|_| bad)?;
        let mut rest = text.trim().strip_prefix('{').ok_or(bad)?.trim_start();
        let mut error = OAuthError::default();
        let mut has_status = false;
        if let Some(after) = rest.strip_prefix('}') {
            rest = after;
        } else {
            loop {
                let (name, after) = json_string(rest).ok_or(bad)?;
                let after = after
                    .trim_start()
                    .strip_prefix(':')
                    .ok_or(bad)?
                    .trim_start();
                let (value, after) = json_string(after)
                    .or_else(|| json_number(after))
                    .ok_or(bad)?;
                match &*name {
                    "status" => {
                        error.status = value;
                        has_status = true;
                    }
                    "scope" => error.scope = Some(value),
                    "schemes" => error.schemes = Some(value),
                    "openid-configuration" => error.openid_configuration = Some(value),
                    _ => {}
                }
                let after = after.trim_start();
                if let Some(after) = after.strip_prefix(',') {
                    rest = after.trim_start();
                } else {
                    rest = after.strip_prefix('}').ok_or(bad)?;
                    break;
                }
            }
        }
        if !rest.trim().is_empty() || !has_status {
            return Err(bad);
        }
        Ok(error)
    }

    /// Detaches the value from the input it was parsed from.
    pub fn into_owned(self) -> OAuthError<'static> {
        let own = |c: Cow<'a, str>| Cow::Owned(c.into_owned());
        OAuthError {
            status: own(self.status),
            scope: self.scope.map(own),
            schemes: self.schemes.map(own),
            openid_configuration: self.openid_configuration.map(own),
        }
    }
}

/// A JSON number, kept as its text.
fn json_number(input: &str) -> Option<(Cow<'_, str>, &str)> {
    let end = input
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(input.len());
    let (number, rest) = input.split_at(end);
    (!number.is_empty()).then_some((Cow::Borrowed(number), rest))
}

/// A JSON string (RFC 8259 §7) at the start of `input`, unescaped, and what follows.
fn json_string(input: &str) -> Option<(Cow<'_, str>, &str)> {
    let body = input.strip_prefix('"')?;
    let end = body.find(['"', '\\']).unwrap_or(body.len());
    if body.get(end..)?.starts_with('"') {
        let (s, rest) = body.split_at(end);
        if s.chars().any(|c| u32::from(c) < 0x20) {
            return None;
        }
        return Some((Cow::Borrowed(s), rest.get(1..)?));
    }
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), body.get(i + 1..)?)),
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let mut code = 0u32;
                        for _ in 0..4 {
                            code = code * 16 + chars.next()?.1.to_digit(16)?;
                        }
                        // Surrogate pairs are not joined: an error text, not data.
                        char::from_u32(code).unwrap_or('\u{FFFD}')
                    }
                    _ => return None,
                });
            }
            c if u32::from(c) < 0x20 => return None,
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tokens() {
        assert!(b64token("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==").is_ok());
        assert!(b64token("ya29.a0AfH6SMB-x_y~z+/").is_ok());
        for bad in ["", "=", "a b", "a=b", "a\x01", "é"] {
            assert!(b64token(bad).is_err(), "{bad:?}");
        }
        assert_eq!(bearer_credentials("Bearer abc"), Ok("abc"));
        assert_eq!(bearer_credentials("bearer  abc"), Ok("abc"));
        assert!(bearer_credentials("Bearerabc").is_err());
        assert!(bearer_credentials("Basic abc").is_err());
        assert!(bearer_credentials("Bearer ").is_err());
        assert!(bearer_credentials("Bear").is_err());
    }

    #[test]
    fn error_json() {
        let google = OAuthError {
            status: "401".into(),
            schemes: Some("bearer".into()),
            scope: Some("https://mail.google.com/".into()),
            openid_configuration: None,
        };
        let json = google.to_json();
        assert_eq!(
            json,
            br#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
        );
        assert_eq!(OAuthError::parse(&json), Ok(google));
        let rfc = br#"{
            "status":"invalid_token",
            "scope":"example_scope",
            "openid-configuration":"https://example.com/.well-known/openid-configuration"
        }"#;
        let parsed = OAuthError::parse(rfc).unwrap();
        assert_eq!(parsed.status, "invalid_token");
        assert_eq!(parsed.scope.as_deref(), Some("example_scope"));
        let escaped = OAuthError::new("a\"b\\c\n\u{1}");
        assert_eq!(escaped.to_json(), br#"{"status":"a\"b\\c\u000a\u0001"}"#);
        assert_eq!(OAuthError::parse(&escaped.to_json()), Ok(escaped));
        assert_eq!(
            OAuthError::parse(br#"{"status":401}"#).unwrap().status,
            "401"
        );
        for bad in [
            &b""[..],
            b"{",
            b"{}",
            b"{\"scope\":\"x\"}",
            b"{\"status\":\"x\"",
            b"{\"status\":\"x\"}x",
            b"[1]",
            b"{\"status\":\"\\q\"}",
        ] {
            assert!(
                OAuthError::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    proptest! {
        #[test]
        fn json_round_trip(status in ".{0,30}", scope in proptest::option::of(".{0,30}")) {
            let e = OAuthError { status: status.into(), scope: scope.map(Into::into), ..OAuthError::default() };
            let json = e.to_json();
            prop_assert_eq!(OAuthError::parse(&json).unwrap(), e);
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100), text in r#"[{}":,\\u0-9a-z ]{0,40}"#) {
            let _ = OAuthError::parse(&bytes);
            let _ = OAuthError::parse(text.as_bytes());
            let _ = kvpairs(&bytes, |_, _| Ok(()));
        }
    }
}
