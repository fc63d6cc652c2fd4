//! The XOAUTH2 mechanism (Google, Microsoft): `user=` user `^A` `auth=Bearer `
//! token `^A^A`, sent in one message.
//!
//! When the token is refused the server sends an [`OAuthError`] as a `334`
//! challenge; the client answers with an empty response
//! ([`ERROR_ACKNOWLEDGEMENT`]) and the server then sends `535`.

use std::borrow::Cow;
use std::fmt;

use super::oauth::{KVSEP, b64token, bearer_credentials, identity, kvpairs};
use super::secret::{Redacted, SecretBytes};
use crate::error::ParseError;

#[cfg(doc)]
use super::oauth::OAuthError;

/// The client's answer to an error challenge: an empty response.
pub const ERROR_ACKNOWLEDGEMENT: &[u8] = b"";

/// A user and a bearer token. `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct XOAuth2Credentials<'a> {
    user: Cow<'a, str>,
    token: Cow<'a, str>,
}

impl<'a> XOAuth2Credentials<'a> {
    /// Checks the user (non-empty, no control characters, at most 255
    /// octets) and the token (`b64token`, RFC 6750 §2.1).
    pub fn new(user: &'a str, token: &'a str) -> Result<Self, ParseError> {
        Ok(XOAuth2Credentials {
            user: Cow::Borrowed(identity(user, "XOAUTH2 user")?),
            token: Cow::Borrowed(b64token(token)?),
        })
    }

    /// Decodes the client's message:
    /// `"user=" user ^A "auth=Bearer " token ^A ^A`, pairs as in RFC 7628 §3.1
    /// (unknown keys ignored, both `user` and `auth` required).
    pub fn parse(message: &'a [u8]) -> Result<Self, ParseError> {
        let (mut user, mut token) = (None, None);
        kvpairs(message, |key, value| {
            match key {
                "user" => user = Some(identity(value, "XOAUTH2 user")?),
                "auth" => token = Some(bearer_credentials(value)?),
                _ => {}
            }
            Ok(())
        })?;
        match (user, token) {
            (Some(user), Some(token)) => Ok(XOAuth2Credentials {
                user: Cow::Borrowed(user),
                token: Cow::Borrowed(token),
            }),
            _ => Err(ParseError::InvalidArguments("XOAUTH2 needs user and auth")),
        }
    }

    /// The user (an email address, usually).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The bearer token, to validate with the authorization server.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The client's message, ready for base64 transport.
    pub fn to_message(&self) -> SecretBytes {
        let mut out = Vec::with_capacity(self.user.len() + self.token.len() + 20);
        out.extend_from_slice(b"user=");
        out.extend_from_slice(self.user.as_bytes());
        out.push(KVSEP);
        out.extend_from_slice(b"auth=Bearer ");
        out.extend_from_slice(self.token.as_bytes());
        out.extend_from_slice(&[KVSEP, KVSEP]);
        SecretBytes::new(out)
    }

    /// Detaches the credentials from the input they were parsed from.
    pub fn into_owned(self) -> XOAuth2Credentials<'static> {
        XOAuth2Credentials {
            user: Cow::Owned(self.user.into_owned()),
            token: Cow::Owned(self.token.into_owned()),
        }
    }
}

impl fmt::Debug for XOAuth2Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XOAuth2Credentials")
            .field("user", &self.user)
            .field("token", &Redacted)
            .finish()
    }
}

/// The client's XOAUTH2 message, to send as the AUTH initial response.
pub fn xoauth2_response(user: &str, token: &str) -> Result<SecretBytes, ParseError> {
    XOAuth2Credentials::new(user, token).map(|c| c.to_message())
}

/// True when a decoded client response is the acknowledgement of an error
/// challenge, after which the server sends `535`.
pub fn is_error_acknowledgement(response: &[u8]) -> bool {
    response == ERROR_ACKNOWLEDGEMENT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::oauth::OAuthError;
    use crate::sasl::{decode_challenge, encode_challenge, encode_initial_response};
    use proptest::prelude::*;

    #[test]
    fn google_example() {
        // https://developers.google.com/gmail/imap/xoauth2-protocol
        let m = xoauth2_response(
            "someuser@example.com",
            "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg",
        )
        .unwrap();
        assert_eq!(
            m.expose(),
            b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\x01\x01"
        );
        let mut arg = Vec::new();
        encode_initial_response(m.expose(), &mut arg);
        assert_eq!(
            arg,
            b"dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2cBAQ=="
        );
        let c = XOAuth2Credentials::parse(m.expose()).unwrap();
        assert_eq!(c.user(), "someuser@example.com");
        assert_eq!(c.token(), "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg");
    }

    #[test]
    fn server_rejects() {
        for bad in [
            &b""[..],
            b"\x01",
            b"user=a\x01auth=Bearer t\x01",
            b"user=a\x01auth=Bearer t",
            b"user=a\x01\x01",
            b"auth=Bearer t\x01\x01",
            b"user=\x01auth=Bearer t\x01\x01",
            b"user=a\x01auth=Basic t\x01\x01",
            b"user=a\x01auth=Bearer t t\x01\x01",
            b"user=a\x01user=b\x01auth=Bearer t\x01\x01",
            b"user=a\x01auth=Bearer t\x01\x01\x01",
            b"user=a\x00\x01auth=Bearer t\x01\x01",
            b"us-er=a\x01auth=Bearer t\x01\x01",
            b"user=a\x01auth=Bearer \xff\x01\x01",
        ] {
            assert!(
                XOAuth2Credentials::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(XOAuth2Credentials::parse(b"user=a\x01x=y\x01auth=bearer t\x01\x01").is_ok());
        assert!(xoauth2_response("a\x01b", "t").is_err());
        assert!(xoauth2_response("a", "t\x01").is_err());
        assert!(xoauth2_response("", "t").is_err());
    }

    #[test]
    fn error_challenge_exchange() {
        let error = OAuthError {
            status: "401".into(),
            schemes: Some("bearer".into()),
            scope: Some("https://mail.google.com/".into()),
            openid_configuration: None,
        };
        let mut text = Vec::new();
        encode_challenge(&error.to_json(), &mut text);
        assert_eq!(
            text,
            b"eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="
        );
        let json = decode_challenge(&text).unwrap();
        assert_eq!(OAuthError::parse(&json).unwrap().status, "401");
        assert!(is_error_acknowledgement(ERROR_ACKNOWLEDGEMENT));
        assert!(!is_error_acknowledgement(b"\x01"));
    }

    #[test]
    fn debug_redacts_the_token() {
        let c = XOAuth2Credentials::new("u@example.com", "secrettoken").unwrap();
        let debug = format!("{c:?}");
        assert!(
            debug.contains("u@example.com") && !debug.contains("secrettoken"),
            "{debug}"
        );
    }

    proptest! {
        #[test]
        fn round_trip(user in "[^\\p{Cc}]{1,40}", token in "[A-Za-z0-9._~+/-]{1,60}={0,2}") {
            let c = XOAuth2Credentials::new(&user, &token).unwrap();
            let m = c.to_message();
            prop_assert_eq!(XOAuth2Credentials::parse(m.expose()).unwrap().into_owned(), c);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = XOAuth2Credentials::parse(&bytes);
        }
    }
}
