//! The EHLO response (RFC 5321 §4.1.1.1): the server's name, its greeting
//! and the service extensions it offers, typed where an RFC defines them.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::encode::Encode;
use crate::error::ParseError;
use crate::parse::ehlo::{ehlo_keyword, ehlo_param, limit, number};
use crate::parse::reply::{MAX_REPLY_LINE, MAX_REPLY_LINES, REPLY_TEXT};
use crate::types::reply::enhanced_prefix;
use crate::types::status::{ReplyCode, push_decimal};

/// An `ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.1.1)
/// of an extension this crate does not type. Compared as sent (case kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EhloKeyword<'a>(Cow<'a, str>);

impl<'a> EhloKeyword<'a> {
    /// For the parser, which keeps odd keywords sent by real servers.
    pub(crate) fn new_unchecked(keyword: &'a str) -> Self {
        EhloKeyword(Cow::Borrowed(keyword))
    }

    /// The keyword as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same keyword, owned.
    pub fn into_owned(self) -> EhloKeyword<'static> {
        EhloKeyword(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TryFrom<&'a str> for EhloKeyword<'a> {
    type Error = ParseError;

    fn try_from(keyword: &'a str) -> Result<Self, ParseError> {
        match ehlo_keyword(keyword.as_bytes()) {
            Ok(([], _)) => Ok(EhloKeyword(Cow::Borrowed(keyword))),
            _ => Err(ParseError::InvalidReply("invalid EHLO keyword")),
        }
    }
}

/// One `ehlo-param = 1*(%d33-126)` (RFC 5321 §4.1.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EhloParam<'a>(Cow<'a, str>);

impl<'a> EhloParam<'a> {
    /// For the parser, after splitting on SP.
    pub(crate) fn new_unchecked(param: &'a str) -> Self {
        EhloParam(Cow::Borrowed(param))
    }

    /// The parameter as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same parameter, owned.
    pub fn into_owned(self) -> EhloParam<'static> {
        EhloParam(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TryFrom<&'a str> for EhloParam<'a> {
    type Error = ParseError;

    fn try_from(param: &'a str) -> Result<Self, ParseError> {
        match ehlo_param(param.as_bytes()) {
            Ok(([], _)) => Ok(EhloParam(Cow::Borrowed(param))),
            _ => Err(ParseError::InvalidReply("invalid EHLO parameter")),
        }
    }
}

/// The `*( SP ehlo-param )` after a keyword, kept as the text it came in and
/// split lazily. Equality and hashing compare the parameters, so extra
/// spaces some servers send do not matter.
#[derive(Clone)]
pub struct EhloParams<'a>(Cow<'a, str>);

impl<'a> EhloParams<'a> {
    /// No parameters.
    pub const EMPTY: EhloParams<'static> = EhloParams(Cow::Borrowed(""));

    /// For the parser: `raw` may hold runs of spaces.
    pub(crate) fn new_unchecked(raw: &'a str) -> Self {
        EhloParams(Cow::Borrowed(raw))
    }

    /// The parameters, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone + '_ {
        self.0.split(' ').filter(|param| !param.is_empty())
    }

    /// Whether there is no parameter.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// The same parameters, owned.
    pub fn into_owned(self) -> EhloParams<'static> {
        EhloParams(Cow::Owned(self.0.into_owned()))
    }

    fn encode(&self, out: &mut Vec<u8>) {
        for param in self.iter() {
            out.push(b' ');
            out.extend_from_slice(param.as_bytes());
        }
    }
}

/// Parameters separated by single spaces, e.g. `"PLAIN LOGIN"`; `""` for none.
impl<'a> TryFrom<&'a str> for EhloParams<'a> {
    type Error = ParseError;

    fn try_from(raw: &'a str) -> Result<Self, ParseError> {
        let valid = raw.is_empty()
            || raw.split(' ').all(
                |param| matches!(ehlo_param(param.as_bytes()), Ok((rest, _)) if rest.is_empty()),
            );
        if valid {
            Ok(EhloParams(Cow::Borrowed(raw)))
        } else {
            Err(ParseError::InvalidReply("invalid EHLO parameters"))
        }
    }
}

