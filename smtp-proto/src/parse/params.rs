//! The MAIL/RCPT parameter grammar: `esmtp-param` (RFC 5321 §4.1.2) and the
//! value of every parameter this crate types.
//!
//! The command grammar hands over everything after the path's `>`; this
//! module splits it into parameters, dispatches on the keyword
//! (case-insensitive) and runs the value's own rule on the whole value.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, tag_no_case},
    character::complete::one_of,
    combinator::{map, opt, recognize, value},
    error::{Error, ErrorKind},
    sequence::preceded,
};

use crate::{
    chars::{ATEXT, DIGIT, ESMTP_KEYWORD, ESMTP_VALUE, LET_DIG, span},
    error::ParseError,
    options::ParseOptions,
    parse::{
        address::Source,
        command::strip_prefix_no_case,
        xtext::{utf_8_addr_unitext, xtext},
    },
    swar,
    types::{
        params::{
            AuthParam, Body, By, ByMode, DateTime, EnvId, EsmtpKeyword, EsmtpValue, Hold,
            MailParams, MtPriority, Notify, Orcpt, OtherParam, RcptParams, Ret, Rrvs, RrvsMode,
        },
        xtext::XText,
    },
};

fn fail<T>(input: &[u8]) -> IResult<&[u8], T> {
    Err(nom::Err::Error(Error::new(input, ErrorKind::Verify)))
}

/// `Mail-parameters = esmtp-param *(SP esmtp-param)` (RFC 5321 §4.1.2), given
/// everything after the reverse path: empty, or SP and the parameters.
///
/// Unknown parameters (and RCPT parameters) land in [`MailParams::other`].
pub fn mail_parameters<'a>(
    rest: &'a [u8],
    opts: &ParseOptions,
) -> Result<MailParams<'a>, ParseError> {
    mail_parameters_of(rest, opts, Source::of(rest))
}

/// [`mail_parameters`] with tokens sliced from `src`, the command's
/// arguments checked to be UTF-8 once.
#[inline]
pub(crate) fn mail_parameters_of<'a>(
    rest: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> Result<MailParams<'a>, ParseError> {
    let mut params = MailParams::default();
    esmtp_params(rest, opts, src, |key, keyword, value| {
        match key {
            SIZE_KEY => {
                let v = typed(params.size.is_some(), "SIZE", value, |v| {
                    size_value(v.bytes)
                })?;
                params.size = Some(v);
            }
            BODY_KEY => {
                let v = typed(params.body.is_some(), "BODY", value, |v| {
                    body_value(v.bytes)
                })?;
                params.body = Some(v);
            }
            SMTPUTF8_KEY => {
                flag(params.smtputf8, "SMTPUTF8", value)?;
                params.smtputf8 = true;
            }
            RET_KEY => {
                let v = typed(params.rare().ret.is_some(), "RET", value, |v| {
                    ret_value(v.bytes)
                })?;
                params.rare_mut().ret = Some(v);
            }
            ENVID_KEY => {
                let v = typed(params.rare().envid.is_some(), "ENVID", value, |v| {
                    envid_value(v.text()?)
                })?;
                params.rare_mut().envid = Some(v);
            }
            AUTH_KEY => {
                let v = typed(params.rare().auth.is_some(), "AUTH", value, |v| {
                    auth_value(v.text()?)
                })?;
                params.rare_mut().auth = Some(v);
            }
            REQUIRETLS_KEY => {
                flag(params.rare().requiretls, "REQUIRETLS", value)?;
                params.rare_mut().requiretls = true;
            }
            MT_PRIORITY_KEY => {
                let seen = params.rare().mt_priority.is_some();
                let v = typed(seen, "MT-PRIORITY", value, |v| priority_value(v.bytes))?;
                params.rare_mut().mt_priority = Some(v);
            }
            HOLDFOR_KEY => {
                hold_once(&params.rare().hold, "HOLDFOR")?;
                let v = typed(false, "HOLDFOR", value, |v| future_release_integer(v.bytes))?;
                params.rare_mut().hold = Some(Hold::For(v));
            }
            HOLDUNTIL_KEY => {
                hold_once(&params.rare().hold, "HOLDUNTIL")?;
                let v = typed(false, "HOLDUNTIL", value, |v| {
                    future_release_date_time(v.text()?)
                })?;
                params.rare_mut().hold = Some(Hold::Until(v));
            }
            BY_KEY => {
                let v = typed(params.rare().by.is_some(), "BY", value, |v| {
                    by_value(v.bytes)
                })?;
                params.rare_mut().by = Some(v);
            }
            _ => params.rare_mut().other.push(other(keyword, value)?),
        }
        Ok(())
    })?;
    Ok(params)
}

/// `Rcpt-parameters = esmtp-param *(SP esmtp-param)` (RFC 5321 §4.1.2), given
/// everything after the forward path: empty, or SP and the parameters.
///
/// Unknown parameters (and MAIL parameters) land in [`RcptParams::other`].
pub fn rcpt_parameters<'a>(
    rest: &'a [u8],
    opts: &ParseOptions,
) -> Result<RcptParams<'a>, ParseError> {
    rcpt_parameters_of(rest, opts, Source::of(rest))
}

/// [`rcpt_parameters`] with tokens sliced from `src`, the command's
/// arguments checked to be UTF-8 once.
#[inline]
pub(crate) fn rcpt_parameters_of<'a>(
    rest: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
) -> Result<RcptParams<'a>, ParseError> {
    let mut params = RcptParams::default();
    esmtp_params(rest, opts, src, |key, keyword, value| {
        match key {
            NOTIFY_KEY => {
                let v = typed(params.notify.is_some(), "NOTIFY", value, |v| {
                    notify_esmtp_value(v.bytes)
                })?;
                params.notify = Some(v);
            }
            ORCPT_KEY => {
                let v = typed(params.orcpt.is_some(), "ORCPT", value, |v| {
                    original_recipient_address(v.text()?)
                })?;
                params.orcpt = Some(v);
            }
            RRVS_KEY => {
                let v = typed(params.rare().rrvs.is_some(), "RRVS", value, |v| {
                    rrvs_value(v.text()?)
                })?;
                params.rare_mut().rrvs = Some(v);
            }
            _ => params.rare_mut().other.push(other(keyword, value)?),
        }
        Ok(())
    })?;
    Ok(params)
}

/// Splits `SP esmtp-param *(SP esmtp-param)` and hands each keyword and value
/// to `each`. Values are checked against `esmtp-value` here, so the typed
/// rules only ever see printable ASCII (or UTF-8 under SMTPUTF8).
#[inline]
fn esmtp_params<'a>(
    rest: &'a [u8],
    opts: &ParseOptions,
    src: Source<'a>,
    mut each: impl FnMut(u128, Token<'a>, Option<Token<'a>>) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let mut rest = if opts.trailing_whitespace {
        let keep = rest
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |i| i + 1);
        rest.get(..keep).unwrap_or_default()
    } else {
        rest
    };
    while !rest.is_empty() {
        let Some(param) = rest.strip_prefix(b" ") else {
            return Err(ParseError::InvalidArguments(
                "expected SP before a parameter",
            ));
        };
        let Some((key, keyword, value, after)) = esmtp_param(param) else {
            return Err(unexpected(param, opts));
        };
        if !matches!(after.first(), None | Some(b' ')) {
            return Err(unexpected(after, opts));
        }
        // The keyword is ASCII by its byte class; a value that is not is
        // checked here (before its rule, so the error is the same whatever
        // the keyword), an ASCII one needs no check to become text.
        let keyword = Token {
            bytes: keyword,
            src,
        };
        let value = match value {
            Some(v) if !src.is_ascii() && !v.is_ascii() => {
                if !opts.smtputf8 {
                    return Err(ParseError::NonAscii);
                }
                if src.slice(v).is_none() {
                    std::str::from_utf8(v).map_err(|_| ParseError::InvalidArguments("UTF-8"))?;
                }
                Some(Token { bytes: v, src })
            }
            Some(v) => Some(Token { bytes: v, src }),
            None => None,
        };
        each(key, keyword, value)?;
        rest = after;
    }
    Ok(())
}

