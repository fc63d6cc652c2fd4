//! Envelope addresses: domains, address literals, mailboxes and paths
//! (RFC 5321 §4.1.2, §4.1.3, §4.5.3.1; RFC 6531 for UTF-8).
//!
//! Every value borrows from the input it was parsed from and can only be
//! built through the grammar in [`crate::parse::address`], so encoding one
//! always yields text that parses back to an equal value.

use std::borrow::Cow;
use std::fmt;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::{encode::Encode, error::ParseError, options::ParseOptions, parse::address as grammar};

/// The grammar the validating constructors run: strict RFC 5321 plus the
/// RFC 6531 UTF-8 extensions, since a value built by hand is not tied to a
/// session that did or did not negotiate SMTPUTF8.
pub(crate) const CONSTRUCTOR_OPTIONS: ParseOptions = ParseOptions::strict().with_smtputf8(true);

/// Size limits of RFC 5321 §4.5.3.1, in octets.
pub(crate) const MAX_LOCAL_PART: usize = 64;
/// Maximum length of a domain (or of an address literal in its place).
pub(crate) const MAX_DOMAIN: usize = 255;
/// Maximum length of a path, `<` and `>` included.
pub(crate) const MAX_PATH: usize = 256;

fn cow_into_owned(cow: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(cow.into_owned())
}

/// A domain name, `Domain = sub-domain *("." sub-domain)` (RFC 5321 §4.1.2),
/// with U-labels when parsed under SMTPUTF8 (RFC 6531 §3.3). At most 255 octets.
///
/// Equality is byte-wise: the case the peer used is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain<'a>(Cow<'a, str>);

impl<'a> Domain<'a> {
    /// For the parser, after it has checked the grammar.
    pub(crate) fn new_unchecked(text: &'a str) -> Self {
        Domain(Cow::Borrowed(text))
    }

    /// Parses a whole domain from `input` under `opts`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::whole(
            input,
            |i| grammar::domain(i, opts, grammar::Source::of(input)),
            "trailing bytes after domain",
        )
    }

    /// The domain as it appears on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when every label is ASCII (no U-label).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Domain<'static> {
        Domain(cow_into_owned(self.0))
    }
}

impl<'a> TryFrom<&'a str> for Domain<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        Domain::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl<'a> TryFrom<&'a [u8]> for Domain<'a> {
    type Error = ParseError;

    fn try_from(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Domain::parse(bytes, &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Encode for Domain<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0.as_bytes());
    }
}

/// `General-address-literal = Standardized-tag ":" 1*dcontent` (RFC 5321 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneralLiteral<'a> {
    tag: Cow<'a, str>,
    content: Cow<'a, str>,
}

impl<'a> GeneralLiteral<'a> {
    /// For the parser, after it has checked the grammar.
    pub(crate) fn new_unchecked(tag: &'a str, content: &'a str) -> Self {
        GeneralLiteral {
            tag: Cow::Borrowed(tag),
            content: Cow::Borrowed(content),
        }
    }

    /// Checks `tag` (an `Ldh-str` other than `IPv6`) and `content` (`1*dcontent`).
    pub fn new(tag: &'a str, content: &'a str) -> Result<Self, ParseError> {
        let literal = GeneralLiteral::new_unchecked(tag, content);
        // Reparsing the wire form runs exactly the grammar the parser runs.
        let mut wire = Vec::with_capacity(tag.len() + content.len() + 3);
        AddressLiteral::General(Box::new(literal.clone())).encode(&mut wire);
        match AddressLiteral::parse(&wire, &CONSTRUCTOR_OPTIONS)? {
            AddressLiteral::General(_) => Ok(literal),
            _ => Err(ParseError::InvalidAddress(
                "general address literal with a reserved tag",
            )),
        }
    }

    /// The `Standardized-tag`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The text after the colon.
    pub fn content(&self) -> &str {
        &self.content
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> GeneralLiteral<'static> {
        GeneralLiteral {
            tag: cow_into_owned(self.tag),
            content: cow_into_owned(self.content),
        }
    }
}

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"` (RFC 5321 §4.1.3).
///
/// IP addresses are kept as `std::net` values and encoded in their canonical
/// text form (RFC 5952, which RFC 5321's grammar admits), so any spelling of
/// the same address compares equal and reparses to the same value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressLiteral<'a> {
    /// `[1.2.3.4]`.
    Ipv4(Ipv4Addr),
    /// `[IPv6:...]`.
    Ipv6(Ipv6Addr),
    /// `[tag:content]` (boxed: rare, and twice the size of an IP address).
    General(Box<GeneralLiteral<'a>>),
}

