//! The OAUTHBEARER mechanism (RFC 7628): a GS2 header, then `key=value^A`
//! pairs carrying the host, the port and the bearer token, then `^A`.
//!
//! When the token is refused the server sends an [`OAuthError`] as a `334`
//! challenge; the client answers with a single `^A`
//! ([`ERROR_ACKNOWLEDGEMENT`], RFC 7628 §3.2.3) and the server sends `535`.

use std::borrow::Cow;
use std::fmt;

use super::oauth::{KVSEP, b64token, bearer_credentials, identity, kvpairs};
use super::scram::{escape_saslname, saslname};
use super::secret::{Redacted, SecretBytes};
use crate::error::ParseError;

#[cfg(doc)]
use super::oauth::OAuthError;

/// The client's answer to an error challenge: `kvsep` alone (RFC 7628 §3.2.3).
pub const ERROR_ACKNOWLEDGEMENT: &[u8] = b"\x01";

/// What an OAUTHBEARER client sends. `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthBearerCredentials<'a> {
    authzid: Option<Cow<'a, str>>,
    host: Option<Cow<'a, str>>,
    port: Option<u16>,
    token: Cow<'a, str>,
}

/// `gs2-header = [gs2-nonstd-flag ","] gs2-cb-flag "," [gs2-authzid] ","`,
/// `gs2-cb-flag = ("p=" cb-name) / "n" / "y"`, `gs2-authzid = "a=" saslname`
/// (RFC 5801 §4; RFC 7628 §3.1 has no channel binding and no non-standard flag).
/// Returns the authzid and the rest of the message.
fn gs2_header(message: &[u8]) -> Result<(Option<Cow<'_, str>>, &[u8]), ParseError> {
    let bad = ParseError::InvalidArguments("bad OAUTHBEARER GS2 header");
    let rest = match message {
        [b'n' | b'y', b',', rest @ ..] => rest,
        _ => return Err(bad),
    };
    let comma = rest.iter().position(|&b| b == b',').ok_or(bad)?;
    let (authzid, rest) = rest.split_at(comma);
    let rest = rest.get(1..).unwrap_or(b"");
    if authzid.is_empty() {
        return Ok((None, rest));
    }
    let value = authzid.strip_prefix(b"a=").ok_or(bad)?;
    let value = std::str::from_utf8(value).map_err(|_| bad)?;
    let authzid = saslname(value, ParseError::InvalidArguments)?;
    identity(&authzid, "OAUTHBEARER authzid")?;
    Ok((Some(authzid), rest))
}

/// `port = 1*DIGIT` as a 16-bit number.
fn port(value: &str) -> Result<u16, ParseError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::InvalidArguments("bad OAUTHBEARER port"));
    }
    value
        .parse()
        .map_err(|_| ParseError::InvalidArguments("bad OAUTHBEARER port"))
}

impl<'a> OAuthBearerCredentials<'a> {
    /// Checks the parts: `authzid` and `host` non-empty without control
    /// characters (at most 255 octets), `token` a `b64token` (RFC 6750 §2.1).
    /// RFC 7628 §3.1 asks clients to send `host` and `port`.
    pub fn new(
        authzid: Option<&'a str>,
        host: Option<&'a str>,
        port: Option<u16>,
        token: &'a str,
    ) -> Result<Self, ParseError> {
        Ok(OAuthBearerCredentials {
            authzid: match authzid {
                Some(a) => Some(Cow::Borrowed(identity(a, "OAUTHBEARER authzid")?)),
                None => None,
            },
            host: match host {
                Some(h) => Some(Cow::Borrowed(identity(h, "OAUTHBEARER host")?)),
                None => None,
            },
            port,
            token: Cow::Borrowed(b64token(token)?),
        })
    }