impl PartialEq for EhloParams<'_> {
    fn eq(&self, other: &EhloParams<'_>) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for EhloParams<'_> {}

impl Hash for EhloParams<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for param in self.iter() {
            param.hash(state);
        }
    }
}

impl fmt::Debug for EhloParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The limits of `LIMITS` (RFC 9422 §3): `limit-name "=" limit-value` pairs.
/// The three the RFC defines are typed; others are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Limits<'a>(EhloParams<'a>);

impl<'a> Limits<'a> {
    /// For the parser, after [`limit`] accepted every parameter.
    pub(crate) fn new_unchecked(params: EhloParams<'a>) -> Self {
        Limits(params)
    }

    /// Limits with the three typed values only.
    pub fn new(
        rcpt_max: Option<u32>,
        mail_max: Option<u32>,
        rcpt_domain_max: Option<u32>,
    ) -> Limits<'static> {
        let mut raw = Vec::new();
        for (name, value) in [
            ("RCPTMAX", rcpt_max),
            ("MAILMAX", mail_max),
            ("RCPTDOMAINMAX", rcpt_domain_max),
        ] {
            if let Some(value) = value {
                if !raw.is_empty() {
                    raw.push(b' ');
                }
                raw.extend_from_slice(name.as_bytes());
                raw.push(b'=');
                push_decimal(&mut raw, u64::from(value));
            }
        }
        // Only ASCII was pushed.
        Limits(EhloParams(Cow::Owned(
            String::from_utf8_lossy(&raw).into_owned(),
        )))
    }

    /// Every limit as `(name, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.0.iter().filter_map(|param| param.split_once('='))
    }

    /// The value of the limit `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    fn get_number(&self, name: &str) -> Option<u32> {
        self.get(name)
            .and_then(number)
            .and_then(|n| u32::try_from(n).ok())
    }

    /// `RCPTMAX`: most RCPT commands per transaction.
    pub fn rcpt_max(&self) -> Option<u32> {
        self.get_number("RCPTMAX")
    }

    /// `MAILMAX`: most transactions per session.
    pub fn mail_max(&self) -> Option<u32> {
        self.get_number("MAILMAX")
    }

    /// `RCPTDOMAINMAX`: most recipient domains per transaction.
    pub fn rcpt_domain_max(&self) -> Option<u32> {
        self.get_number("RCPTDOMAINMAX")
    }

    /// The same limits, owned.
    pub fn into_owned(self) -> Limits<'static> {
        Limits(self.0.into_owned())
    }
}

/// `limit *(SP limit)`, e.g. `"RCPTMAX=20 MAILMAX=100"`.
impl<'a> TryFrom<&'a str> for Limits<'a> {
    type Error = ParseError;

    fn try_from(raw: &'a str) -> Result<Self, ParseError> {
        let params = EhloParams::try_from(raw)?;
        if params.iter().all(limit) {
            Ok(Limits(params))
        } else {
            Err(ParseError::InvalidReply("invalid LIMITS parameter"))
        }
    }
}