/// The error for a byte that cannot start or continue a parameter.
fn unexpected(at: &[u8], opts: &ParseOptions) -> ParseError {
    match at.first() {
        Some(&b) if b >= 0x80 && !opts.smtputf8 => ParseError::NonAscii,
        Some(b' ') | None => ParseError::InvalidArguments("empty parameter"),
        _ => ParseError::InvalidArguments("esmtp-param"),
    }
}

/// `esmtp-value` octets (see [`esmtp_value`]) with every octet above 127.
const ESMTP_VALUE_OR_8BIT: [bool; 256] = {
    let mut table = ESMTP_VALUE;
    let mut b = 0x80;
    while b < 256 {
        table[b] = true;
        b += 1;
    }
    table
};

/// A parameter's folded keyword (see [`folded_keyword`]), its keyword,
/// its value if any, and the bytes after it.
type ScannedParam<'a> = (u128, &'a [u8], Option<&'a [u8]>, &'a [u8]);

/// `esmtp-param = esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2): the
/// keyword, the value if any and the rest. `None` when no keyword starts
/// `input` or `=` has no value after it.
#[inline]
fn esmtp_param(input: &[u8]) -> Option<ScannedParam<'_>> {
    let (key, len) = esmtp_keyword_folded(input)?;
    let (keyword, rest) = input.split_at_checked(len)?;
    match rest.split_first() {
        Some((b'=', after)) => {
            let (rest, value) = esmtp_value(after).ok()?;
            Some((key, keyword, Some(value), rest))
        }
        _ => Some((key, keyword, None, rest)),
    }
}

/// Longest keyword [`folded_keyword`] tells apart: every known one is shorter.
const MAX_FOLDED_KEYWORD: usize = 16;

/// A keyword of `esmtp-keyword` octets as one number: each octet with bit
/// 5 cleared, the first in the highest byte used. Within that class the
/// fold is exact (letters to upper case, digits to 0x10-0x19, `-` to 0x0D,
/// never 0), so keywords equal ignoring case, and only they, fold alike;
/// a known keyword is then one integer compare. Longer keywords than
/// [`MAX_FOLDED_KEYWORD`] fold to 0, which no known keyword is.
const fn folded_keyword(keyword: &[u8]) -> u128 {
    if keyword.len() > MAX_FOLDED_KEYWORD {
        return 0;
    }
    let mut key = 0u128;
    let mut i = 0;
    while i < keyword.len() {
        key = (key << 8) | (keyword[i] & !0x20) as u128;
        i += 1;
    }
    key
}

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321
/// §4.1.2), scanned and folded (see [`folded_keyword`]) in one pass: the
/// folded keyword and its length, `None` when no keyword starts `input`.
#[inline]
fn esmtp_keyword_folded(input: &[u8]) -> Option<(u128, usize)> {
    match input.first() {
        Some(&first) if LET_DIG[first as usize] => {}
        _ => return None,
    }
    let mut key = 0u128;
    let mut len = 0;
    while let Some(&b) = input.get(len) {
        if !ESMTP_KEYWORD[b as usize] {
            break;
        }
        key = (key << 8) | u128::from(b & !0x20);
        len += 1;
    }
    if len > MAX_FOLDED_KEYWORD {
        key = 0;
    }
    Some((key, len))
}

const SIZE_KEY: u128 = folded_keyword(b"SIZE");
const BODY_KEY: u128 = folded_keyword(b"BODY");
const SMTPUTF8_KEY: u128 = folded_keyword(b"SMTPUTF8");
const RET_KEY: u128 = folded_keyword(b"RET");
const ENVID_KEY: u128 = folded_keyword(b"ENVID");
const AUTH_KEY: u128 = folded_keyword(b"AUTH");
const REQUIRETLS_KEY: u128 = folded_keyword(b"REQUIRETLS");
const MT_PRIORITY_KEY: u128 = folded_keyword(b"MT-PRIORITY");
const HOLDFOR_KEY: u128 = folded_keyword(b"HOLDFOR");
const HOLDUNTIL_KEY: u128 = folded_keyword(b"HOLDUNTIL");
const BY_KEY: u128 = folded_keyword(b"BY");
const NOTIFY_KEY: u128 = folded_keyword(b"NOTIFY");
const ORCPT_KEY: u128 = folded_keyword(b"ORCPT");
const RRVS_KEY: u128 = folded_keyword(b"RRVS");

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.2).
#[inline]
pub(crate) fn esmtp_keyword(input: &[u8]) -> IResult<&[u8], &[u8]> {
    match input.first() {
        Some(&b) if LET_DIG[b as usize] => {
            let len = 1 + span(&ESMTP_KEYWORD, input.get(1..).unwrap_or_default());
            let (keyword, rest) = input.split_at_checked(len).unwrap_or((input, &[]));
            Ok((rest, keyword))
        }
        _ => fail(input),
    }
}

/// `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2) and
/// `esmtp-value =/ UTF8-non-ascii` (RFC 6531 §3.3): any octet above 127 is
/// taken here; whether it may be there, and is UTF-8, is checked by the caller.
#[inline]
fn esmtp_value(input: &[u8]) -> IResult<&[u8], &[u8]> {
    // Values run to 100 octets and more (ENVID, AUTH=, ORCPT): a word at a
    // time. The class is "not a control, SP, `=` or DEL".
    let len = swar::span_until(
        input,
        |w| swar::bytes_below(w, 33) | swar::bytes_equal(w, b'=') | swar::bytes_equal(w, 0x7f),
        |b| !ESMTP_VALUE_OR_8BIT[b as usize],
    );
    if len == 0 {
        return fail(input);
    }
    let (value, rest) = input.split_at_checked(len).unwrap_or((input, &[]));
    Ok((rest, value))
}

/// Runs a known parameter's value rule on its whole value.
#[inline]
fn typed<'a, T>(
    seen: bool,
    name: &'static str,
    value: Option<Token<'a>>,
    mut rule: impl FnMut(Token<'a>) -> Result<T, ()>,
) -> Result<T, ParseError> {
    if seen {
        return Err(ParseError::DuplicateParameter(name));
    }
    value
        .and_then(|v| rule(v).ok())
        .ok_or(ParseError::InvalidParameter(name))
}