    /// Decodes the client's message.
    ///
    /// `client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep` (RFC 7628 §3.1);
    /// `auth` is required, `host` and `port` optional, unknown keys ignored,
    /// a repeated key refused. The lone `kvsep` is [`ERROR_ACKNOWLEDGEMENT`],
    /// not credentials: check it with [`is_error_acknowledgement`].
    pub fn parse(message: &'a [u8]) -> Result<Self, ParseError> {
        let (authzid, rest) = gs2_header(message)?;
        let pairs = rest
            .strip_prefix(&[KVSEP])
            .ok_or(ParseError::InvalidArguments(
                "OAUTHBEARER GS2 header must end with ^A",
            ))?;
        let (mut host, mut port_number, mut token) = (None, None, None);
        kvpairs(pairs, |key, value| {
            match key {
                "host" => host = Some(Cow::Borrowed(identity(value, "OAUTHBEARER host")?)),
                "port" => port_number = Some(port(value)?),
                "auth" => token = Some(Cow::Borrowed(bearer_credentials(value)?)),
                _ => {}
            }
            Ok(())
        })?;
        Ok(OAuthBearerCredentials {
            authzid,
            host,
            port: port_number,
            token: token.ok_or(ParseError::InvalidArguments("OAUTHBEARER needs auth"))?,
        })
    }

    /// The identity to act as, when the client gave one.
    pub fn authzid(&self) -> Option<&str> {
        self.authzid.as_deref()
    }

    /// The host the client thinks it is talking to.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The port the client connected to.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The bearer token, to validate with the authorization server.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// `n,a=<authzid>,^Ahost=..^Aport=..^Aauth=Bearer ..^A^A`, ready for base64 transport.
    pub fn to_message(&self) -> SecretBytes {
        let mut out = Vec::with_capacity(self.token.len() + 64);
        out.extend_from_slice(b"n,");
        if let Some(authzid) = &self.authzid {
            out.extend_from_slice(b"a=");
            out.extend_from_slice(escape_saslname(authzid).as_bytes());
        }
        out.extend_from_slice(b",\x01");
        if let Some(host) = &self.host {
            out.extend_from_slice(b"host=");
            out.extend_from_slice(host.as_bytes());
            out.push(KVSEP);
        }
        if let Some(port) = self.port {
            out.extend_from_slice(b"port=");
            out.extend_from_slice(port.to_string().as_bytes());
            out.push(KVSEP);
        }
        out.extend_from_slice(b"auth=Bearer ");
        out.extend_from_slice(self.token.as_bytes());
        out.extend_from_slice(&[KVSEP, KVSEP]);
        SecretBytes::new(out)
    }

    /// Detaches the credentials from the input they were parsed from.
    pub fn into_owned(self) -> OAuthBearerCredentials<'static> {
        let own = |c: Cow<'a, str>| Cow::Owned(c.into_owned());
        OAuthBearerCredentials {
            authzid: self.authzid.map(own),
            host: self.host.map(own),
            port: self.port,
            token: own(self.token),
        }
    }
}

impl fmt::Debug for OAuthBearerCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBearerCredentials")
            .field("authzid", &self.authzid)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("token", &Redacted)
            .finish()
    }
}

/// The client's OAUTHBEARER message, to send as the AUTH initial response.
pub fn oauthbearer_response(
    authzid: Option<&str>,
    host: &str,
    port: u16,
    token: &str,
) -> Result<SecretBytes, ParseError> {
    OAuthBearerCredentials::new(authzid, Some(host), Some(port), token).map(|c| c.to_message())
}

