//! The address grammar of RFC 5321 §4.1.2 and §4.1.3, with the UTF-8
//! extensions of RFC 6531 §3.3 under [`ParseOptions::smtputf8`].
//!
//! Each rule is a nom parser over `complete` input with `GrammarError` as
//! its error, so the precise [`ParseError`] a server answers with survives
//! the combinators. Rules run hand-written loops over the `chars` tables:
//! the address is the hot part of MAIL and RCPT.

use std::net::{Ipv4Addr, Ipv6Addr};

use memchr::{memchr, memmem};
use nom::IResult;

use crate::{
    chars::{ATEXT, DCONTENT, DIGIT, LDH, LET_DIG, QTEXT_SMTP, QUOTED_PAIR_CHAR, span},
    error::ParseError,
    options::ParseOptions,
    parse::command::strip_prefix_no_case,
    types::address::{
        AddressLiteral, Domain, ForwardPath, GeneralLiteral, Host, LocalPart, MAX_DOMAIN,
        MAX_LOCAL_PART, MAX_PATH, Mailbox, Path, ReversePath,
    },
};

/// The error of the grammar's nom parsers: the [`ParseError`] to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GrammarError(pub(crate) ParseError);

impl<I> nom::error::ParseError<I> for GrammarError {
    fn from_error_kind(_input: I, _kind: nom::error::ErrorKind) -> Self {
        GrammarError(ParseError::InvalidArguments("syntax error"))
    }

    fn append(_input: I, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Result of a grammar rule: the unparsed rest and the value.
pub(crate) type PResult<'a, T> = IResult<&'a [u8], T, GrammarError>;

/// Fails the current rule with `error`.
pub(crate) fn fail<'a, T>(error: ParseError) -> PResult<'a, T> {
    Err(nom::Err::Error(GrammarError(error)))
}

/// The [`ParseError`] of a failed rule.
pub(crate) fn to_parse_error(error: nom::Err<GrammarError>) -> ParseError {
    match error {
        nom::Err::Incomplete(_) => ParseError::Incomplete,
        nom::Err::Error(GrammarError(e)) | nom::Err::Failure(GrammarError(e)) => e,
    }
}

/// Runs `rule` on the whole of `input`: leftover bytes are `InvalidAddress(leftover)`.
#[inline]
pub(crate) fn whole<'a, T>(
    input: &'a [u8],
    rule: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
    leftover: &'static str,
) -> Result<T, ParseError> {
    let (rest, value) = rule(input).map_err(to_parse_error)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(ParseError::InvalidAddress(leftover))
    }
}

/// Splits `input` after `n` bytes; `n` comes from a scan of `input`, so the
/// fallback (nothing consumed) is never taken.
fn split(input: &[u8], n: usize) -> (&[u8], &[u8]) {
    input.split_at_checked(n).unwrap_or((&[], input))
}

/// Length of the prefix of `input` made of pieces of `class` separated by
/// single dots (`Dot-string`, `Domain`), where non-ASCII octets also count
/// under SMTPUTF8 (RFC 6531 adds `UTF8-non-ascii` to the classes that allow
/// it; the caller checks the UTF-8 of the whole token). One forward pass:
/// `piece` checks each piece as its dot or the end is reached.
#[inline(always)]
fn dotted(
    class: &[bool; 256],
    input: &[u8],
    opts: &ParseOptions,
    piece: impl Fn(&[u8]) -> Result<(), ParseError>,
) -> Result<usize, ParseError> {
    let mut start = 0;
    let mut at = 0;
    loop {
        match input.get(at) {
            Some(&b) if class[b as usize] => at += 1,
            Some(b'.') => {
                piece(input.get(start..at).unwrap_or_default())?;
                at += 1;
                start = at;
            }
            Some(&b) if b >= 0x80 => {
                if !opts.smtputf8 {
                    return Err(ParseError::NonAscii);
                }
                at += 1;
            }
            _ => break,
        }
    }
    piece(input.get(start..at).unwrap_or_default())?;
    Ok(at)
}

/// The token as text; the scans admitted only ASCII or, under SMTPUTF8,
/// non-ASCII octets whose UTF-8 is checked here.
fn utf8(token: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(token).map_err(|_| ParseError::InvalidAddress("invalid UTF-8"))
}

/// The text tokens are sliced from: the bytes of a command's arguments
/// checked to be UTF-8 once, so that the domain, local part and route of a
/// path need no check of their own (on short tokens the check's set-up is
/// most of its cost). Without it, or for a token outside it, each token is
/// checked by itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    text: Option<&'a str>,
    /// Known to be ASCII (the command line was checked): no token needs a
    /// check for non-ASCII octets of its own.
    ascii: bool,
}

impl<'a> Source<'a> {
    /// `bytes` checked once; when they are not UTF-8, tokens are checked
    /// one by one, which reports the error where the grammar meets it.
    pub(crate) fn of(bytes: &'a [u8]) -> Self {
        Source {
            text: std::str::from_utf8(bytes).ok(),
            ascii: false,
        }
    }

    /// [`Source::of`] bytes that are known to be ASCII when `ascii` is true.
    pub(crate) fn of_checked(bytes: &'a [u8], ascii: bool) -> Self {
        Source {
            text: std::str::from_utf8(bytes).ok(),
            ascii,
        }
    }