/// A known parameter that takes no value.
fn flag(seen: bool, name: &'static str, value: Option<Token<'_>>) -> Result<(), ParseError> {
    if seen {
        Err(ParseError::DuplicateParameter(name))
    } else if value.is_some() {
        Err(ParseError::InvalidParameter(name))
    } else {
        Ok(())
    }
}

/// HOLDFOR and HOLDUNTIL share one slot: a second of either is a duplicate,
/// one of each is a contradiction (RFC 4865 §3).
fn hold_once(hold: &Option<Hold<'_>>, name: &'static str) -> Result<(), ParseError> {
    match (hold, name) {
        (None, _) => Ok(()),
        (Some(Hold::For(_)), "HOLDFOR") | (Some(Hold::Until(_)), "HOLDUNTIL") => {
            Err(ParseError::DuplicateParameter(name))
        }
        _ => Err(ParseError::InvalidArguments(
            "HOLDFOR and HOLDUNTIL exclude each other",
        )),
    }
}

fn other<'a>(keyword: Token<'a>, value: Option<Token<'a>>) -> Result<OtherParam<'a>, ParseError> {
    let keyword = keyword
        .text()
        .map_err(|()| ParseError::InvalidArguments("esmtp-keyword"))?;
    let value = match value {
        Some(v) => Some(
            v.text()
                .map_err(|()| ParseError::InvalidArguments("esmtp-value"))?,
        ),
        None => None,
    };
    Ok(OtherParam {
        keyword: EsmtpKeyword::new_unchecked(keyword),
        value: value.map(EsmtpValue::new_unchecked),
    })
}

/// A parameter's keyword or value as sent, made text only when its rule
/// needs text: SIZE, BODY and NOTIFY never do, and on short tokens the
/// slicing costs as much as their rule. A token is ASCII, or its UTF-8
/// was checked when it was scanned, so `text` does not fail.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    bytes: &'a [u8],
    src: Source<'a>,
}

impl<'a> Token<'a> {
    /// The token as a slice of the arguments' checked text.
    fn text(self) -> Result<&'a str, ()> {
        match self.src.slice(self.bytes) {
            Some(text) => Ok(text),
            None => std::str::from_utf8(self.bytes).map_err(|_| ()),
        }
    }
}

/// Runs a nom rule that must consume all of `value`.
fn whole<'a, T>(
    value: &'a [u8],
    mut rule: impl Parser<&'a [u8], Output = T, Error = Error<&'a [u8]>>,
) -> Result<T, ()> {
    match rule.parse(value) {
        Ok(([], out)) => Ok(out),
        _ => Err(()),
    }
}

/// The value of a run of ASCII digits; `None` when it overflows a `u64`.
fn decimal(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// `1*DIGIT` with at most `max` digits, as a number.
fn digits_up_to(max: usize) -> impl Fn(&[u8]) -> IResult<&[u8], u64> {
    move |input: &[u8]| {
        let len = span(&DIGIT, input);
        if len == 0 || len > max {
            return fail(input);
        }
        let (digits, rest) = input.split_at(len);
        match decimal(digits) {
            Some(n) => Ok((rest, n)),
            None => fail(input),
        }
    }
}

/// `size-value ::= 1*20DIGIT` (RFC 1870 §3); a value beyond `u64` is refused.
#[inline]
fn size_value(value: &[u8]) -> Result<u64, ()> {
    // Up to 19 digits cannot overflow: one pass that checks and adds.
    if value.is_empty() || value.len() > 19 {
        return whole(value, digits_up_to(20));
    }
    value.iter().try_fold(0u64, |acc, &b| {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            Ok(acc * 10 + u64::from(digit))
        } else {
            Err(())
        }
    })
}

/// `body-value ::= "7BIT" / "8BITMIME" / "BINARYMIME"` (RFC 6152 §2, RFC 3030 §3).
#[inline]
fn body_value(value: &[u8]) -> Result<Body, ()> {
    if eq_no_case(value, b"8BITMIME") {
        Ok(Body::EightBitMime)
    } else if eq_no_case(value, b"7BIT") {
        Ok(Body::SevenBit)
    } else if eq_no_case(value, b"BINARYMIME") {
        Ok(Body::BinaryMime)
    } else {
        Err(())
    }
}

/// `value` is `upper` (given in upper case) ignoring the case of letters:
/// unrolled for the constant `upper`, see [`strip_prefix_no_case`].
#[inline(always)]
fn eq_no_case<const N: usize>(value: &[u8], upper: &[u8; N]) -> bool {
    strip_prefix_no_case(value, upper).is_some_and(<[u8]>::is_empty)
}

/// `ret-value = "FULL" / "HDRS"` (RFC 3461 §4.3).
fn ret_value(value: &[u8]) -> Result<Ret, ()> {
    if value.eq_ignore_ascii_case(b"FULL") {
        Ok(Ret::Full)
    } else if value.eq_ignore_ascii_case(b"HDRS") {
        Ok(Ret::Hdrs)
    } else {
        Err(())
    }
}

/// `envid-parameter = "ENVID=" xtext` (RFC 3461 §4.4), at most 100 characters.
fn envid_value(value: &str) -> Result<EnvId<'_>, ()> {
    whole(value.as_bytes(), xtext)?;
    EnvId::new(XText::new_unchecked(value)).map_err(|_| ())
}

/// `auth-param = "AUTH=" ("<>" / xtext)` (RFC 4954 §5): the xtext-encoded
/// `addr-spec` of the submitter, or `<>`.
fn auth_value(value: &str) -> Result<AuthParam<'_>, ()> {
    if value == "<>" {
        return Ok(AuthParam::empty());
    }
    whole(value.as_bytes(), xtext)?;
    AuthParam::mailbox(XText::new_unchecked(value)).map_err(|_| ())
}

/// `priority-value = [ "-" / "+" ] DIGIT` (RFC 6710 §3): -9 to 9.
fn priority_value(value: &[u8]) -> Result<MtPriority, ()> {
    let (sign, digit) = whole(value, (opt(one_of("+-")), one_of("0123456789")))?;
    let magnitude = (digit as u8 - b'0') as i8;
    let priority = if sign == Some('-') {
        -magnitude
    } else {
        magnitude
    };
    MtPriority::new(priority).map_err(|_| ())
}

/// `future-release-interval = future-release-integer` (RFC 4865 §3): the
/// seconds to hold the message. RFC 4865 leaves the integer unbounded; this
/// crate takes what fits a `u32` (over 136 years), so every [`Hold::For`]
/// round trips.
fn future_release_integer(value: &[u8]) -> Result<u32, ()> {
    let seconds = whole(value, digits_up_to(10))?;
    u32::try_from(seconds).map_err(|_| ())
}

/// `future-release-date-time = date-time` (RFC 4865 §3 as corrected by its
/// erratum 2040, `date-time` of RFC 3339 §5.6).
fn future_release_date_time(value: &str) -> Result<DateTime<'_>, ()> {
    whole(value.as_bytes(), date_time)?;
    Ok(DateTime::new_unchecked(value))
}

/// `by-value = by-time ";" by-mode [by-trace]` (RFC 2852 §4), with a
/// `by-time` that must be positive for mode `R`.
fn by_value(value: &[u8]) -> Result<By, ()> {
    let (time, _, mode, trace) = whole(value, (by_time, tag(&b";"[..]), by_mode, by_trace))?;
    By::new(time, mode, trace).map_err(|_| ())
}

