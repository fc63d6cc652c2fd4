//! SASL mechanism names and how a client ranks them.

use std::borrow::Cow;
use std::fmt;

use crate::error::ParseError;

/// Longest SASL mechanism name (RFC 4422 §3.1: `sasl-mech = 1*20mech-char`).
const MAX_NAME_LEN: usize = 20;

/// A SASL mechanism, as offered in the EHLO `AUTH` keyword and named in the
/// AUTH command (RFC 4954 §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mechanism<'a> {
    /// `PLAIN` (RFC 4616): the password in clear.
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login): the password in clear, in two steps.
    Login,
    /// `XOAUTH2` (Google, Microsoft): an OAuth 2.0 bearer token.
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628): an OAuth 2.0 bearer token.
    OAuthBearer,
    /// `CRAM-MD5` (RFC 2195): a keyed MD5 digest of a server challenge.
    CramMd5,
    /// `SCRAM-SHA-256` (RFC 7677): salted challenge-response with mutual authentication.
    ScramSha256,
    /// Any other well-formed mechanism name, in upper case.
    Other(MechanismName<'a>),
}

/// A syntactically valid mechanism name this crate does not implement.
///
/// `sasl-mech = 1*20mech-char`, `mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE`
/// (RFC 4422 §3.1). Names are case-insensitive (RFC 4954 §4), so lower-case input
/// is accepted and kept upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MechanismName<'a>(Cow<'a, str>);