    /// True when the bytes are known to be ASCII (false: not known).
    pub(crate) fn is_ascii(self) -> bool {
        self.ascii
    }

    /// `token` as a slice of the checked text, when it lies inside it
    /// (compared by address) on character boundaries.
    #[inline]
    pub(crate) fn slice(self, token: &'a [u8]) -> Option<&'a str> {
        let text = self.text?;
        let start = (token.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        let inside = start <= text.len() && token.len() <= text.len() - start;
        inside
            .then(|| text.get(start..start + token.len()))
            .flatten()
    }

    /// `token` as text: a slice of the checked text when `token` lies
    /// inside it, else its own UTF-8 check.
    #[inline]
    pub(crate) fn text(self, token: &'a [u8]) -> Result<&'a str, ParseError> {
        match self.slice(token) {
            Some(text) => Ok(text),
            None => utf8(token),
        }
    }
}

/// `sub-domain = Let-dig [Ldh-str]`, `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig`
/// (RFC 5321 §4.1.2); `sub-domain =/ U-label` (RFC 6531 §3.3), where a
/// non-ASCII character counts as a letter. Checks one label that
/// [`domain`]'s scan cut out of `LDH` octets.
pub(crate) fn sub_domain(label: &[u8]) -> Result<(), ParseError> {
    match (label.first(), label.last()) {
        (Some(&first), Some(&last)) if first != b'-' && last != b'-' => Ok(()),
        (None, _) => Err(ParseError::InvalidAddress("empty domain label")),
        _ => Err(ParseError::InvalidAddress(
            "domain label starts or ends with a hyphen",
        )),
    }
}

/// `Domain = sub-domain *("." sub-domain)` (RFC 5321 §4.1.2), at most 255
/// octets (§4.5.3.1.2).
#[inline]
pub(crate) fn domain<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, Domain<'a>> {
    let len =
        dotted(&LDH, input, opts, sub_domain).map_err(|e| nom::Err::Error(GrammarError(e)))?;
    let (text, rest) = split(input, len);
    if text.len() > MAX_DOMAIN {
        return fail(ParseError::TooLong("domain"));
    }
    let text = src
        .text(text)
        .map_err(|e| nom::Err::Error(GrammarError(e)))?;
    Ok((rest, Domain::new_unchecked(text)))
}

/// `Snum = 1*3DIGIT` ; representing a decimal integer value in the range 0 through 255
/// (RFC 5321 §4.1.3).
pub(crate) fn snum(input: &[u8]) -> PResult<'_, u8> {
    let n = span(&DIGIT, input).min(3);
    let (digits, rest) = split(input, n);
    if digits.is_empty() {
        return fail(ParseError::InvalidAddress("expected a decimal octet"));
    }
    let value = digits
        .iter()
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    match u8::try_from(value) {
        Ok(octet) => Ok((rest, octet)),
        Err(_) => fail(ParseError::InvalidAddress("IPv4 octet over 255")),
    }
}

/// `IPv4-address-literal = Snum 3("."  Snum)` (RFC 5321 §4.1.3).
pub(crate) fn ipv4_address_literal(input: &[u8]) -> PResult<'_, Ipv4Addr> {
    let (mut rest, first) = snum(input)?;
    let mut octets = [first, 0, 0, 0];
    for octet in octets.iter_mut().skip(1) {
        let Some(after_dot) = rest.strip_prefix(b".") else {
            return fail(ParseError::InvalidAddress("IPv4 literal needs four octets"));
        };
        (rest, *octet) = snum(after_dot)?;
    }
    Ok((rest, Ipv4Addr::from(octets)))
}

/// `IPv6-hex = 1*4HEXDIG` (RFC 5321 §4.1.3), given one whole group.
fn ipv6_hex(group: &[u8]) -> Result<u16, ParseError> {
    if group.is_empty() || group.len() > 4 {
        return Err(ParseError::InvalidAddress(
            "IPv6 group of 1 to 4 hex digits expected",
        ));
    }
    group.iter().try_fold(0u16, |acc, &d| {
        let digit = char::from(d)
            .to_digit(16)
            .ok_or(ParseError::InvalidAddress(
                "invalid hex digit in IPv6 address",
            ))?;
        // At most four digits: no overflow.
        Ok(acc << 4 | digit as u16)
    })
}

/// The `IPv6-hex *(":" IPv6-hex)` groups of one side of `::` (or of the whole
/// address), the last one possibly an `IPv4-address-literal` when
/// `ipv4_allowed`. Writes them into `groups` and returns how many 16-bit
/// groups were written (an IPv4 tail counts as two) and whether it had one.
fn ipv6_groups(
    part: &[u8],
    ipv4_allowed: bool,
    groups: &mut [u16; 8],
) -> Result<(usize, bool), ParseError> {
    const TOO_MANY: ParseError = ParseError::InvalidAddress("too many IPv6 groups");
    if part.is_empty() {
        return Ok((0, false));
    }
    let mut count = 0;
    let mut pieces = part.split(|&b| b == b':').peekable();
    while let Some(piece) = pieces.next() {
        let last = pieces.peek().is_none();
        if last && ipv4_allowed && memchr(b'.', piece).is_some() {
            let ip = whole(
                piece,
                ipv4_address_literal,
                "invalid IPv4 part of IPv6 literal",
            )?;
            let [a, b, c, d] = ip.octets();
            let slots = groups.get_mut(count..count + 2).ok_or(TOO_MANY)?;
            slots.copy_from_slice(&[u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])]);
            return Ok((count + 2, true));
        }
        *groups.get_mut(count).ok_or(TOO_MANY)? = ipv6_hex(piece)?;
        count += 1;
    }
    Ok((count, false))
}