/// One service extension of an EHLO response.
///
/// A known keyword whose parameters do not match its RFC (`SIZE abc`) is
/// parsed as [`Capability::Other`] instead of failing the whole response: a
/// client must still be able to talk to that server, without the extension.
/// For the same reason, an `Other` built with a known keyword and valid
/// parameters parses back typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `SIZE [limit]` (RFC 1870); `None` when no limit is given, `Some(0)` is "no fixed limit".
    Size(Option<u64>),
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `CHUNKING` (RFC 3030).
    Chunking,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mech...` (RFC 4954), or the pre-standard `AUTH=mech...` form.
    /// Mechanism names as sent; compare them case-insensitively.
    Auth(EhloParams<'a>),
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `DELIVERBY [min-by-time]` (RFC 2852), in seconds.
    DeliverBy(Option<u64>),
    /// `FUTURERELEASE max-interval max-date-time` (RFC 4865).
    FutureRelease {
        /// Longest `HOLDFOR` accepted, in seconds.
        max_interval: u64,
        /// Latest `HOLDUNTIL` accepted, an RFC 3339 date-time as sent.
        max_datetime: EhloParam<'a>,
    },
    /// `MT-PRIORITY [priority-profile]` (RFC 6710), e.g. `MIXER`, `STANAG4406`, `NSEP`.
    MtPriority(Option<EhloParam<'a>>),
    /// `RRVS` (RFC 7293).
    Rrvs,
    /// `LIMITS limit...` (RFC 9422).
    Limits(Limits<'a>),
    /// `VRFY` (RFC 5321).
    Vrfy,
    /// `ETRN` (RFC 1985).
    Etrn,
    /// `HELP` (RFC 5321).
    Help,
    /// `EXPN` (RFC 5321).
    Expn,
    /// Any other keyword (`XCLIENT`, `XFORWARD`, `X-EXPS`, ...) or a malformed known one.
    Other {
        /// The keyword, case as sent.
        keyword: EhloKeyword<'a>,
        /// Its parameters.
        params: EhloParams<'a>,
    },
}

impl<'a> Capability<'a> {
    /// The EHLO keyword, upper-case for the typed ones.
    pub fn keyword(&self) -> &str {
        match self {
            Capability::Size(_) => "SIZE",
            Capability::Pipelining => "PIPELINING",
            Capability::EightBitMime => "8BITMIME",
            Capability::BinaryMime => "BINARYMIME",
            Capability::Chunking => "CHUNKING",
            Capability::StartTls => "STARTTLS",
            Capability::Auth(_) => "AUTH",
            Capability::Dsn => "DSN",
            Capability::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
            Capability::SmtpUtf8 => "SMTPUTF8",
            Capability::RequireTls => "REQUIRETLS",
            Capability::DeliverBy(_) => "DELIVERBY",
            Capability::FutureRelease { .. } => "FUTURERELEASE",
            Capability::MtPriority(_) => "MT-PRIORITY",
            Capability::Rrvs => "RRVS",
            Capability::Limits(_) => "LIMITS",
            Capability::Vrfy => "VRFY",
            Capability::Etrn => "ETRN",
            Capability::Help => "HELP",
            Capability::Expn => "EXPN",
            Capability::Other { keyword, .. } => keyword.as_str(),
        }
    }

    /// The same capability, owned.
    pub fn into_owned(self) -> Capability<'static> {
        match self {
            Capability::Size(size) => Capability::Size(size),
            Capability::Pipelining => Capability::Pipelining,
            Capability::EightBitMime => Capability::EightBitMime,
            Capability::BinaryMime => Capability::BinaryMime,
            Capability::Chunking => Capability::Chunking,
            Capability::StartTls => Capability::StartTls,
            Capability::Auth(mechanisms) => Capability::Auth(mechanisms.into_owned()),
            Capability::Dsn => Capability::Dsn,
            Capability::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
            Capability::SmtpUtf8 => Capability::SmtpUtf8,
            Capability::RequireTls => Capability::RequireTls,
            Capability::DeliverBy(by) => Capability::DeliverBy(by),
            Capability::FutureRelease {
                max_interval,
                max_datetime,
            } => Capability::FutureRelease {
                max_interval,
                max_datetime: max_datetime.into_owned(),
            },
            Capability::MtPriority(profile) => {
                Capability::MtPriority(profile.map(EhloParam::into_owned))
            }
            Capability::Rrvs => Capability::Rrvs,
            Capability::Limits(limits) => Capability::Limits(limits.into_owned()),
            Capability::Vrfy => Capability::Vrfy,
            Capability::Etrn => Capability::Etrn,
            Capability::Help => Capability::Help,
            Capability::Expn => Capability::Expn,
            Capability::Other { keyword, params } => Capability::Other {
                keyword: keyword.into_owned(),
                params: params.into_owned(),
            },
        }
    }

    /// Appends the `ehlo-line` (keyword and parameters, no code, no CRLF).
    pub fn encode_line(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.keyword().as_bytes());
        match self {
            Capability::Size(Some(n)) | Capability::DeliverBy(Some(n)) => {
                out.push(b' ');
                push_decimal(out, *n);
            }
            Capability::Auth(params)
            | Capability::Limits(Limits(params))
            | Capability::Other { params, .. } => params.encode(out),
            Capability::FutureRelease {
                max_interval,
                max_datetime,
            } => {
                out.push(b' ');
                push_decimal(out, *max_interval);
                out.push(b' ');
                out.extend_from_slice(max_datetime.as_str().as_bytes());
            }
            Capability::MtPriority(Some(profile)) => {
                out.push(b' ');
                out.extend_from_slice(profile.as_str().as_bytes());
            }
            _ => {}
        }
    }
}

/// What a server said in its `250` answer to EHLO.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EhloInfo<'a> {
    domain: Cow<'a, str>,
    greeting: Option<Cow<'a, str>>,
    capabilities: Vec<Capability<'a>>,
}

impl<'a> EhloInfo<'a> {
    /// For the parser, after the grammar has been checked.
    pub(crate) fn new_unchecked(
        domain: &'a str,
        greeting: Option<&'a str>,
        capabilities: Vec<Capability<'a>>,
    ) -> Self {
        EhloInfo {
            domain: Cow::Borrowed(domain),
            greeting: greeting.map(Cow::Borrowed),
            capabilities,
        }
    }

    /// An EHLO response to send. `domain` is one word without controls; the
    /// greeting is reply text (an empty one is dropped); at most 999
    /// capabilities, each line at most 8192 octets on the wire.
    pub fn new(
        domain: &'a str,
        greeting: Option<&'a str>,
        capabilities: Vec<Capability<'a>>,
    ) -> Result<Self, ParseError> {
        let domain_ok = !domain.is_empty()
            && domain.bytes().all(|b| b != b' ' && b != b'\t' && REPLY_TEXT[b as usize])
            // It would parse back as an enhanced status code.
            && enhanced_prefix(ReplyCode::OK, domain.as_bytes()).is_none();
        if !domain_ok {
            return Err(ParseError::InvalidReply("invalid EHLO domain"));
        }
        let greeting = greeting.filter(|text| !text.is_empty());
        if let Some(text) = greeting {
            if !text.bytes().all(|b| REPLY_TEXT[b as usize]) {
                return Err(ParseError::InvalidReply(
                    "control character in EHLO greeting",
                ));
            }
        }
        let first_len = 4 + domain.len() + greeting.map_or(0, |text| 1 + text.len()) + 2;
        if first_len > MAX_REPLY_LINE {
            return Err(ParseError::InvalidReply("reply line too long"));
        }
        if capabilities.len() >= MAX_REPLY_LINES {
            return Err(ParseError::InvalidReply("too many reply lines"));
        }
        let mut line = Vec::new();
        for capability in &capabilities {
            line.clear();
            capability.encode_line(&mut line);
            if line.len() + 6 > MAX_REPLY_LINE {
                return Err(ParseError::InvalidReply("reply line too long"));
            }
        }
        Ok(EhloInfo::new_unchecked(domain, greeting, capabilities))
    }

    /// The name the server gave for itself.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The free text after the domain on the first line.
    pub fn greeting(&self) -> Option<&str> {
        self.greeting.as_deref()
    }

    /// The extensions, in the order the server listed them.
    pub fn capabilities(&self) -> &[Capability<'a>] {
        &self.capabilities
    }

    /// The first capability with this keyword (case-insensitive).
    pub fn capability(&self, keyword: &str) -> Option<&Capability<'a>> {
        self.capabilities
            .iter()
            .find(|capability| capability.keyword().eq_ignore_ascii_case(keyword))
    }

    /// Whether the server offers the extension `keyword` (case-insensitive).
    pub fn supports(&self, keyword: &str) -> bool {
        self.capability(keyword).is_some()
    }

    fn has(&self, wanted: &Capability<'_>) -> bool {
        self.capabilities
            .iter()
            .any(|capability| capability == wanted)
    }

    /// The `SIZE` limit in octets, when one is declared (`SIZE 0` declares none).
    pub fn max_size(&self) -> Option<u64> {
        self.capabilities
            .iter()
            .find_map(|capability| match capability {
                Capability::Size(Some(n)) if *n > 0 => Some(*n),
                _ => None,
            })
    }

    /// The SASL mechanisms of the first `AUTH` line, as sent.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &str> + '_ {
        self.capabilities
            .iter()
            .find_map(|capability| match capability {
                Capability::Auth(mechanisms) => Some(mechanisms),
                _ => None,
            })
            .into_iter()
            .flat_map(EhloParams::iter)
    }

    /// Whether any `AUTH` line offers `mechanism` (case-insensitive).
    pub fn supports_auth(&self, mechanism: &str) -> bool {
        self.capabilities.iter().any(|capability| match capability {
            Capability::Auth(mechanisms) => mechanisms
                .iter()
                .any(|offered| offered.eq_ignore_ascii_case(mechanism)),
            _ => false,
        })
    }

    /// The `LIMITS` the server announced.
    pub fn limits(&self) -> Option<&Limits<'a>> {
        self.capabilities
            .iter()
            .find_map(|capability| match capability {
                Capability::Limits(limits) => Some(limits),
                _ => None,
            })
    }

    /// `PIPELINING`.
    pub fn has_pipelining(&self) -> bool {
        self.has(&Capability::Pipelining)
    }

    /// `STARTTLS`.
    pub fn has_starttls(&self) -> bool {
        self.has(&Capability::StartTls)
    }

    /// `CHUNKING`.
    pub fn has_chunking(&self) -> bool {
        self.has(&Capability::Chunking)
    }

    /// `BINARYMIME`.
    pub fn has_binarymime(&self) -> bool {
        self.has(&Capability::BinaryMime)
    }

    /// `8BITMIME`.
    pub fn has_8bitmime(&self) -> bool {
        self.has(&Capability::EightBitMime)
    }

    /// `SMTPUTF8`.
    pub fn has_smtputf8(&self) -> bool {
        self.has(&Capability::SmtpUtf8)
    }

    /// `DSN`.
    pub fn has_dsn(&self) -> bool {
        self.has(&Capability::Dsn)
    }

    /// `ENHANCEDSTATUSCODES`.
    pub fn has_enhanced_status_codes(&self) -> bool {
        self.has(&Capability::EnhancedStatusCodes)
    }

    /// `REQUIRETLS`.
    pub fn has_requiretls(&self) -> bool {
        self.has(&Capability::RequireTls)
    }

    /// The same response, owned.
    pub fn into_owned(self) -> EhloInfo<'static> {
        EhloInfo {
            domain: Cow::Owned(self.domain.into_owned()),
            greeting: self.greeting.map(|text| Cow::Owned(text.into_owned())),
            capabilities: self
                .capabilities
                .into_iter()
                .map(Capability::into_owned)
                .collect(),
        }
    }
}

/// A `250` reply: the domain line, then one line per capability.
impl Encode for EhloInfo<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.capabilities.is_empty() {
            b"250 "
        } else {
            b"250-"
        });
        out.extend_from_slice(self.domain.as_bytes());
        if let Some(text) = &self.greeting {
            out.push(b' ');
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        let last = self.capabilities.len().saturating_sub(1);
        for (i, capability) in self.capabilities.iter().enumerate() {
            out.extend_from_slice(if i == last { b"250 " } else { b"250-" });
            capability.encode_line(out);
            out.extend_from_slice(b"\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_multi_line_250() {
        let info = EhloInfo::new(
            "mx.example.com",
            Some("Hello [192.0.2.1]"),
            vec![
                Capability::Size(Some(10240000)),
                Capability::Auth(EhloParams::try_from("PLAIN LOGIN").unwrap()),
                Capability::FutureRelease {
                    max_interval: 604800,
                    max_datetime: EhloParam::try_from("2030-12-31T23:59:59Z").unwrap(),
                },
                Capability::Limits(Limits::new(Some(20), None, Some(5))),
                Capability::MtPriority(Some(EhloParam::try_from("MIXER").unwrap())),
                Capability::Other {
                    keyword: EhloKeyword::try_from("XCLIENT").unwrap(),
                    params: EhloParams::try_from("NAME ADDR").unwrap(),
                },
                Capability::SmtpUtf8,
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(info.to_bytes()).unwrap(),
            "250-mx.example.com Hello [192.0.2.1]\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n\
             250-FUTURERELEASE 604800 2030-12-31T23:59:59Z\r\n250-LIMITS RCPTMAX=20 RCPTDOMAINMAX=5\r\n\
             250-MT-PRIORITY MIXER\r\n250-XCLIENT NAME ADDR\r\n250 SMTPUTF8\r\n"
        );
        assert_eq!(info.limits().unwrap().rcpt_max(), Some(20));
        assert_eq!(info.limits().unwrap().mail_max(), None);
        assert_eq!(info.max_size(), Some(10240000));
        assert!(info.supports("xclient") && info.supports_auth("login"));
    }

    #[test]
    fn encodes_a_single_line_250() {
        let info = EhloInfo::new("mx", Some(""), vec![]).unwrap();
        assert_eq!(info.greeting(), None);
        assert_eq!(info.to_bytes(), b"250 mx\r\n");
    }

    #[test]
    fn construction_refuses_injection() {
        assert!(EhloInfo::new("", None, vec![]).is_err());
        assert!(EhloInfo::new("mx example", None, vec![]).is_err());
        assert!(EhloInfo::new("mx\r\n250 X", None, vec![]).is_err());
        assert!(EhloInfo::new("2.0.0", None, vec![]).is_err());
        assert!(EhloInfo::new("mx", Some("hi\r\n250 STARTTLS"), vec![]).is_err());
        assert!(EhloKeyword::try_from("X\r\nY").is_err());
        assert!(EhloKeyword::try_from("-X").is_err());
        assert!(EhloKeyword::try_from("AUTH=PLAIN").is_err());
        assert!(EhloKeyword::try_from("X-EXPS").is_ok());
        assert!(EhloParam::try_from("a b").is_err());
        assert!(EhloParam::try_from("").is_err());
        assert!(EhloParams::try_from("a  b").is_err());
        assert!(EhloParams::try_from(" a").is_err());
        assert!(EhloParams::try_from("a\nb").is_err());
        assert!(EhloParams::try_from("").unwrap().is_empty());
        assert!(Limits::try_from("RCPTMAX=x").is_err());
        assert!(Limits::try_from("RCPTMAX").is_err());
        assert!(Limits::try_from("RCPTMAX=5 FOO=bar").is_ok());
        let huge = "x".repeat(MAX_REPLY_LINE);
        let caps = vec![Capability::Other {
            keyword: EhloKeyword::try_from("X").unwrap(),
            params: EhloParams::try_from(huge.as_str()).unwrap(),
        }];
        assert!(EhloInfo::new("mx", None, caps).is_err());
        assert!(EhloInfo::new("mx", None, vec![Capability::Dsn; 1000]).is_err());
        assert!(EhloInfo::new("mx", None, vec![Capability::Dsn; 999]).is_ok());
    }

    #[test]
    fn params_compare_by_value() {
        let spaced = EhloParams::new_unchecked("  A   B ");
        assert_eq!(spaced, EhloParams::try_from("A B").unwrap());
        assert_eq!(spaced.len(), 2);
        assert_eq!(format!("{spaced:?}"), "[\"A\", \"B\"]");
    }
}
