//! The PLAIN mechanism (RFC 4616): one message carrying an optional
//! authorization identity, the user name and the password.
//!
//! The client sends [`plain_response`] (usually as the AUTH initial response);
//! the server decodes it with [`PlainCredentials::parse`] and checks the
//! password itself. SASLprep is left to the application comparing passwords.

use std::borrow::Cow;
use std::fmt;

use super::secret::{Redacted, SecretBytes};
use crate::error::ParseError;

/// Longest identity or password accepted, in octets. RFC 4616 §2 makes 255 the
/// size every server must accept; refusing more bounds what a client can make
/// a server hold.
pub const MAX_FIELD_LEN: usize = 255;

/// The decoded PLAIN message. `Debug` shows the identities, never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainCredentials<'a> {
    authzid: Option<Cow<'a, str>>,
    authcid: Cow<'a, str>,
    password: Cow<'a, str>,
}

/// Checks one field: `1*SAFE` (any UTF-8 but NUL) of at most [`MAX_FIELD_LEN`] octets.
fn safe_field<'a>(field: &'a [u8], what: &'static str) -> Result<&'a str, ParseError> {
    if field.is_empty() {
        return Err(ParseError::InvalidArguments(what));
    }
    if field.len() > MAX_FIELD_LEN {
        return Err(ParseError::TooLong(what));
    }
    if field.contains(&0) {
        return Err(ParseError::InvalidArguments(what));
    }
    std::str::from_utf8(field).map_err(|_| ParseError::InvalidArguments(what))
}

impl<'a> PlainCredentials<'a> {
    /// Builds the credentials a client will send, with the same checks as
    /// [`PlainCredentials::parse`]: `authzid`, when given, and `authcid` and
    /// `password` are non-empty, NUL-free and at most 255 octets.
    pub fn new(
        authzid: Option<&'a str>,
        authcid: &'a str,
        password: &'a str,
    ) -> Result<Self, ParseError> {
        let authzid = match authzid {
            Some(id) => Some(Cow::Borrowed(safe_field(id.as_bytes(), "PLAIN authzid")?)),
            None => None,
        };
        Ok(PlainCredentials {
            authzid,
            authcid: Cow::Borrowed(safe_field(authcid.as_bytes(), "PLAIN authcid")?),
            password: Cow::Borrowed(safe_field(password.as_bytes(), "PLAIN password")?),
        })
    }

    /// Decodes a PLAIN message (the base64-decoded client response).
    ///
    /// `message = [authzid] UTF8NUL authcid UTF8NUL passwd`, each of
    /// `authzid`, `authcid`, `passwd` being `1*SAFE` (RFC 4616 §2): exactly two
    /// NULs, non-empty user name and password, UTF-8, at most 255 octets each.
    pub fn parse(message: &'a [u8]) -> Result<Self, ParseError> {
        let mut fields = message.splitn(3, |&b| b == 0);
        let (Some(authzid), Some(authcid), Some(password)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(ParseError::InvalidArguments("PLAIN message needs two NULs"));
        };
        let authzid = if authzid.is_empty() {
            None
        } else {
            Some(Cow::Borrowed(safe_field(authzid, "PLAIN authzid")?))
        };
        Ok(PlainCredentials {
            authzid,
            authcid: Cow::Borrowed(safe_field(authcid, "PLAIN authcid")?),
            password: Cow::Borrowed(safe_field(password, "PLAIN password")?),
        })
    }

    /// The identity to act as, when the client asked for one.
    pub fn authzid(&self) -> Option<&str> {
        self.authzid.as_deref()
    }

    /// The user name whose password is given.
    pub fn authcid(&self) -> &str {
        &self.authcid
    }

    /// The password, to check against the user's.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The PLAIN message, ready for base64 transport.
    pub fn to_message(&self) -> SecretBytes {
        let authzid = self.authzid.as_deref().unwrap_or("");
        let mut out =
            Vec::with_capacity(authzid.len() + self.authcid.len() + self.password.len() + 2);
        out.extend_from_slice(authzid.as_bytes());
        out.push(0);
        out.extend_from_slice(self.authcid.as_bytes());
        out.push(0);
        out.extend_from_slice(self.password.as_bytes());
        SecretBytes::new(out)
    }

    /// Detaches the credentials from the input they were parsed from.
    pub fn into_owned(self) -> PlainCredentials<'static> {
        PlainCredentials {
            authzid: self.authzid.map(|id| Cow::Owned(id.into_owned())),
            authcid: Cow::Owned(self.authcid.into_owned()),
            password: Cow::Owned(self.password.into_owned()),
        }
    }
}

impl fmt::Debug for PlainCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlainCredentials")
            .field("authzid", &self.authzid)
            .field("authcid", &self.authcid)
            .field("password", &Redacted)
            .finish()
    }
}