/// `IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp` (RFC 5321 §4.1.3):
///
/// ```text
/// IPv6-full   = IPv6-hex 7(":" IPv6-hex)
/// IPv6-comp   = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
///               ; no more than 6 groups in addition to the "::"
/// IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
/// IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::" [IPv6-hex *3(":" IPv6-hex) ":"] IPv4-address-literal
///               ; no more than 4 groups in addition to the "::" and the IPv4 address
/// ```
///
/// Consumes the whole input (the caller cut it at `]`).
pub(crate) fn ipv6_addr(input: &[u8]) -> PResult<'_, Ipv6Addr> {
    let bad = |e| nom::Err::Error(GrammarError(e));
    let mut groups = [0u16; 8];
    match memmem::find(input, b"::") {
        None => {
            let (count, ipv4) = ipv6_groups(input, true, &mut groups).map_err(bad)?;
            if count != 8 {
                return fail(ParseError::InvalidAddress(if ipv4 {
                    "IPv6v4-full needs six groups before the IPv4 address"
                } else {
                    "IPv6-full needs eight groups"
                }));
            }
        }
        Some(at) => {
            let (head, tail) = split(input, at);
            let tail = tail.get(2..).unwrap_or_default();
            let mut head_groups = [0u16; 8];
            let mut tail_groups = [0u16; 8];
            let (head_count, _) = ipv6_groups(head, false, &mut head_groups).map_err(bad)?;
            let (tail_count, _) = ipv6_groups(tail, true, &mut tail_groups).map_err(bad)?;
            // "::" stands for at least two zero groups, hence at most six others
            // (an IPv4 tail being two of them: "no more than 4 groups").
            if head_count + tail_count > 6 {
                return fail(ParseError::InvalidAddress(
                    "too many IPv6 groups around \"::\"",
                ));
            }
            let heads = head_groups.iter().take(head_count);
            let tails = tail_groups.iter().take(tail_count);
            for (slot, group) in groups.iter_mut().zip(heads) {
                *slot = *group;
            }
            for (slot, group) in groups.iter_mut().rev().zip(tails.rev()) {
                *slot = *group;
            }
        }
    }
    Ok((&[], Ipv6Addr::from(groups)))
}

/// `General-address-literal = Standardized-tag ":" 1*dcontent`,
/// `Standardized-tag = Ldh-str` (RFC 5321 §4.1.3). Consumes the whole input.
pub(crate) fn general_address_literal(input: &[u8]) -> PResult<'_, GeneralLiteral<'_>> {
    let colon = memchr(b':', input).unwrap_or(input.len());
    let (tag, content) = split(input, colon);
    let content = content.get(1..).unwrap_or_default();
    let tag_ok = !tag.is_empty()
        && span(&LDH, tag) == tag.len()
        && tag.last().is_some_and(|&b| LET_DIG[b as usize]);
    if !tag_ok {
        return fail(ParseError::InvalidAddress("invalid address literal tag"));
    }
    if content.is_empty() || span(&DCONTENT, content) != content.len() {
        return fail(ParseError::InvalidAddress(
            "invalid address literal content",
        ));
    }
    match (std::str::from_utf8(tag), std::str::from_utf8(content)) {
        (Ok(tag), Ok(content)) => Ok((&[], GeneralLiteral::new_unchecked(tag, content))),
        _ => fail(ParseError::InvalidAddress("invalid address literal")),
    }
}

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"`, `IPv6-address-literal = "IPv6:" IPv6-addr`
/// (RFC 5321 §4.1.3). Counted against the 255-octet domain limit, whose place
/// it takes.
pub(crate) fn address_literal<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
) -> PResult<'a, AddressLiteral<'a>> {
    let Some(body) = input.strip_prefix(b"[") else {
        return fail(ParseError::InvalidAddress("expected ["));
    };
    let Some(end) = memchr(b']', body) else {
        return fail(ParseError::InvalidAddress("unterminated address literal"));
    };
    let (content, rest) = split(body, end);
    let rest = rest.get(1..).unwrap_or_default();
    if content.len() + 2 > MAX_DOMAIN {
        return fail(ParseError::TooLong("domain"));
    }
    if !opts.smtputf8 && !content.is_ascii() {
        return fail(ParseError::NonAscii);
    }
    // IPv4 is the only form without a colon; "IPv6:" is the one reserved tag,
    // so an invalid IPv6 address is an error rather than a general literal.
    let literal = if memchr(b':', content).is_none() {
        AddressLiteral::Ipv4(
            whole(content, ipv4_address_literal, "invalid IPv4 literal")
                .map_err(|e| nom::Err::Error(GrammarError(e)))?,
        )
    } else if content
        .get(..5)
        .is_some_and(|tag| tag.eq_ignore_ascii_case(b"IPv6:"))
    {
        let addr = content.get(5..).unwrap_or_default();
        AddressLiteral::Ipv6(ipv6_addr(addr)?.1)
    } else {
        AddressLiteral::General(Box::new(general_address_literal(content)?.1))
    };
    Ok((rest, literal))
}