/// `by-time = ["-" / "+"] 1*9digit` (RFC 2852 §4).
fn by_time(input: &[u8]) -> IResult<&[u8], i32> {
    let (rest, (sign, magnitude)) = (opt(one_of("+-")), digits_up_to(9)).parse(input)?;
    // Nine digits always fit an i32.
    let magnitude = i32::try_from(magnitude).unwrap_or(i32::MAX);
    let time = if sign == Some('-') {
        -magnitude
    } else {
        magnitude
    };
    Ok((rest, time))
}

/// `by-mode = "N" / "R"` (RFC 2852 §4).
fn by_mode(input: &[u8]) -> IResult<&[u8], ByMode> {
    alt((
        value(ByMode::Notify, tag_no_case(&b"N"[..])),
        value(ByMode::Return, tag_no_case(&b"R"[..])),
    ))
    .parse(input)
}

/// `by-trace = "T"` (RFC 2852 §4), optional.
fn by_trace(input: &[u8]) -> IResult<&[u8], bool> {
    map(opt(tag_no_case(&b"T"[..])), |t| t.is_some()).parse(input)
}

/// `notify-esmtp-value = "NEVER" / 1#notify-list-element` with
/// `notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"` (RFC 3461 §4.1):
/// NEVER only alone, no element twice.
#[inline]
fn notify_esmtp_value(value: &[u8]) -> Result<Notify, ()> {
    if eq_no_case(value, b"NEVER") {
        return Ok(Notify::NEVER);
    }
    let mut notify = Notify::NEVER;
    // Split as bytes: `str::split` with a `char` costs more than the value.
    for element in value.split(|&b| b == b',') {
        let slot = if eq_no_case(element, b"SUCCESS") {
            &mut notify.success
        } else if eq_no_case(element, b"FAILURE") {
            &mut notify.failure
        } else if eq_no_case(element, b"DELAY") {
            &mut notify.delay
        } else {
            return Err(());
        };
        if std::mem::replace(slot, true) {
            return Err(());
        }
    }
    Ok(notify)
}

/// `original-recipient-address = addr-type ";" xtext` with `addr-type = atom`
/// (RFC 3461 §4.2), and for `addr-type` `utf-8`:
/// `utf-8-enc-addr = utf-8-addr-xtext / utf-8-addr-unitext` (RFC 6533 §3).
#[inline]
fn original_recipient_address(value: &str) -> Result<Orcpt<'_>, ()> {
    let semicolon = value.bytes().position(|b| b == b';').ok_or(())?;
    let (addr_type, address) = (
        value.get(..semicolon).ok_or(())?,
        value.get(semicolon + 1..).ok_or(())?,
    );
    whole(addr_type.as_bytes(), addr_type_atom)?;
    if addr_type.eq_ignore_ascii_case("utf-8") {
        whole(address.as_bytes(), utf_8_addr_unitext)?;
    } else {
        whole(address.as_bytes(), xtext)?;
    }
    Ok(Orcpt::new_unchecked(value))
}

/// `addr-type = atom` (RFC 3461 §4.2), i.e. `1*atext` (RFC 5322 §3.2.3).
fn addr_type_atom(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let len = span(&ATEXT, input);
    if len == 0 {
        return fail(input);
    }
    let (atom, rest) = input.split_at(len);
    Ok((rest, atom))
}

/// `rrvs-param = "RRVS=" date-time [ ";" ( "C" / "R" ) ]` (RFC 7293 §3.1).
fn rrvs_value(value: &str) -> Result<Rrvs<'_>, ()> {
    let (time, mode) = whole(
        value.as_bytes(),
        (
            recognize(date_time),
            opt(preceded(
                tag(&b";"[..]),
                alt((
                    value_of(RrvsMode::Continue, b"C"),
                    value_of(RrvsMode::Reject, b"R"),
                )),
            )),
        ),
    )?;
    let time = std::str::from_utf8(time).map_err(|_| ())?;
    Ok(Rrvs {
        time: DateTime::new_unchecked(time),
        mode,
    })
}

fn value_of<'a, T: Clone>(
    out: T,
    literal: &'static [u8],
) -> impl Parser<&'a [u8], Output = T, Error = Error<&'a [u8]>> {
    value(out, tag_no_case(literal))
}

/// Exactly `N` digits as a number.
fn fixed_digits<const N: usize>(input: &[u8]) -> IResult<&[u8], u32> {
    match input.get(..N) {
        Some(digits) if digits.iter().all(u8::is_ascii_digit) => {
            let n = digits
                .iter()
                .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
            Ok((input.get(N..).unwrap_or_default(), n))
        }
        _ => fail(input),
    }
}

/// A fixed-width number within `lo..=hi`.
fn ranged<const N: usize>(lo: u32, hi: u32) -> impl Fn(&[u8]) -> IResult<&[u8], u32> {
    move |input: &[u8]| {
        let (rest, n) = fixed_digits::<N>(input)?;
        if (lo..=hi).contains(&n) {
            Ok((rest, n))
        } else {
            fail(input)
        }
    }
}

/// `date-time = full-date "T" full-time` (RFC 3339 §5.6; "T" and "Z" may be
/// lower case, as §5.6 allows).
pub(crate) fn date_time(input: &[u8]) -> IResult<&[u8], ()> {
    let (rest, _) = (full_date, tag_no_case(&b"T"[..]), full_time).parse(input)?;
    Ok((rest, ()))
}

/// `full-date = date-fullyear "-" date-month "-" date-mday` with
/// `date-mday = 2DIGIT ; 01-28, 01-29, 01-30, 01-31 based on month/year`
/// (RFC 3339 §5.6).
fn full_date(input: &[u8]) -> IResult<&[u8], ()> {
    let (rest, (year, _, month, _, day)) = (
        fixed_digits::<4>,
        tag(&b"-"[..]),
        ranged::<2>(1, 12),
        tag(&b"-"[..]),
        ranged::<2>(1, 31),
    )
        .parse(input)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > days {
        return fail(input);
    }
    Ok((rest, ()))
}

/// `full-time = partial-time time-offset` (RFC 3339 §5.6).
fn full_time(input: &[u8]) -> IResult<&[u8], ()> {
    let (rest, _) = (partial_time, time_offset).parse(input)?;
    Ok((rest, ()))
}

/// `partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]`
/// with `time-second` up to 60 for a leap second (RFC 3339 §5.6).
fn partial_time(input: &[u8]) -> IResult<&[u8], ()> {
    let (rest, _) = (
        ranged::<2>(0, 23),
        tag(&b":"[..]),
        ranged::<2>(0, 59),
        tag(&b":"[..]),
        ranged::<2>(0, 60),
        opt(time_secfrac),
    )
        .parse(input)?;
    Ok((rest, ()))
}

/// `time-secfrac = "." 1*DIGIT` (RFC 3339 §5.6).
fn time_secfrac(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let Some(after) = input.strip_prefix(b".") else {
        return fail(input);
    };
    let len = span(&DIGIT, after);
    if len == 0 {
        return fail(input);
    }
    let (fraction, rest) = input.split_at(len + 1);
    Ok((rest, fraction))
}