impl<'a> AddressLiteral<'a> {
    /// Parses a whole bracketed literal from `input`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::whole(
            input,
            |i| grammar::address_literal(i, opts),
            "trailing bytes after address literal",
        )
    }

    /// The IP address, for the IPv4 and IPv6 forms.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            AddressLiteral::Ipv4(ip) => Some(IpAddr::V4(*ip)),
            AddressLiteral::Ipv6(ip) => Some(IpAddr::V6(*ip)),
            AddressLiteral::General(_) => None,
        }
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> AddressLiteral<'static> {
        match self {
            AddressLiteral::Ipv4(ip) => AddressLiteral::Ipv4(ip),
            AddressLiteral::Ipv6(ip) => AddressLiteral::Ipv6(ip),
            AddressLiteral::General(general) => {
                AddressLiteral::General(Box::new(general.into_owned()))
            }
        }
    }

    /// Octets of the wire form, without building it for the common cases.
    pub(crate) fn wire_len(&self) -> usize {
        match self {
            AddressLiteral::General(g) => g.tag.len() + g.content.len() + 3,
            // "[IPv6:" + at most 45 + "]": always far under every limit.
            _ => self.to_bytes().len(),
        }
    }
}

impl From<Ipv4Addr> for AddressLiteral<'_> {
    fn from(ip: Ipv4Addr) -> Self {
        AddressLiteral::Ipv4(ip)
    }
}

impl From<Ipv6Addr> for AddressLiteral<'_> {
    fn from(ip: Ipv6Addr) -> Self {
        AddressLiteral::Ipv6(ip)
    }
}

impl From<IpAddr> for AddressLiteral<'_> {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(ip) => AddressLiteral::Ipv4(ip),
            IpAddr::V6(ip) => AddressLiteral::Ipv6(ip),
        }
    }
}

impl<'a> TryFrom<&'a str> for AddressLiteral<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        AddressLiteral::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for AddressLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressLiteral::Ipv4(ip) => write!(f, "[{ip}]"),
            AddressLiteral::Ipv6(ip) => write!(f, "[IPv6:{ip}]"),
            AddressLiteral::General(g) => write!(f, "[{}:{}]", g.tag, g.content),
        }
    }
}

impl Encode for AddressLiteral<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            // Writing into a Vec cannot fail.
            AddressLiteral::Ipv4(ip) => {
                let _ = write!(out, "[{ip}]");
            }
            AddressLiteral::Ipv6(ip) => {
                let _ = write!(out, "[IPv6:{ip}]");
            }
            AddressLiteral::General(g) => {
                out.push(b'[');
                out.extend_from_slice(g.tag.as_bytes());
                out.push(b':');
                out.extend_from_slice(g.content.as_bytes());
                out.push(b']');
            }
        }
    }
}

/// `Domain / address-literal`: what EHLO names and what follows `@` in a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A domain name.
    Domain(Domain<'a>),
    /// A bracketed address literal (boxed: rarer than a domain, and
    /// keeping it out of line keeps a `Host` at the size of a domain).
    Literal(Box<AddressLiteral<'a>>),
}

impl<'a> Host<'a> {
    /// Parses a whole host from `input`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::whole(
            input,
            |i| grammar::host(i, opts, grammar::Source::of(input)),
            "trailing bytes after host",
        )
    }

    /// The domain, when this is not an address literal.
    pub fn domain(&self) -> Option<&Domain<'a>> {
        match self {
            Host::Domain(domain) => Some(domain),
            Host::Literal(_) => None,
        }
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Host<'static> {
        match self {
            Host::Domain(domain) => Host::Domain(domain.into_owned()),
            Host::Literal(literal) => Host::Literal(Box::new(literal.into_owned())),
        }
    }

    pub(crate) fn wire_len(&self) -> usize {
        match self {
            Host::Domain(domain) => domain.as_str().len(),
            Host::Literal(literal) => literal.wire_len(),
        }
    }
}

impl<'a> From<Domain<'a>> for Host<'a> {
    fn from(domain: Domain<'a>) -> Self {
        Host::Domain(domain)
    }
}

impl<'a> From<AddressLiteral<'a>> for Host<'a> {
    fn from(literal: AddressLiteral<'a>) -> Self {
        Host::Literal(Box::new(literal))
    }
}

impl<'a> TryFrom<&'a str> for Host<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        Host::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(domain) => domain.fmt(f),
            Host::Literal(literal) => literal.fmt(f),
        }
    }
}

impl Encode for Host<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Host::Domain(domain) => domain.encode(out),
            Host::Literal(literal) => literal.encode(out),
        }
    }
}