impl<'a> MechanismName<'a> {
    /// Checks `name` against `sasl-mech` (letters of either case).
    pub fn new(name: &'a str) -> Result<Self, ParseError> {
        let bytes = name.as_bytes();
        if bytes.is_empty()
            || bytes.len() > MAX_NAME_LEN
            || !bytes
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ParseError::InvalidArguments("invalid SASL mechanism name"));
        }
        if bytes.iter().any(u8::is_ascii_lowercase) {
            Ok(MechanismName(Cow::Owned(name.to_ascii_uppercase())))
        } else {
            Ok(MechanismName(Cow::Borrowed(name)))
        }
    }

    /// The name, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches the name from the input it was parsed from.
    pub fn into_owned(self) -> MechanismName<'static> {
        MechanismName(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> Mechanism<'a> {
    /// Recognises a mechanism name, case-insensitively (RFC 4954 §4).
    ///
    /// `sasl-mech = 1*20mech-char` (RFC 4422 §3.1); names not known here become
    /// [`Mechanism::Other`].
    pub fn from_name(name: &'a str) -> Result<Self, ParseError> {
        const KNOWN: [(&str, Mechanism<'static>); 6] = [
            ("PLAIN", Mechanism::Plain),
            ("LOGIN", Mechanism::Login),
            ("XOAUTH2", Mechanism::XOAuth2),
            ("OAUTHBEARER", Mechanism::OAuthBearer),
            ("CRAM-MD5", Mechanism::CramMd5),
            ("SCRAM-SHA-256", Mechanism::ScramSha256),
        ];
        for (known, mechanism) in KNOWN {
            if name.eq_ignore_ascii_case(known) {
                return Ok(mechanism);
            }
        }
        MechanismName::new(name).map(Mechanism::Other)
    }

    /// The registered name, upper case.
    pub fn as_str(&self) -> &str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::Other(name) => name.as_str(),
        }
    }

    /// True when a passive eavesdropper learns a reusable secret from the
    /// exchange (a password, or a bearer token, which is as good as one), so
    /// the mechanism must only run under TLS. Unknown mechanisms count as unsafe.
    pub fn sends_password_in_clear(&self) -> bool {
        !matches!(self, Mechanism::CramMd5 | Mechanism::ScramSha256)
    }

    /// Rank among the mechanisms that authenticate with a password, higher is
    /// stronger: SCRAM-SHA-256 > CRAM-MD5 > PLAIN > LOGIN. `None` for the others.
    pub fn password_strength(&self) -> Option<u8> {
        match self {
            Mechanism::ScramSha256 => Some(4),
            Mechanism::CramMd5 => Some(3),
            Mechanism::Plain => Some(2),
            Mechanism::Login => Some(1),
            _ => None,
        }
    }

    /// Rank among the mechanisms that authenticate with an OAuth 2.0 token,
    /// higher is preferred: OAUTHBEARER (standard) > XOAUTH2. `None` for the others.
    pub fn token_strength(&self) -> Option<u8> {
        match self {
            Mechanism::OAuthBearer => Some(2),
            Mechanism::XOAuth2 => Some(1),
            _ => None,
        }
    }

    /// The strongest password mechanism among `offered` (e.g. the server's EHLO
    /// `AUTH` list), or `None` when none is usable with a password.
    pub fn best_for_password<'m, I>(offered: I) -> Option<&'m Mechanism<'a>>
    where
        I: IntoIterator<Item = &'m Mechanism<'a>>,
        'a: 'm,
    {
        offered
            .into_iter()
            .filter_map(|m| m.password_strength().map(|s| (s, m)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, m)| m)
    }

    /// The preferred token mechanism among `offered`, or `None`.
    pub fn best_for_token<'m, I>(offered: I) -> Option<&'m Mechanism<'a>>
    where
        I: IntoIterator<Item = &'m Mechanism<'a>>,
        'a: 'm,
    {
        offered
            .into_iter()
            .filter_map(|m| m.token_strength().map(|s| (s, m)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, m)| m)
    }

    /// Detaches the value from the input it was parsed from.
    pub fn into_owned(self) -> Mechanism<'static> {
        match self {
            Mechanism::Plain => Mechanism::Plain,
            Mechanism::Login => Mechanism::Login,
            Mechanism::XOAuth2 => Mechanism::XOAuth2,
            Mechanism::OAuthBearer => Mechanism::OAuthBearer,
            Mechanism::CramMd5 => Mechanism::CramMd5,
            Mechanism::ScramSha256 => Mechanism::ScramSha256,
            Mechanism::Other(name) => Mechanism::Other(name.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for Mechanism<'a> {
    type Error = ParseError;

    fn try_from(name: &'a str) -> Result<Self, ParseError> {
        Mechanism::from_name(name)
    }
}

impl fmt::Display for Mechanism<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert_eq!(Mechanism::from_name("plain"), Ok(Mechanism::Plain));
        assert_eq!(Mechanism::from_name("Login"), Ok(Mechanism::Login));
        assert_eq!(Mechanism::from_name("xoauth2"), Ok(Mechanism::XOAuth2));
        assert_eq!(
            Mechanism::from_name("OAUTHBEARER"),
            Ok(Mechanism::OAuthBearer)
        );
        assert_eq!(Mechanism::from_name("cram-md5"), Ok(Mechanism::CramMd5));
        assert_eq!(
            Mechanism::from_name("SCRAM-sha-256"),
            Ok(Mechanism::ScramSha256)
        );
        let gssapi = Mechanism::from_name("gssapi").unwrap();
        assert_eq!(gssapi.as_str(), "GSSAPI");
        assert_eq!(gssapi, Mechanism::from_name("GSSAPI").unwrap());
        assert_eq!(
            Mechanism::from_name("SCRAM-SHA-256-PLUS").unwrap().as_str(),
            "SCRAM-SHA-256-PLUS"
        );
        for bad in ["", "A B", "PLAIN\r\n", "X.Y", "ABCDEFGHIJKLMNOPQRSTU", "é"] {
            assert_eq!(
                Mechanism::from_name(bad),
                Err(ParseError::InvalidArguments("invalid SASL mechanism name")),
                "{bad:?}"
            );
        }
        assert!(Mechanism::from_name("ABCDEFGHIJKLMNOPQRST").is_ok());
    }

    #[test]
    fn ranking() {
        let offered: Vec<Mechanism<'_>> = ["LOGIN", "PLAIN", "XOAUTH2", "CRAM-MD5", "GSSAPI"]
            .into_iter()
            .map(|n| Mechanism::from_name(n).unwrap())
            .collect();
        assert_eq!(
            Mechanism::best_for_password(&offered),
            Some(&Mechanism::CramMd5)
        );
        assert_eq!(
            Mechanism::best_for_token(&offered),
            Some(&Mechanism::XOAuth2)
        );
        let all = [
            Mechanism::Login,
            Mechanism::ScramSha256,
            Mechanism::Plain,
            Mechanism::OAuthBearer,
            Mechanism::XOAuth2,
        ];
        assert_eq!(
            Mechanism::best_for_password(&all),
            Some(&Mechanism::ScramSha256)
        );
        assert_eq!(
            Mechanism::best_for_token(&all),
            Some(&Mechanism::OAuthBearer)
        );
        assert_eq!(Mechanism::best_for_password(&[Mechanism::XOAuth2]), None);
        assert!(Mechanism::Plain.sends_password_in_clear());
        assert!(Mechanism::Login.sends_password_in_clear());
        assert!(Mechanism::XOAuth2.sends_password_in_clear());
        assert!(!Mechanism::CramMd5.sends_password_in_clear());
        assert!(!Mechanism::ScramSha256.sends_password_in_clear());
    }

    proptest! {
        #[test]
        fn name_round_trip(name in "[A-Za-z0-9_-]{1,20}") {
            let mechanism = Mechanism::from_name(&name).unwrap();
            prop_assert_eq!(mechanism.as_str(), name.to_ascii_uppercase());
            let again = Mechanism::from_name(mechanism.as_str()).unwrap().into_owned();
            prop_assert_eq!(again, mechanism);
        }

        #[test]
        fn arbitrary_names_never_panic(name in ".{0,30}") {
            let _ = Mechanism::from_name(&name);
        }
    }
}