/// `Domain / address-literal`, the argument of EHLO and the part of a
/// `Mailbox` after `@` (RFC 5321 §4.1.1.1, §4.1.2).
#[inline]
pub(crate) fn host<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, Host<'a>> {
    if input.first() == Some(&b'[') {
        let (rest, literal) = address_literal(input, opts)?;
        Ok((rest, Host::Literal(Box::new(literal))))
    } else {
        let (rest, domain) = domain(input, opts, src)?;
        Ok((rest, Host::Domain(domain)))
    }
}

/// `Atom = 1*atext` (RFC 5321 §4.1.2); `atext =/ UTF8-non-ascii` (RFC 6531
/// §3.3). Checks one atom that [`dot_string`]'s scan cut out of `atext`.
pub(crate) fn atom(atom: &[u8]) -> Result<(), ParseError> {
    if atom.is_empty() {
        Err(ParseError::InvalidAddress("empty atom in local part"))
    } else {
        Ok(())
    }
}

/// `Dot-string = Atom *("."  Atom)` (RFC 5321 §4.1.2).
#[inline]
pub(crate) fn dot_string<'a>(input: &'a [u8], opts: &ParseOptions) -> PResult<'a, &'a [u8]> {
    let len = dotted(&ATEXT, input, opts, atom).map_err(|e| nom::Err::Error(GrammarError(e)))?;
    let (wire, rest) = split(input, len);
    Ok((rest, wire))
}

/// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`,
/// `QcontentSMTP = qtextSMTP / quoted-pairSMTP`, `quoted-pairSMTP = %d92 %d32-126`
/// (RFC 5321 §4.1.2); `qtextSMTP =/ UTF8-non-ascii` (RFC 6531 §3.3).
/// Returns the wire form, quotes included.
pub(crate) fn quoted_string<'a>(input: &'a [u8], opts: &ParseOptions) -> PResult<'a, &'a [u8]> {
    if input.first() != Some(&b'"') {
        return fail(ParseError::InvalidAddress("expected quoted string"));
    }
    let mut i = 1;
    loop {
        match input.get(i) {
            None => return fail(ParseError::InvalidAddress("unterminated quoted string")),
            Some(b'"') => break,
            Some(b'\\') => match input.get(i + 1) {
                Some(&c) if QUOTED_PAIR_CHAR[c as usize] => i += 2,
                _ => return fail(ParseError::InvalidAddress("invalid quoted pair")),
            },
            Some(&b) if QTEXT_SMTP[b as usize] => i += 1,
            Some(&b) if b >= 0x80 => {
                if !opts.smtputf8 {
                    return fail(ParseError::NonAscii);
                }
                i += 1;
            }
            Some(_) => {
                return fail(ParseError::InvalidAddress(
                    "invalid character in quoted string",
                ));
            }
        }
    }
    let (wire, rest) = split(input, i + 1);
    Ok((rest, wire))
}

/// `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2), at most 64
/// octets in its wire form (§4.5.3.1.1).
#[inline]
pub(crate) fn local_part<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, LocalPart<'a>> {
    let (rest, wire) = if input.first() == Some(&b'"') {
        quoted_string(input, opts)?
    } else {
        dot_string(input, opts)?
    };
    if wire.len() > MAX_LOCAL_PART {
        return fail(ParseError::TooLong("local part"));
    }
    let wire = src
        .text(wire)
        .map_err(|e| nom::Err::Error(GrammarError(e)))?;
    Ok((rest, LocalPart::new_unchecked(wire)))
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
#[inline]
pub(crate) fn mailbox<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, Mailbox<'a>> {
    let (rest, local) = local_part(input, opts, src)?;
    let Some(rest) = rest.strip_prefix(b"@") else {
        return fail(ParseError::InvalidAddress(
            "expected @ after the local part",
        ));
    };
    let (rest, host) = host(rest, opts, src)?;
    Ok((rest, Mailbox::new_unchecked(local, host)))
}

/// `At-domain = "@" Domain` (RFC 5321 §4.1.2).
pub(crate) fn at_domain<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, Domain<'a>> {
    let Some(rest) = input.strip_prefix(b"@") else {
        return fail(ParseError::InvalidAddress("expected @ in source route"));
    };
    domain(rest, opts, src)
}