/// `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2), kept in its
/// wire form (quotes and backslashes included). At most 64 octets.
///
/// Equality compares wire forms: `"a"` and `a` are different local parts on
/// the wire even though RFC 5321 says they name the same mailbox; compare
/// [`LocalPart::value`] for that.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalPart<'a>(Cow<'a, str>);

impl<'a> LocalPart<'a> {
    /// For the parser, after it has checked the grammar.
    pub(crate) fn new_unchecked(wire: &'a str) -> Self {
        LocalPart(Cow::Borrowed(wire))
    }

    /// Parses a whole local part (wire form) from `input`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::whole(
            input,
            |i| grammar::local_part(i, opts, grammar::Source::of(input)),
            "trailing bytes after local part",
        )
    }

    /// Builds the local part whose unescaped value is `value`: the value itself
    /// when it is a `Dot-string`, a `Quoted-string` otherwise.
    pub fn from_value(value: &'a str) -> Result<Self, ParseError> {
        if let Ok(dot_string) = LocalPart::try_from(value) {
            if !dot_string.is_quoted() {
                return Ok(dot_string);
            }
        }
        let mut wire = String::with_capacity(value.len() + 2);
        wire.push('"');
        for c in value.chars() {
            if c == '"' || c == '\\' {
                wire.push('\\');
            } else if c.is_ascii_control() {
                return Err(ParseError::InvalidAddress(
                    "control character in local part",
                ));
            }
            wire.push(c);
        }
        wire.push('"');
        // Same grammar as the parser: length limit and the character classes.
        LocalPart::try_from(wire.as_str())?;
        Ok(LocalPart(Cow::Owned(wire)))
    }

    /// The wire form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the `Quoted-string` form.
    pub fn is_quoted(&self) -> bool {
        self.0.starts_with('"')
    }

    /// The local part with quotes and backslash escapes removed.
    pub fn value(&self) -> Cow<'_, str> {
        let inner = match self.0.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            Some(inner) => inner,
            None => return Cow::Borrowed(&self.0),
        };
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut value = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(escaped) = chars.next() {
                    value.push(escaped);
                }
            } else {
                value.push(c);
            }
        }
        Cow::Owned(value)
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> LocalPart<'static> {
        LocalPart(cow_into_owned(self.0))
    }
}

impl<'a> TryFrom<&'a str> for LocalPart<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        LocalPart::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for LocalPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Encode for LocalPart<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0.as_bytes());
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
///
/// Always short enough to fit in a path (at most 254 octets).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    local_part: LocalPart<'a>,
    domain: Host<'a>,
}

impl<'a> Mailbox<'a> {
    /// For the parser, after it has checked the grammar and the path limit.
    pub(crate) fn new_unchecked(local_part: LocalPart<'a>, domain: Host<'a>) -> Self {
        Mailbox { local_part, domain }
    }

    /// Joins a local part and a domain, checking the RFC 5321 §4.5.3.1.3 path limit.
    pub fn new(local_part: LocalPart<'a>, domain: Host<'a>) -> Result<Self, ParseError> {
        if local_part.as_str().len() + 1 + domain.wire_len() + 2 > MAX_PATH {
            return Err(ParseError::TooLong("path"));
        }
        Ok(Mailbox { local_part, domain })
    }

    /// Parses a whole `local@domain` from `input`, with the same path limit
    /// as [`Mailbox::new`] (a mailbox must fit in a MAIL or RCPT path).
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        let mailbox: Mailbox<'a> = grammar::whole(
            input,
            |i| grammar::mailbox(i, opts, grammar::Source::of(input)),
            "trailing bytes after mailbox",
        )?;
        Mailbox::new(mailbox.local_part, mailbox.domain)
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &LocalPart<'a> {
        &self.local_part
    }

    /// The part after `@`.
    pub fn domain(&self) -> &Host<'a> {
        &self.domain
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local_part: self.local_part.into_owned(),
            domain: self.domain.into_owned(),
        }
    }
}

impl<'a> TryFrom<&'a str> for Mailbox<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        Mailbox::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.domain)
    }
}