/// The client's PLAIN message for these credentials (RFC 4616 §2), to be sent
/// base64-encoded, usually as the AUTH initial response.
pub fn plain_response(
    authzid: Option<&str>,
    authcid: &str,
    password: &str,
) -> Result<SecretBytes, ParseError> {
    PlainCredentials::new(authzid, authcid, password).map(|c| c.to_message())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{ClientResponse, decode_client_response, encode_client_response};
    use proptest::prelude::*;

    #[test]
    fn rfc4616_examples() {
        let m = plain_response(None, "tim", "tanstaaftanstaaf").unwrap();
        assert_eq!(m.expose(), b"\0tim\0tanstaaftanstaaf");
        let mut line = Vec::new();
        encode_client_response(m.expose(), &mut line);
        assert_eq!(line, b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");

        let m = plain_response(Some("Ursel"), "Kurt", "xipj3plmq").unwrap();
        let mut line = Vec::new();
        encode_client_response(m.expose(), &mut line);
        assert_eq!(line, b"VXJzZWwAS3VydAB4aXBqM3BsbXE=\r\n");

        let ClientResponse::Data(data) =
            decode_client_response(b"VXJzZWwAS3VydAB4aXBqM3BsbXE=").unwrap()
        else {
            panic!("not data")
        };
        let c = PlainCredentials::parse(data.expose()).unwrap();
        assert_eq!(c.authzid(), Some("Ursel"));
        assert_eq!(c.authcid(), "Kurt");
        assert_eq!(c.password(), "xipj3plmq");
    }

    #[test]
    fn server_rejects() {
        let long = "a".repeat(256);
        let max = "a".repeat(255);
        let cases: &[(&[u8], ParseError)] = &[
            (
                b"",
                ParseError::InvalidArguments("PLAIN message needs two NULs"),
            ),
            (
                b"tim",
                ParseError::InvalidArguments("PLAIN message needs two NULs"),
            ),
            (
                b"\0tim",
                ParseError::InvalidArguments("PLAIN message needs two NULs"),
            ),
            (b"\0tim\0", ParseError::InvalidArguments("PLAIN password")),
            (b"\0\0pw", ParseError::InvalidArguments("PLAIN authcid")),
            (
                b"\0tim\0pw\0",
                ParseError::InvalidArguments("PLAIN password"),
            ),
            (
                b"a\0tim\0p\0w",
                ParseError::InvalidArguments("PLAIN password"),
            ),
            (
                b"\0t\xffim\0pw",
                ParseError::InvalidArguments("PLAIN authcid"),
            ),
            (
                b"\xc3\0tim\0pw",
                ParseError::InvalidArguments("PLAIN authzid"),
            ),
            (
                b"\0tim\0p\xc3",
                ParseError::InvalidArguments("PLAIN password"),
            ),
        ];
        for (input, err) in cases {
            assert_eq!(PlainCredentials::parse(input), Err(*err), "{input:?}");
        }
        let too_long = format!("\0{long}\0pw");
        assert_eq!(
            PlainCredentials::parse(too_long.as_bytes()),
            Err(ParseError::TooLong("PLAIN authcid"))
        );
        let ok = format!("{max}\0{max}\0{max}");
        assert!(PlainCredentials::parse(ok.as_bytes()).is_ok());
        assert!(PlainCredentials::parse("\0jürgen\0pässword".as_bytes()).is_ok());
        assert!(plain_response(Some(""), "tim", "pw").is_err());
        assert!(plain_response(None, "", "pw").is_err());
        assert!(plain_response(None, "tim", "").is_err());
        assert!(plain_response(None, "t\0im", "pw").is_err());
        assert!(plain_response(None, "tim", &long).is_err());
    }

    #[test]
    fn debug_redacts_the_password() {
        let c = PlainCredentials::parse(b"\0tim\0tanstaaftanstaaf").unwrap();
        let debug = format!("{c:?}");
        assert!(debug.contains("tim"), "{debug}");
        assert!(!debug.contains("tanstaaf"), "{debug}");
        let m = plain_response(None, "tim", "tanstaaftanstaaf").unwrap();
        assert!(!format!("{m:?}").contains("tanstaaf"));
    }

    proptest! {
        #[test]
        fn round_trip(
            authzid in proptest::option::of("[^\0]{1,40}"),
            authcid in "[^\0]{1,40}",
            password in "[^\0]{1,40}",
        ) {
            let c = PlainCredentials::new(authzid.as_deref(), &authcid, &password).unwrap();
            let message = c.to_message();
            let parsed = PlainCredentials::parse(message.expose()).unwrap().into_owned();
            prop_assert_eq!(parsed, c);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = PlainCredentials::parse(&bytes);
        }
    }
}