/// `A-d-l = At-domain *( "," At-domain )` (RFC 5321 §4.1.2): the obsolete
/// source route. Returns its text.
pub(crate) fn a_d_l<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, &'a str> {
    let (mut rest, _) = at_domain(input, opts, src)?;
    while let Some(after_comma) = rest.strip_prefix(b",") {
        (rest, _) = at_domain(after_comma, opts, src)?;
    }
    let route = src
        .text(split(input, input.len() - rest.len()).0)
        .map_err(|e| nom::Err::Error(GrammarError(e)))?;
    Ok((rest, route))
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` (RFC 5321 §4.1.2), at most 256
/// octets including the punctuation (§4.5.3.1.3).
#[inline]
pub(crate) fn path<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, Path<'a>> {
    let Some(rest) = input.strip_prefix(b"<") else {
        return fail(ParseError::InvalidAddress("expected <"));
    };
    let (rest, route) = if rest.first() == Some(&b'@') {
        let (rest, route) = a_d_l(rest, opts, src)?;
        let Some(rest) = rest.strip_prefix(b":") else {
            return fail(ParseError::InvalidAddress("expected : after source route"));
        };
        (rest, Some(route))
    } else {
        (rest, None)
    };
    let (rest, mailbox) = mailbox(rest, opts, src)?;
    let Some(rest) = rest.strip_prefix(b">") else {
        return fail(ParseError::InvalidAddress("expected > after the mailbox"));
    };
    if input.len() - rest.len() > MAX_PATH {
        return fail(ParseError::TooLong("path"));
    }
    Ok((rest, Path::new_unchecked(route, mailbox)))
}

/// A bare `Mailbox` where a `Path` belongs (`MAIL FROM:a@b`), accepted under
/// [`ParseOptions::missing_brackets`]; the path limit counts the missing brackets.
pub(crate) fn path_without_brackets<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, Path<'a>> {
    let (rest, mailbox) = mailbox(input, opts, src)?;
    if input.len() - rest.len() + 2 > MAX_PATH {
        return fail(ParseError::TooLong("path"));
    }
    Ok((rest, Path::new_unchecked(None, mailbox)))
}

/// A `Path`, or a bare mailbox under [`ParseOptions::missing_brackets`].
#[inline]
fn path_or_mailbox<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, Path<'a>> {
    if input.first() != Some(&b'<') && opts.missing_brackets {
        path_without_brackets(input, opts, src)
    } else {
        path(input, opts, src)
    }
}

/// `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2).
#[inline]
pub(crate) fn reverse_path<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, ReversePath<'a>> {
    if let Some(rest) = input.strip_prefix(b"<>") {
        return Ok((rest, ReversePath::Null));
    }
    let (rest, path) = path_or_mailbox(input, opts, src)?;
    Ok((rest, ReversePath::Path(path)))
}

/// `Forward-path = Path` (RFC 5321 §4.1.2), with the `"<Postmaster>"`
/// alternative of RCPT (§4.1.1.3), case-insensitive.
#[inline]
pub(crate) fn forward_path<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> PResult<'a, ForwardPath<'a>> {
    // Tried on every RCPT: the `>` that ends it is tested first, as a
    // mailbox nearly never has one there.
    if input.get(11) == Some(&b'>')
        && let Some(rest) = strip_prefix_no_case(input, b"<POSTMASTER>")
    {
        return Ok((rest, ForwardPath::Postmaster));
    }
    let (rest, path) = path_or_mailbox(input, opts, src)?;
    Ok((rest, ForwardPath::Path(path)))
}

/// Value generators built through the validating constructors, shared with
/// the command tests.
#[cfg(test)]
pub(crate) mod strategies {
    use proptest::prelude::*;

    use crate::types::address::{
        AddressLiteral, Domain, ForwardPath, GeneralLiteral, Host, LocalPart, Mailbox, Path,
        ReversePath,
    };