impl Encode for Mailbox<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.local_part.encode(out);
        out.push(b'@');
        self.domain.encode(out);
    }
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` (RFC 5321 §4.1.2). At most 256 octets.
///
/// A source route (`<@a,@b:user@c>`) is accepted and kept, as RFC 5321 §3.3
/// and Appendix C require, but should be ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path<'a> {
    // Boxed: routes are obsolete and rare, and keeping them out of line
    // keeps `Command` small (it is moved on every parse).
    source_route: Option<Box<Cow<'a, str>>>,
    mailbox: Mailbox<'a>,
}

impl<'a> Path<'a> {
    /// For the parser, after it has checked the grammar and the path limit.
    pub(crate) fn new_unchecked(source_route: Option<&'a str>, mailbox: Mailbox<'a>) -> Self {
        Path {
            source_route: source_route.map(|route| Box::new(Cow::Borrowed(route))),
            mailbox,
        }
    }

    /// Parses a whole `<...>` path from `input`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::whole(
            input,
            |i| grammar::path(i, opts, grammar::Source::of(input)),
            "trailing bytes after path",
        )
    }

    /// The mailbox.
    pub fn mailbox(&self) -> &Mailbox<'a> {
        &self.mailbox
    }

    /// The obsolete source route (`@a,@b`), without its final colon.
    pub fn source_route(&self) -> Option<&str> {
        self.source_route.as_deref().map(|route| &**route)
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Path<'static> {
        Path {
            source_route: self
                .source_route
                .map(|route| Box::new(cow_into_owned(*route))),
            mailbox: self.mailbox.into_owned(),
        }
    }
}

impl<'a> From<Mailbox<'a>> for Path<'a> {
    fn from(mailbox: Mailbox<'a>) -> Self {
        Path {
            source_route: None,
            mailbox,
        }
    }
}

impl<'a> TryFrom<&'a str> for Path<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        Path::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source_route {
            Some(route) => write!(f, "<{route}:{}>", self.mailbox),
            None => write!(f, "<{}>", self.mailbox),
        }
    }
}

impl Encode for Path<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(b'<');
        if let Some(route) = &self.source_route {
            out.extend_from_slice(route.as_bytes());
            out.push(b':');
        }
        self.mailbox.encode(out);
        out.push(b'>');
    }
}

/// `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2): the MAIL FROM address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath<'a> {
    /// `<>`: the null sender of bounces (RFC 5321 §4.5.5).
    Null,
    /// A sender mailbox.
    Path(Path<'a>),
}

impl<'a> ReversePath<'a> {
    /// Parses a whole reverse path from `input`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::whole(
            input,
            |i| grammar::reverse_path(i, opts, grammar::Source::of(input)),
            "trailing bytes after path",
        )
    }

    /// The sender mailbox, unless this is the null sender.
    pub fn mailbox(&self) -> Option<&Mailbox<'a>> {
        match self {
            ReversePath::Null => None,
            ReversePath::Path(path) => Some(path.mailbox()),
        }
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> ReversePath<'static> {
        match self {
            ReversePath::Null => ReversePath::Null,
            ReversePath::Path(path) => ReversePath::Path(path.into_owned()),
        }
    }
}

impl<'a> From<Mailbox<'a>> for ReversePath<'a> {
    fn from(mailbox: Mailbox<'a>) -> Self {
        ReversePath::Path(Path::from(mailbox))
    }
}

impl<'a> TryFrom<&'a str> for ReversePath<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        ReversePath::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for ReversePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Path(path) => path.fmt(f),
        }
    }
}

impl Encode for ReversePath<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ReversePath::Null => out.extend_from_slice(b"<>"),
            ReversePath::Path(path) => path.encode(out),
        }
    }
}

/// `Forward-path = Path` (RFC 5321 §4.1.2), plus the bare `<Postmaster>`
/// that RCPT accepts in any case: the RCPT TO address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` without a domain (RFC 5321 §4.5.1).
    Postmaster,
    /// A recipient mailbox (including `<Postmaster@domain>`).
    Path(Path<'a>),
}

impl<'a> ForwardPath<'a> {
    /// Parses a whole forward path from `input`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::whole(
            input,
            |i| grammar::forward_path(i, opts, grammar::Source::of(input)),
            "trailing bytes after path",
        )
    }

    /// The recipient mailbox, unless this is the bare `<Postmaster>`.
    pub fn mailbox(&self) -> Option<&Mailbox<'a>> {
        match self {
            ForwardPath::Postmaster => None,
            ForwardPath::Path(path) => Some(path.mailbox()),
        }
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> ForwardPath<'static> {
        match self {
            ForwardPath::Postmaster => ForwardPath::Postmaster,
            ForwardPath::Path(path) => ForwardPath::Path(path.into_owned()),
        }
    }
}

impl<'a> From<Mailbox<'a>> for ForwardPath<'a> {
    fn from(mailbox: Mailbox<'a>) -> Self {
        ForwardPath::Path(Path::from(mailbox))
    }
}

impl<'a> TryFrom<&'a str> for ForwardPath<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        ForwardPath::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for ForwardPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("<Postmaster>"),
            ForwardPath::Path(path) => path.fmt(f),
        }
    }
}

impl Encode for ForwardPath<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ForwardPath::Postmaster => out.extend_from_slice(b"<Postmaster>"),
            ForwardPath::Path(path) => path.encode(out),
        }
    }
}