/// True when a decoded client response is the acknowledgement of an error
/// challenge (`^A`), after which the server sends `535`.
pub fn is_error_acknowledgement(response: &[u8]) -> bool {
    response == ERROR_ACKNOWLEDGEMENT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::oauth::OAuthError;
    use crate::sasl::{decode_challenge, encode_challenge};
    use proptest::prelude::*;

    const RFC7628_TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

    #[test]
    fn rfc7628_example() {
        // RFC 7628 §4.1.
        let m = oauthbearer_response(
            Some("user@example.com"),
            "server.example.com",
            143,
            RFC7628_TOKEN,
        )
        .unwrap();
        assert_eq!(
            m.expose(),
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
        );
        let c = OAuthBearerCredentials::parse(m.expose()).unwrap();
        assert_eq!(c.authzid(), Some("user@example.com"));
        assert_eq!(c.host(), Some("server.example.com"));
        assert_eq!(c.port(), Some(143));
        assert_eq!(c.token(), RFC7628_TOKEN);
        let minimal = OAuthBearerCredentials::parse(b"n,,\x01auth=Bearer abc\x01\x01").unwrap();
        assert_eq!(
            (minimal.authzid(), minimal.host(), minimal.port()),
            (None, None, None)
        );
        let escaped =
            OAuthBearerCredentials::parse(b"y,a=a=2Cb,\x01auth=Bearer abc\x01\x01").unwrap();
        assert_eq!(escaped.authzid(), Some("a,b"));
        assert_eq!(
            escaped.to_message().expose(),
            b"n,a=a=2Cb,\x01auth=Bearer abc\x01\x01"
        );
    }

    #[test]
    fn server_rejects() {
        for bad in [
            &b""[..],
            b"\x01",
            b"n,,\x01\x01",
            b"n,,auth=Bearer abc\x01\x01",
            b"n,\x01auth=Bearer abc\x01\x01",
            b"p=tls-unique,,\x01auth=Bearer abc\x01\x01",
            b"F,n,,\x01auth=Bearer abc\x01\x01",
            b"n,b=x,\x01auth=Bearer abc\x01\x01",
            b"n,a=,\x01auth=Bearer abc\x01\x01",
            b"n,a=x=2,\x01auth=Bearer abc\x01\x01",
            b"n,,\x01host=h\x01\x01",
            b"n,,\x01port=99999\x01auth=Bearer abc\x01\x01",
            b"n,,\x01port=\x01auth=Bearer abc\x01\x01",
            b"n,,\x01auth=Bearer abc\x01auth=Bearer abc\x01\x01",
            b"n,,\x01auth=Bearer abc\x01",
            b"n,,\x01auth=Bearer a c\x01\x01",
        ] {
            assert!(
                OAuthBearerCredentials::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(oauthbearer_response(None, "", 25, "abc").is_err());
        assert!(oauthbearer_response(None, "h\x01", 25, "abc").is_err());
        assert!(oauthbearer_response(None, "h", 25, "a\x01").is_err());
    }

    #[test]
    fn error_challenge_exchange() {
        // RFC 7628 §4.3: the server refuses the token.
        let error = OAuthError {
            status: "invalid_token".into(),
            scope: Some("example_scope".into()),
            schemes: None,
            openid_configuration: Some(
                "https://example.com/.well-known/openid-configuration".into(),
            ),
        };
        let mut text = Vec::new();
        encode_challenge(&error.to_json(), &mut text);
        let json = decode_challenge(&text).unwrap();
        assert_eq!(OAuthError::parse(&json), Ok(error));
        assert!(is_error_acknowledgement(ERROR_ACKNOWLEDGEMENT));
        assert!(!is_error_acknowledgement(b""));
        assert!(OAuthBearerCredentials::parse(ERROR_ACKNOWLEDGEMENT).is_err());
    }

    #[test]
    fn debug_redacts_the_token() {
        let c = OAuthBearerCredentials::new(None, Some("h"), Some(587), "secrettoken").unwrap();
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("secrettoken") && debug.contains("587"),
            "{debug}"
        );
    }

    proptest! {
        #[test]
        fn round_trip(
            authzid in proptest::option::of("[^\\p{Cc}]{1,30}"),
            host in proptest::option::of("[a-z0-9.-]{1,30}"),
            port in proptest::option::of(any::<u16>()),
            token in "[A-Za-z0-9._~+/-]{1,60}={0,2}",
        ) {
            let c = OAuthBearerCredentials::new(authzid.as_deref(), host.as_deref(), port, &token).unwrap();
            let m = c.to_message();
            prop_assert_eq!(OAuthBearerCredentials::parse(m.expose()).unwrap().into_owned(), c);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = OAuthBearerCredentials::parse(&bytes);
            let mut prefixed = b"n,,\x01".to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = OAuthBearerCredentials::parse(&prefixed);
        }
    }
}