    pub(crate) fn domain() -> impl Strategy<Value = Domain<'static>> {
        prop::collection::vec("[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", 1..5).prop_map(
            |labels| {
                Domain::try_from(labels.join(".").as_str())
                    .expect("generated domain is valid")
                    .into_owned()
            },
        )
    }

    pub(crate) fn utf8_domain() -> impl Strategy<Value = Domain<'static>> {
        prop::collection::vec("[a-z0-9äöüé日本]{1,6}", 1..4).prop_map(|labels| {
            Domain::try_from(labels.join(".").as_str())
                .expect("generated domain is valid")
                .into_owned()
        })
    }

    pub(crate) fn address_literal() -> impl Strategy<Value = AddressLiteral<'static>> {
        prop_oneof![
            any::<u32>().prop_map(|ip| AddressLiteral::Ipv4(ip.into())),
            any::<u128>().prop_map(|ip| AddressLiteral::Ipv6(ip.into())),
            // Many zero groups exercise the "::" forms.
            (any::<u16>(), 0..8usize, any::<u16>()).prop_map(|(a, i, b)| {
                let mut groups = [0u16; 8];
                groups[i] = a;
                groups[7 - i] = b;
                AddressLiteral::Ipv6(groups.into())
            }),
            (
                "[a-zA-Z0-9]([a-zA-Z0-9-]{0,5}[a-zA-Z0-9])?",
                "[!-Z\\^-~]{1,12}"
            )
                .prop_filter_map("IPv6 is not a general tag", |(tag, content)| {
                    GeneralLiteral::new(&tag, &content)
                        .ok()
                        .map(|g| AddressLiteral::General(Box::new(g.into_owned())))
                }),
        ]
    }

    pub(crate) fn host() -> impl Strategy<Value = Host<'static>> {
        prop_oneof![
            3 => domain().prop_map(Host::Domain),
            1 => address_literal().prop_map(Host::from),
        ]
    }

    pub(crate) fn local_part() -> impl Strategy<Value = LocalPart<'static>> {
        prop_oneof![
            prop::collection::vec("[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}", 1..4).prop_map(|atoms| {
                LocalPart::try_from(atoms.join(".").as_str())
                    .expect("generated dot-string is valid")
                    .into_owned()
            }),
            "[ -~]{0,20}".prop_map(|value| {
                LocalPart::from_value(&value)
                    .expect("printable value is quotable")
                    .into_owned()
            }),
        ]
    }

    pub(crate) fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
        (local_part(), host()).prop_filter_map("fits in a path", |(local, host)| {
            Mailbox::new(local, host).ok()
        })
    }

    pub(crate) fn utf8_mailbox() -> impl Strategy<Value = Mailbox<'static>> {
        ("[a-zäöü日本.]{0,3}[a-zäöü日本]", utf8_domain()).prop_map(|(local, domain)| {
            let local = LocalPart::from_value(&local).expect("valid").into_owned();
            Mailbox::new(local, Host::Domain(domain)).expect("short")
        })
    }

    pub(crate) fn path() -> impl Strategy<Value = Path<'static>> {
        prop_oneof![
            3 => mailbox().prop_map(Path::from),
            1 => (prop::collection::vec(domain(), 1..3), mailbox()).prop_filter_map(
                "fits in 256 octets",
                |(route, mailbox)| {
                    let route: Vec<String> = route.iter().map(|d| format!("@{d}")).collect();
                    let text = format!("<{}:{mailbox}>", route.join(","));
                    Path::try_from(text.as_str()).ok().map(Path::into_owned)
                }
            ),
        ]
    }

    pub(crate) fn reverse_path() -> impl Strategy<Value = ReversePath<'static>> {
        prop_oneof![
            1 => Just(ReversePath::Null),
            4 => path().prop_map(ReversePath::Path),
        ]
    }

    pub(crate) fn forward_path() -> impl Strategy<Value = ForwardPath<'static>> {
        prop_oneof![
            1 => Just(ForwardPath::Postmaster),
            4 => path().prop_map(ForwardPath::Path),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use proptest::prelude::*;

    use super::strategies;
    use crate::{
        encode::Encode,
        error::ParseError,
        options::ParseOptions,
        types::address::{
            AddressLiteral, Domain, ForwardPath, GeneralLiteral, Host, LocalPart, Mailbox, Path,
            ReversePath,
        },
    };

    const STRICT: ParseOptions = ParseOptions::strict();
    const UTF8: ParseOptions = ParseOptions::strict().with_smtputf8(true);

    fn literal(text: &str) -> Result<AddressLiteral<'_>, ParseError> {
        AddressLiteral::parse(text.as_bytes(), &STRICT)
    }

    fn v6(text: &str) -> Result<Ipv6Addr, ParseError> {
        match literal(text)? {
            AddressLiteral::Ipv6(ip) => Ok(ip),
            other => panic!("not IPv6: {other:?}"),
        }
    }

    #[test]
    fn domains() {
        for ok in [
            "a",
            "example.com",
            "a-b.c0",
            "0.1.2.3",
            "xn--bcher-kva.example",
        ] {
            assert_eq!(Domain::parse(ok.as_bytes(), &STRICT).unwrap().as_str(), ok);
        }
        for bad in ["", ".a", "a.", "a..b", "-a", "a-", "a.-b", "a_b", "a b"] {
            assert!(
                matches!(
                    Domain::parse(bad.as_bytes(), &STRICT),
                    Err(ParseError::InvalidAddress(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            Domain::parse("bücher.de".as_bytes(), &STRICT),
            Err(ParseError::NonAscii)
        );
        let utf8 = Domain::parse("bücher.日本".as_bytes(), &UTF8).unwrap();
        assert!(!utf8.is_ascii());
        assert_eq!(
            Domain::parse(b"b\xffcher.de", &UTF8),
            Err(ParseError::InvalidAddress("invalid UTF-8"))
        );
    }

    #[test]
    fn domain_length_limit() {
        let label = "a".repeat(63);
        let at_limit = format!("{label}.{label}.{label}.{}", "b".repeat(63));
        assert_eq!(at_limit.len(), 255);
        assert!(Domain::try_from(at_limit.as_str()).is_ok());
        let over = format!("{at_limit}c");
        assert_eq!(
            Domain::try_from(over.as_str()),
            Err(ParseError::TooLong("domain"))
        );
    }

    #[test]
    fn ipv4_literals() {
        assert_eq!(
            literal("[1.2.3.4]"),
            Ok(AddressLiteral::Ipv4(Ipv4Addr::new(1, 2, 3, 4)))
        );
        assert_eq!(
            literal("[255.0.010.0]"),
            Ok(AddressLiteral::Ipv4(Ipv4Addr::new(255, 0, 10, 0)))
        );
        for bad in [
            "[256.1.1.1]",
            "[1.2.3.999]",
            "[1.2.3]",
            "[1.2.3.4.5]",
            "[ 1.2.3.4]",
            "[x1.2.3.4]",
            "[1.2.3.4 ]",
            "[1234.1.1.1]",
            "[]",
            "[1.2.3.4",
        ] {
            assert!(
                matches!(literal(bad), Err(ParseError::InvalidAddress(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ipv6_literals() {
        let full = v6("[IPv6:2001:db8:0:0:1:0:0:1]").unwrap();
        assert_eq!(full, Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1));
        assert_eq!(v6("[IPv6:::1]"), Ok(Ipv6Addr::LOCALHOST));
        assert_eq!(v6("[IPv6:::]"), Ok(Ipv6Addr::UNSPECIFIED));
        assert_eq!(v6("[ipv6:1::]"), Ok(Ipv6Addr::new(1, 0, 0, 0, 0, 0, 0, 0)));
        assert_eq!(
            v6("[IPv6:2001:DB8::8:800:200C:417A]"),
            Ok(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a))
        );
        assert_eq!(
            v6("[IPv6:::ffff:1.2.3.4]"),
            Ok(Ipv4Addr::new(1, 2, 3, 4).to_ipv6_mapped())
        );
        assert_eq!(
            v6("[IPv6:1:2:3:4:5:6:1.2.3.4]"),
            Ok(Ipv6Addr::new(1, 2, 3, 4, 5, 6, 0x102, 0x304))
        );
        assert_eq!(
            v6("[IPv6:1:2::3:4:1.2.3.4]"),
            Ok(Ipv6Addr::new(1, 2, 0, 0, 3, 4, 0x102, 0x304))
        );
        assert_eq!(
            v6("[IPv6:1:2:3:4:5:6::]"),
            Ok(Ipv6Addr::new(1, 2, 3, 4, 5, 6, 0, 0))
        );
        for bad in [
            "[IPv6:1:2:3:4:5:6:7]",         // seven groups, no "::"
            "[IPv6:1:2:3:4:5:6:7:8:9]",     // nine groups
            "[IPv6:1:2:3:4:5:6:7::]",       // "::" standing for one group
            "[IPv6:1::2:3:4:5:6:7]",        // idem
            "[IPv6:1:2:3::4:5:1.2.3.4]",    // five groups with IPv4 and "::"
            "[IPv6:1:2:3:4:5:6:7:1.2.3.4]", // seven groups before IPv4
            "[IPv6:1:2:3:4:5:1.2.3.4]",     // five groups before IPv4
            "[IPv6::::]",
            "[IPv6:1:::2]",
            "[IPv6:1::2::3]",
            "[IPv6::1]",
            "[IPv6:1:]",
            "[IPv6:12345::]",
            "[IPv6:g::]",
            "[IPv6:1.2.3.4::]",
            "[IPv6:::256.1.1.1]",
            "[IPv6:]",
        ] {
            assert!(
                matches!(literal(bad), Err(ParseError::InvalidAddress(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn general_literals() {
        let AddressLiteral::General(g) = literal("[x-tag:some!content~]").unwrap() else {
            panic!("not general");
        };
        assert_eq!((g.tag(), g.content()), ("x-tag", "some!content~"));
        for bad in [
            "[x-:a]",
            "[:a]",
            "[tag:]",
            "[t_g:a]",
            "[tag:a\\b]",
            "[tag:a[b]",
        ] {
            assert!(
                matches!(literal(bad), Err(ParseError::InvalidAddress(_))),
                "{bad:?}"
            );
        }
        assert!(GeneralLiteral::new("IPv6", "1").is_err());
        assert!(GeneralLiteral::new("tag", "a]b").is_err());
    }

    #[test]
    fn local_parts() {
        let quote = LocalPart::try_from(r#""a\"b""#).unwrap();
        assert!(quote.is_quoted());
        assert_eq!(quote.value(), "a\"b");
        let space = LocalPart::try_from(r#""a b""#).unwrap();
        assert_eq!(space.value(), "a b");
        assert_eq!(LocalPart::try_from(r#""""#).unwrap().value(), "");
        assert_eq!(LocalPart::try_from("a.b+c").unwrap().value(), "a.b+c");
        for bad in [
            ".a", "a.", "a..b", "a b", "\"a", "\"a\\\"", "\"\x01\"", "a\"b\"",
        ] {
            assert!(
                matches!(
                    LocalPart::parse(bad.as_bytes(), &STRICT),
                    Err(ParseError::InvalidAddress(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            LocalPart::parse("jörg".as_bytes(), &STRICT),
            Err(ParseError::NonAscii)
        );
        assert_eq!(
            LocalPart::parse("\"jörg\"".as_bytes(), &STRICT),
            Err(ParseError::NonAscii)
        );
        assert!(LocalPart::parse("jörg".as_bytes(), &UTF8).is_ok());
        assert!(LocalPart::parse("\"j ö\"".as_bytes(), &UTF8).is_ok());
        assert_eq!(LocalPart::from_value("a b").unwrap().as_str(), r#""a b""#);
        assert_eq!(
            LocalPart::from_value(r#"a"\"#).unwrap().as_str(),
            r#""a\"\\""#
        );
        assert_eq!(LocalPart::from_value("a.b").unwrap().as_str(), "a.b");
        assert!(LocalPart::from_value("a\r\nb").is_err());
    }

    #[test]
    fn local_part_length_limit() {
        let at_limit = "a".repeat(64);
        assert!(LocalPart::try_from(at_limit.as_str()).is_ok());
        let over = "a".repeat(65);
        assert_eq!(
            LocalPart::try_from(over.as_str()),
            Err(ParseError::TooLong("local part"))
        );
        let quoted_over = format!("\"{}\"", "a".repeat(63));
        assert_eq!(
            LocalPart::try_from(quoted_over.as_str()),
            Err(ParseError::TooLong("local part"))
        );
    }

    #[test]
    fn mailboxes() {
        let mailbox = Mailbox::try_from("\"a b\"@[IPv6:::1]").unwrap();
        assert_eq!(mailbox.local_part().value(), "a b");
        assert_eq!(
            mailbox.domain(),
            &Host::from(AddressLiteral::Ipv6(Ipv6Addr::LOCALHOST))
        );
        assert_eq!(mailbox.to_string(), "\"a b\"@[IPv6:::1]");
        for bad in ["a", "a@", "@b", "a@@b", "a@b@c", "a@[1.2.3.4"] {
            assert!(Mailbox::try_from(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(ReversePath::try_from("<>"), Ok(ReversePath::Null));
        for postmaster in ["<Postmaster>", "<postmaster>", "<POSTMASTER>"] {
            assert_eq!(
                ForwardPath::try_from(postmaster),
                Ok(ForwardPath::Postmaster)
            );
        }
        let domain_postmaster = ForwardPath::try_from("<Postmaster@example.com>").unwrap();
        assert_eq!(
            domain_postmaster.mailbox().unwrap().local_part().as_str(),
            "Postmaster"
        );
        let routed = Path::try_from("<@a,@b:u@c>").unwrap();
        assert_eq!(routed.source_route(), Some("@a,@b"));
        assert_eq!(routed.mailbox(), &Mailbox::try_from("u@c").unwrap());
        assert_eq!(routed.to_bytes(), b"<@a,@b:u@c>");
        for bad in [
            "<@a:>",
            "<@a,b:u@c>",
            "<@a u@c>",
            "<u@c",
            "u@c>",
            "<>",
            "<<u@c>>",
        ] {
            assert!(Path::try_from(bad).is_err(), "{bad:?}");
        }
        assert!(ForwardPath::try_from("<>").is_err());
        assert!(ReversePath::try_from("<Postmaster>").is_err());
        assert!(ReversePath::parse(b"a@b", &STRICT).is_err());
        let lenient = ParseOptions::strict().with_missing_brackets(true);
        assert_eq!(
            ReversePath::parse(b"a@b", &lenient),
            ReversePath::try_from("<a@b>")
        );
    }

    #[test]
    fn path_length_limit() {
        let local = "l".repeat(64);
        let domain_of = |n: usize| format!("{}.c", "d".repeat(n - 2));
        let at_limit = format!("<{local}@{}>", domain_of(189));
        assert_eq!(at_limit.len(), 256);
        assert!(Path::try_from(at_limit.as_str()).is_ok());
        let over = format!("<{local}@{}>", domain_of(190));
        assert_eq!(
            Path::try_from(over.as_str()),
            Err(ParseError::TooLong("path"))
        );
        let lenient = ParseOptions::strict().with_missing_brackets(true);
        let bare_over = format!("{local}@{}", domain_of(190));
        assert_eq!(
            ReversePath::parse(bare_over.as_bytes(), &lenient),
            Err(ParseError::TooLong("path"))
        );
        let local = LocalPart::try_from(local.as_str()).unwrap();
        let long = domain_of(190);
        let long = Domain::try_from(long.as_str()).unwrap();
        assert_eq!(
            Mailbox::new(local, Host::Domain(long)),
            Err(ParseError::TooLong("path"))
        );
    }

    fn round_trip<'a, T: Encode + PartialEq + std::fmt::Debug>(
        value: &T,
        buf: &'a mut Vec<u8>,
        parse: impl FnOnce(&'a [u8]) -> Result<T, ParseError>,
    ) {
        value.encode(buf);
        let reparsed = parse(buf);
        assert_eq!(reparsed.as_ref(), Ok(value));
    }

    proptest! {
        #[test]
        fn host_round_trip(host in strategies::host()) {
            let mut buf = Vec::new();
            round_trip(&host, &mut buf, |b| Host::parse(b, &STRICT));
            let shown = host.to_string();
            prop_assert_eq!(shown.as_bytes(), &buf[..]);
        }

        #[test]
        fn ipv6_text_forms_agree_with_std(ip in any::<u128>()) {
            let ip = Ipv6Addr::from(ip);
            let text = format!("[IPv6:{ip}]");
            prop_assert_eq!(literal(&text), Ok(AddressLiteral::Ipv6(ip)));
        }

        #[test]
        fn mailbox_round_trip(mailbox in strategies::mailbox()) {
            let mut buf = Vec::new();
            round_trip(&mailbox, &mut buf, |b| Mailbox::parse(b, &STRICT));
        }

        #[test]
        fn utf8_mailbox_round_trip(mailbox in strategies::utf8_mailbox()) {
            let mut buf = Vec::new();
            round_trip(&mailbox, &mut buf, |b| Mailbox::parse(b, &UTF8));
        }

        #[test]
        fn reverse_path_round_trip(path in strategies::reverse_path()) {
            let mut buf = Vec::new();
            round_trip(&path, &mut buf, |b| ReversePath::parse(b, &STRICT));
        }

        #[test]
        fn forward_path_round_trip(path in strategies::forward_path()) {
            let mut buf = Vec::new();
            round_trip(&path, &mut buf, |b| ForwardPath::parse(b, &STRICT));
        }

        #[test]
        fn local_part_value_survives_quoting(value in "[ -~]{0,40}") {
            let local = LocalPart::from_value(&value).unwrap();
            prop_assert_eq!(local.value(), value.as_str());
        }

        #[test]
        fn arbitrary_paths_never_panic(input in prop::collection::vec(any::<u8>(), 0..80)) {
            let lenient = ParseOptions::lenient().with_smtputf8(true);
            let _ = ForwardPath::parse(&input, &lenient);
            let _ = ReversePath::parse(&input, &STRICT);
        }
    }
}