/// `time-offset = "Z" / time-numoffset` with
/// `time-numoffset = ("+" / "-") time-hour ":" time-minute` (RFC 3339 §5.6).
fn time_offset(input: &[u8]) -> IResult<&[u8], ()> {
    alt((
        value((), tag_no_case(&b"Z"[..])),
        value(
            (),
            (
                one_of("+-"),
                ranged::<2>(0, 23),
                tag(&b":"[..]),
                ranged::<2>(0, 59),
            ),
        ),
    ))
    .parse(input)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::encode::Encode;
    use crate::types::{
        params::{OrcptAddress, RareMailParams, RareRcptParams},
        xtext::Utf8AddrText,
    };
    use proptest::prelude::*;

    const STRICT: ParseOptions = ParseOptions::strict();

    fn mail(input: &str) -> Result<MailParams<'_>, ParseError> {
        mail_parameters(input.as_bytes(), &STRICT)
    }

    fn rcpt(input: &str) -> Result<RcptParams<'_>, ParseError> {
        rcpt_parameters(input.as_bytes(), &STRICT)
    }

    fn wire(value: &impl Encode) -> String {
        String::from_utf8(value.to_bytes()).unwrap()
    }

    #[test]
    fn no_parameters() {
        let p = mail("").unwrap();
        assert!(p.is_empty());
        assert_eq!(wire(&p), "");
        assert!(rcpt("").unwrap().is_empty());
    }

    #[test]
    fn every_mail_parameter() {
        let line = " SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 \
                    AUTH=e+3Dmc2@example.com REQUIRETLS MT-PRIORITY=-3 HOLDFOR=60 BY=120;RT";
        let p = mail(line).unwrap();
        assert_eq!(p.size, Some(1000));
        assert_eq!(p.body, Some(Body::EightBitMime));
        assert!(p.smtputf8 && p.requiretls());
        assert_eq!(p.ret(), Some(Ret::Hdrs));
        assert_eq!(p.envid().as_ref().unwrap().xtext().as_str(), "QQ314159");
        let auth = p.auth().as_ref().unwrap().as_mailbox().unwrap();
        assert_eq!(auth.decode_str().unwrap(), "e=mc2@example.com");
        assert_eq!(p.mt_priority().unwrap().get(), -3);
        assert_eq!(p.hold(), Some(&Hold::For(60)));
        let by = p.by().unwrap();
        assert_eq!(
            (by.time(), by.mode(), by.trace()),
            (120, ByMode::Return, true)
        );
        assert!(p.other().is_empty() && p.rare().other.capacity() == 0);
        assert!(!p.is_empty());
        assert_eq!(wire(&p), line);
        assert_eq!(p.clone().into_owned(), p);
    }

    #[test]
    fn keywords_and_values_are_case_insensitive() {
        let p = mail(" size=10 Body=7bit ret=full smtpUTF8 mt-priority=+4 by=5;nt").unwrap();
        assert_eq!(p.size, Some(10));
        assert_eq!(p.body, Some(Body::SevenBit));
        assert_eq!(p.ret(), Some(Ret::Full));
        assert!(p.smtputf8);
        assert_eq!(p.mt_priority().unwrap().get(), 4);
        assert_eq!(p.by().unwrap().mode(), ByMode::Notify);
        assert_eq!(
            wire(&p),
            " SIZE=10 BODY=7BIT SMTPUTF8 RET=FULL MT-PRIORITY=4 BY=5;NT"
        );
        let r = rcpt(" notify=success,Delay orcpt=RFC822;a@b").unwrap();
        assert_eq!(
            r.notify,
            Some(Notify {
                success: true,
                failure: false,
                delay: true
            })
        );
        assert!(r.orcpt.unwrap().is_rfc822());
    }

    #[test]
    fn size_values() {
        assert_eq!(mail(" SIZE=0").unwrap().size, Some(0));
        assert_eq!(
            mail(" SIZE=18446744073709551615").unwrap().size,
            Some(u64::MAX)
        );
        for bad in [
            " SIZE=18446744073709551616",
            " SIZE=000000000000000000001",
            " SIZE=-1",
            " SIZE=1x",
            " SIZE",
        ] {
            assert_eq!(
                mail(bad),
                Err(ParseError::InvalidParameter("SIZE")),
                "{bad}"
            );
        }
        assert!(matches!(
            mail(" SIZE="),
            Err(ParseError::InvalidArguments(_))
        ));
    }

    #[test]
    fn body_ret_and_flags() {
        assert_eq!(
            mail(" BODY=BINARYMIME").unwrap().body,
            Some(Body::BinaryMime)
        );
        assert_eq!(
            mail(" BODY=9BIT"),
            Err(ParseError::InvalidParameter("BODY"))
        );
        assert_eq!(
            mail(" BODY=8BITMIMEX"),
            Err(ParseError::InvalidParameter("BODY"))
        );
        assert_eq!(mail(" RET=NONE"), Err(ParseError::InvalidParameter("RET")));
        assert_eq!(mail(" RET"), Err(ParseError::InvalidParameter("RET")));
        assert_eq!(
            mail(" SMTPUTF8=YES"),
            Err(ParseError::InvalidParameter("SMTPUTF8"))
        );
        assert_eq!(
            mail(" REQUIRETLS=1"),
            Err(ParseError::InvalidParameter("REQUIRETLS"))
        );
    }

    #[test]
    fn envid_values() {
        let max = format!(" ENVID={}", "x".repeat(100));
        assert_eq!(
            mail(&max).unwrap().envid().unwrap().xtext().as_str().len(),
            100
        );
        let over = format!(" ENVID={}", "x".repeat(101));
        assert_eq!(mail(&over), Err(ParseError::InvalidParameter("ENVID")));
        assert_eq!(
            mail(" ENVID=a+2b"),
            Err(ParseError::InvalidParameter("ENVID"))
        );
        assert_eq!(
            mail(" ENVID=a+"),
            Err(ParseError::InvalidParameter("ENVID"))
        );
        let p = mail(" ENVID=a+2Bb").unwrap();
        assert_eq!(p.envid().unwrap().xtext().decode().as_ref(), b"a+b");
    }

    #[test]
    fn auth_values() {
        let p = mail(" AUTH=<>").unwrap();
        assert!(p.auth().as_ref().unwrap().is_empty());
        assert_eq!(wire(&p), " AUTH=<>");
        let p = mail(" AUTH=a+2Bb@c").unwrap();
        let mailbox = p.auth().as_ref().unwrap().as_mailbox().unwrap();
        assert_eq!(mailbox.decode().as_ref(), b"a+b@c");
        assert_eq!(
            mail(" AUTH=a+2bb@c"),
            Err(ParseError::InvalidParameter("AUTH"))
        );
        assert_eq!(mail(" AUTH"), Err(ParseError::InvalidParameter("AUTH")));
    }

    #[test]
    fn mt_priority_range() {
        for (text, n) in [
            ("-9", -9),
            ("9", 9),
            ("+9", 9),
            ("0", 0),
            ("-0", 0),
            ("+1", 1),
        ] {
            let line = format!(" MT-PRIORITY={text}");
            let p = mail(&line).unwrap();
            assert_eq!(p.mt_priority().unwrap().get(), n, "{text}");
        }
        for bad in ["10", "-10", "++1", "+", "a", "1.0", "09"] {
            assert_eq!(
                mail(&format!(" MT-PRIORITY={bad}")),
                Err(ParseError::InvalidParameter("MT-PRIORITY")),
                "{bad}"
            );
        }
        assert!(MtPriority::new(10).is_err() && MtPriority::new(-10).is_err());
    }

    #[test]
    fn hold_values() {
        let p = mail(" HOLDUNTIL=2024-02-29T12:00:00Z").unwrap();
        assert_eq!(
            p.hold(),
            Some(&Hold::Until(
                DateTime::try_from("2024-02-29T12:00:00Z").unwrap()
            ))
        );
        assert!(mail(" HOLDUNTIL=2000-02-29t23:59:60.123-05:30").is_ok());
        assert_eq!(
            mail(" HOLDFOR=4294967295").unwrap().hold(),
            Some(&Hold::For(u32::MAX))
        );
        for bad in [
            " HOLDUNTIL=2023-02-29T12:00:00Z",
            " HOLDUNTIL=1900-02-29T12:00:00Z",
            " HOLDUNTIL=2024-04-31T12:00:00Z",
            " HOLDUNTIL=2024-13-01T12:00:00Z",
            " HOLDUNTIL=2024-01-01T24:00:00Z",
            " HOLDUNTIL=2024-01-01T12:60:00Z",
            " HOLDUNTIL=2024-01-01T12:00:61Z",
            " HOLDUNTIL=2024-01-01T12:00:00",
            " HOLDUNTIL=2024-01-01T12:00:00.Z",
            " HOLDUNTIL=2024-01-01T12:00:00+0530",
            " HOLDUNTIL=2024-01-01 ",
        ] {
            assert_eq!(
                mail(bad),
                Err(ParseError::InvalidParameter("HOLDUNTIL")),
                "{bad}"
            );
        }
        for bad in [" HOLDFOR=4294967296", " HOLDFOR=00000000001", " HOLDFOR=1s"] {
            assert_eq!(
                mail(bad),
                Err(ParseError::InvalidParameter("HOLDFOR")),
                "{bad}"
            );
        }
        assert_eq!(
            mail(" HOLDFOR=-1"),
            Err(ParseError::InvalidParameter("HOLDFOR"))
        );
        assert_eq!(
            mail(" HOLDFOR=1 HOLDFOR=2"),
            Err(ParseError::DuplicateParameter("HOLDFOR"))
        );
        assert!(matches!(
            mail(" HOLDFOR=1 HOLDUNTIL=2024-01-01T00:00:00Z"),
            Err(ParseError::InvalidArguments(_))
        ));
        assert!(matches!(
            mail(" HOLDUNTIL=2024-01-01T00:00:00Z HOLDFOR=1"),
            Err(ParseError::InvalidArguments(_))
        ));
    }

    #[test]
    fn by_forms() {
        for (text, time, mode, trace) in [
            ("120;R", 120, ByMode::Return, false),
            ("120;RT", 120, ByMode::Return, true),
            ("-10;N", -10, ByMode::Notify, false),
            ("+5;NT", 5, ByMode::Notify, true),
            ("0;N", 0, ByMode::Notify, false),
            ("999999999;r", 999_999_999, ByMode::Return, false),
            ("-999999999;nt", -999_999_999, ByMode::Notify, true),
        ] {
            let by = mail(&format!(" BY={text}")).unwrap().by().unwrap();
            assert_eq!(
                (by.time(), by.mode(), by.trace()),
                (time, mode, trace),
                "{text}"
            );
        }
        for bad in [
            "0;R",
            "-5;R",
            "1234567890;N",
            "10;X",
            "10",
            "10;",
            ";N",
            "10;RTT",
            "10;TN",
            "1 0;N",
        ] {
            let line = format!(" BY={bad}");
            let result = mail(&line);
            assert!(
                matches!(
                    result,
                    Err(ParseError::InvalidParameter("BY") | ParseError::InvalidArguments(_))
                ),
                "{bad}: {result:?}"
            );
        }
        assert!(By::new(0, ByMode::Return, false).is_err());
        assert!(By::new(1_000_000_000, ByMode::Notify, false).is_err());
    }

    #[test]
    fn duplicates_are_rejected() {
        for (line, name) in [
            (" SIZE=1 size=2", "SIZE"),
            (" SMTPUTF8 SMTPUTF8", "SMTPUTF8"),
            (" BODY=7BIT BODY=7BIT", "BODY"),
            (" AUTH=<> AUTH=<>", "AUTH"),
            (" REQUIRETLS requiretls", "REQUIRETLS"),
            (" BY=1;N BY=1;N", "BY"),
        ] {
            assert_eq!(
                mail(line),
                Err(ParseError::DuplicateParameter(name)),
                "{line}"
            );
        }
        assert_eq!(
            rcpt(" NOTIFY=NEVER NOTIFY=DELAY"),
            Err(ParseError::DuplicateParameter("NOTIFY"))
        );
        assert_eq!(
            rcpt(" ORCPT=rfc822;a ORCPT=rfc822;a"),
            Err(ParseError::DuplicateParameter("ORCPT"))
        );
    }

    #[test]
    fn unknown_and_misplaced_parameters_are_kept() {
        let p = mail(" X-FOO=bar NOTIFY=NEVER XBAZ SIZE=5").unwrap();
        assert_eq!(p.size, Some(5));
        let kept: Vec<_> = p
            .other()
            .iter()
            .map(|o| (o.keyword.as_str(), o.value.as_ref().map(EsmtpValue::as_str)))
            .collect();
        assert_eq!(
            kept,
            [
                ("X-FOO", Some("bar")),
                ("NOTIFY", Some("NEVER")),
                ("XBAZ", None)
            ]
        );
        assert_eq!(wire(&p), " SIZE=5 X-FOO=bar NOTIFY=NEVER XBAZ");
        let r = rcpt(" SIZE=10 SIZE=10").unwrap();
        assert_eq!(
            r.other().len(),
            2,
            "unknowns are the server's 555, not a duplicate"
        );
        assert_eq!(r.other()[0].keyword.as_str(), "SIZE");
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "SIZE=1",
            "  SIZE=1",
            " SIZE=1  BODY=7BIT",
            " SIZE=1 ",
            " ",
            " -FOO",
            " FOO-=",
            " A=b=c",
            " A==b",
            " A=b\tc",
            " A=\x01",
            " SIZE=1\r\n",
            " A_B",
        ] {
            assert!(
                matches!(mail(bad), Err(ParseError::InvalidArguments(_))),
                "{bad:?}: {:?}",
                mail(bad)
            );
        }
        let lenient = ParseOptions::strict().with_trailing_whitespace(true);
        assert_eq!(
            mail_parameters(b" SIZE=1 \t ", &lenient).unwrap().size,
            Some(1)
        );
        assert!(mail_parameters(b" \t", &lenient).unwrap().is_empty());
        assert!(mail_parameters(b"  SIZE=1", &lenient).is_err());
    }

    #[test]
    fn non_ascii_needs_smtputf8() {
        let utf8 = ParseOptions::strict().with_smtputf8(true);
        assert_eq!(mail(" X=é"), Err(ParseError::NonAscii));
        assert_eq!(mail(" Xé=1"), Err(ParseError::NonAscii));
        assert_eq!(rcpt(" ORCPT=utf-8;jérôme@a"), Err(ParseError::NonAscii));
        let p = mail_parameters(" X=é".as_bytes(), &utf8).unwrap();
        assert_eq!(p.other()[0].value.as_ref().unwrap().as_str(), "é");
        assert_eq!(
            mail_parameters(" ENVID=é".as_bytes(), &utf8),
            Err(ParseError::InvalidParameter("ENVID"))
        );
        assert!(matches!(
            mail_parameters(b" X=\xC3", &utf8),
            Err(ParseError::InvalidArguments(_))
        ));
        assert!(matches!(
            mail_parameters(" Xé=1".as_bytes(), &utf8),
            Err(ParseError::InvalidArguments(_))
        ));
    }

    #[test]
    fn notify_values() {
        assert_eq!(rcpt(" NOTIFY=NEVER").unwrap().notify, Some(Notify::NEVER));
        let n = rcpt(" NOTIFY=FAILURE,SUCCESS").unwrap().notify.unwrap();
        assert_eq!(
            n,
            Notify {
                success: true,
                failure: true,
                delay: false
            }
        );
        assert_eq!(wire(&n), "SUCCESS,FAILURE");
        assert_eq!(wire(&Notify::NEVER), "NEVER");
        for bad in [
            "NEVER,SUCCESS",
            "SUCCESS,NEVER",
            "SUCCESS,SUCCESS",
            "SUCCESS,",
            ",DELAY",
            "SUCCESS,,DELAY",
            "ALWAYS",
        ] {
            assert_eq!(
                rcpt(&format!(" NOTIFY={bad}")),
                Err(ParseError::InvalidParameter("NOTIFY")),
                "{bad}"
            );
        }
    }

    #[test]
    fn orcpt_values() {
        let r = rcpt(" ORCPT=rfc822;a+2Bb@c").unwrap();
        let orcpt = r.orcpt.as_ref().unwrap();
        assert!(orcpt.is_rfc822());
        assert_eq!(orcpt.addr_type(), "rfc822");
        assert_eq!(orcpt.decoded_address().unwrap(), "a+b@c");
        assert_eq!(wire(&r), " ORCPT=rfc822;a+2Bb@c");
        assert_eq!(wire(&Orcpt::rfc822(b"a+b@c")), "rfc822;a+2Bb@c");

        let r = rcpt(" ORCPT=UTF-8;j\\x{E9}r\\x{F4}me@example.com").unwrap();
        let orcpt = r.orcpt.unwrap();
        assert!(matches!(orcpt.address(), OrcptAddress::Utf8(_)));
        assert_eq!(orcpt.decoded_address().unwrap(), "jérôme@example.com");

        let utf8 = ParseOptions::strict().with_smtputf8(true);
        let r = rcpt_parameters(" ORCPT=utf-8;jérôme@example.com".as_bytes(), &utf8).unwrap();
        assert_eq!(
            r.orcpt.unwrap().decoded_address().unwrap(),
            "jérôme@example.com"
        );

        let r = rcpt(" ORCPT=x400;a;b").unwrap();
        assert_eq!(r.orcpt.as_ref().unwrap().addr_type(), "x400");
        assert_eq!(r.orcpt.unwrap().decoded_address().unwrap(), "a;b");
        assert!(rcpt(" ORCPT=rfc822;").is_ok());

        for bad in [
            "rfc822",
            ";a@b",
            "rfc822;a+2bb",
            "rfc822;a+",
            "rf(c;a",
            "utf-8;a+2Bb",
            "utf-8;\\x{41}",
            "utf-8;",
        ] {
            assert_eq!(
                rcpt(&format!(" ORCPT={bad}")),
                Err(ParseError::InvalidParameter("ORCPT")),
                "{bad}"
            );
        }
        let x = XText::try_from("a").unwrap();
        assert!(Orcpt::new("utf-8", OrcptAddress::XText(x.clone())).is_err());
        assert!(Orcpt::new("a=b", OrcptAddress::XText(x.clone())).is_err());
        assert!(Orcpt::new("", OrcptAddress::XText(x.clone())).is_err());
        assert!(Orcpt::new("rfc822", OrcptAddress::XText(x)).is_ok());
        let u = Utf8AddrText::from_address("é@a").unwrap();
        assert!(Orcpt::new("rfc822", OrcptAddress::Utf8(u.clone())).is_err());
        assert_eq!(wire(&Orcpt::utf8(u)), "utf-8;\\x{E9}@a");
    }

    #[test]
    fn rrvs_values() {
        let r = rcpt(" RRVS=2014-04-03T23:01:00Z")
            .unwrap()
            .rrvs()
            .cloned()
            .unwrap();
        assert_eq!((r.time.as_str(), r.mode), ("2014-04-03T23:01:00Z", None));
        let r = rcpt(" RRVS=2014-04-03T23:01:00+02:00;C")
            .unwrap()
            .rrvs()
            .cloned()
            .unwrap();
        assert_eq!(r.mode, Some(RrvsMode::Continue));
        let r = rcpt(" RRVS=2014-04-03T23:01:00Z;r").unwrap();
        assert_eq!(r.rrvs().as_ref().unwrap().mode, Some(RrvsMode::Reject));
        assert_eq!(wire(&r), " RRVS=2014-04-03T23:01:00Z;R");
        for bad in [
            "2014-04-03T23:01:00Z;X",
            "2014-04-03T23:01:00Z;",
            "2014-04-03",
            "now",
        ] {
            assert_eq!(
                rcpt(&format!(" RRVS={bad}")),
                Err(ParseError::InvalidParameter("RRVS")),
                "{bad}"
            );
        }
    }

    #[test]
    fn input_is_one_complete_line() {
        // The framer has already found the line end, so a cut-off parameter is
        // bad syntax or a bad value, never "incomplete".
        let line =
            " SIZE=1000 BODY=8BITMIME ENVID=a+2Bb AUTH=<> BY=120;RT HOLDUNTIL=2024-02-29T12:00:00Z";
        for end in 0..line.len() {
            let prefix = line.get(..end).unwrap();
            assert_ne!(mail(prefix), Err(ParseError::Incomplete), "{prefix:?}");
        }
        let line = " NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+2Bb@c RRVS=2014-04-03T23:01:00Z;C";
        for end in 0..line.len() {
            let prefix = line.get(..end).unwrap();
            assert_ne!(rcpt(prefix), Err(ParseError::Incomplete), "{prefix:?}");
        }
    }

    #[test]
    fn keyword_and_value_constructors() {
        assert!(EsmtpKeyword::try_from("X-FOO").is_ok());
        for bad in ["", "-X", "X_Y", "X=", "é"] {
            assert!(EsmtpKeyword::try_from(bad).is_err(), "{bad}");
        }
        assert!(EsmtpValue::try_from("a<b>é").is_ok());
        for bad in ["", "a=b", "a b", "a\r"] {
            assert!(EsmtpValue::try_from(bad).is_err(), "{bad}");
        }
        assert!(DateTime::try_from("2024-02-30T00:00:00Z").is_err());
        assert!(AuthParam::mailbox(XText::try_from("<>").unwrap()).is_err());
        assert!(EnvId::new(XText::try_from("").unwrap()).is_err());
    }

    fn date_time_strategy() -> impl Strategy<Value = DateTime<'static>> {
        (
            (0u32..=9999, 1u32..=12, 1u32..=31),
            (0u32..=23, 0u32..=59, 0u32..=60),
            proptest::option::of("[0-9]{1,6}"),
            prop_oneof![
                Just("Z".to_owned()),
                Just("z".to_owned()),
                "[+-](0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]"
            ],
            any::<bool>(),
        )
            .prop_filter_map(
                "day of month",
                |((y, mo, d), (h, mi, s), frac, off, lower)| {
                    let t = if lower { "t" } else { "T" };
                    let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                    let text = format!("{y:04}-{mo:02}-{d:02}{t}{h:02}:{mi:02}:{s:02}{frac}{off}");
                    DateTime::try_from(text.as_str())
                        .ok()
                        .map(DateTime::into_owned)
                },
            )
    }

    fn xtext_strategy(min: usize) -> impl Strategy<Value = XText<'static>> {
        proptest::collection::vec(any::<u8>(), min..30).prop_map(|b| XText::from_decoded(&b))
    }

    fn other_strategy(
        known: &'static [&'static str],
    ) -> impl Strategy<Value = OtherParam<'static>> {
        (
            "[A-Za-z0-9][A-Za-z0-9-]{0,12}",
            proptest::option::of("([!-<>-~]|\\PC){1,12}"),
        )
            .prop_filter_map("unknown keyword, valid value", move |(k, v)| {
                if known.iter().any(|n| n.eq_ignore_ascii_case(&k)) {
                    return None;
                }
                let keyword = EsmtpKeyword::try_from(k.as_str()).ok()?.into_owned();
                let value = match v {
                    Some(v) => Some(EsmtpValue::try_from(v.as_str()).ok()?.into_owned()),
                    None => None,
                };
                Some(OtherParam { keyword, value })
            })
    }

    prop_compose! {
        pub(crate) fn mail_params_strategy()(
            size in proptest::option::of(any::<u64>()),
            body in proptest::option::of(prop_oneof![
                Just(Body::SevenBit), Just(Body::EightBitMime), Just(Body::BinaryMime)
            ]),
            smtputf8 in any::<bool>(),
            ret in proptest::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Hdrs)]),
            envid in proptest::option::of(xtext_strategy(1).prop_filter_map("ENVID", |x| EnvId::new(x).ok())),
            auth in proptest::option::of(prop_oneof![
                Just(AuthParam::empty()),
                xtext_strategy(1).prop_filter_map("AUTH", |x| AuthParam::mailbox(x).ok()),
            ]),
            requiretls in any::<bool>(),
            mt_priority in proptest::option::of((-9i8..=9).prop_map(|p| MtPriority::new(p).unwrap())),
            hold in proptest::option::of(prop_oneof![
                any::<u32>().prop_map(Hold::For),
                date_time_strategy().prop_map(Hold::Until),
            ]),
            by in proptest::option::of(
                (-999_999_999i32..=999_999_999, any::<bool>(), any::<bool>())
                    .prop_filter_map("BY", |(t, r, trace)| {
                        By::new(t, if r { ByMode::Return } else { ByMode::Notify }, trace).ok()
                    })
            ),
            other in proptest::collection::vec(other_strategy(MailParams::TYPED_KEYWORDS), 0..3),
        ) -> MailParams<'static> {
            let rare = RareMailParams { ret, envid, auth, requiretls, mt_priority, hold, by, other };
            // Both spellings of "no rare parameter" occur.
            let rare = Some(Box::new(rare)).filter(|rare| !rare.is_empty() || smtputf8);
            MailParams { size, body, smtputf8, rare }
        }
    }

    fn orcpt_strategy() -> impl Strategy<Value = Orcpt<'static>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..30).prop_map(|b| Orcpt::rfc822(&b)),
            ("[A-Za-z0-9!#$%&'*+/?^_`{|}~-]{1,8}", xtext_strategy(0)).prop_filter_map(
                "atom",
                |(t, x)| Orcpt::new(t.as_str(), OrcptAddress::XText(x))
                    .ok()
                    .map(Orcpt::into_owned)
            ),
            ("\\PC{1,20}", any::<bool>()).prop_filter_map("utf-8 address", |(a, unitext)| {
                let u = if unitext {
                    Utf8AddrText::from_address_unitext(&a)
                } else {
                    Utf8AddrText::from_address(&a)
                };
                u.ok().map(Orcpt::utf8)
            }),
        ]
    }

    prop_compose! {
        pub(crate) fn rcpt_params_strategy()(
            notify in proptest::option::of(any::<(bool, bool, bool)>().prop_map(
                |(success, failure, delay)| Notify { success, failure, delay }
            )),
            orcpt in proptest::option::of(orcpt_strategy()),
            rrvs in proptest::option::of((
                date_time_strategy(),
                proptest::option::of(prop_oneof![Just(RrvsMode::Continue), Just(RrvsMode::Reject)]),
            ).prop_map(|(time, mode)| Rrvs { time, mode })),
            other in proptest::collection::vec(other_strategy(RcptParams::TYPED_KEYWORDS), 0..3),
        ) -> RcptParams<'static> {
            let rare = RareRcptParams { rrvs, other };
            let rare = Some(Box::new(rare)).filter(|rare| !rare.is_empty() || notify.is_some());
            RcptParams { notify, orcpt, rare }
        }
    }

    proptest! {
        /// The folded keyword is exact: two keywords fold alike exactly
        /// when they are equal ignoring case.
        #[test]
        fn keywords_fold_alike_only_when_equal_ignoring_case(
            a in "[A-Za-z0-9][A-Za-z0-9-]{0,15}",
            b in "[A-Za-z0-9][A-Za-z0-9-]{0,15}",
        ) {
            let fold = |k: &str| esmtp_keyword_folded(k.as_bytes());
            prop_assert_eq!(fold(&a), Some((folded_keyword(a.as_bytes()), a.len())));
            prop_assert_eq!(fold(&a) == fold(&b), a.eq_ignore_ascii_case(&b));
            let flipped: String = a.chars().map(|c| if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }).collect();
            prop_assert_eq!(fold(&a), fold(&flipped));
        }

        #[test]
        fn mail_params_round_trip(params in mail_params_strategy()) {
            let bytes = params.to_bytes();
            let opts = ParseOptions::strict().with_smtputf8(true);
            let parsed = mail_parameters(&bytes, &opts);
            prop_assert_eq!(parsed, Ok(params.clone()));
            prop_assert!(!bytes.contains(&b'\r') && !bytes.contains(&b'\n'));
        }

        #[test]
        fn rcpt_params_round_trip(params in rcpt_params_strategy()) {
            let bytes = params.to_bytes();
            let opts = ParseOptions::strict().with_smtputf8(true);
            let parsed = rcpt_parameters(&bytes, &opts);
            prop_assert_eq!(parsed, Ok(params.clone()));
            prop_assert!(!bytes.contains(&b'\r') && !bytes.contains(&b'\n'));
        }

        #[test]
        fn arbitrary_input_never_panics(input in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = mail_parameters(&input, &ParseOptions::lenient());
            let _ = rcpt_parameters(&input, &ParseOptions::lenient().with_smtputf8(true));
        }
    }
}
