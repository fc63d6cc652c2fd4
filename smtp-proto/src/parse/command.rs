//! The command grammar (RFC 5321 §4.1.1 and extensions), over one complete
//! line without its line ending, plus the streaming entry point that finds
//! that line.
//!
//! The verb is dispatched on its bytes folded to upper case (one array
//! compare per verb); each command then parses its own arguments. A verb
//! this crate does not know is `500` ([`ParseError::UnknownCommand`]); a
//! known verb with bad arguments is `501`.

use memchr::memchr;

use crate::{
    chars::{BASE64, DIGIT, PRINTABLE_OR_SP, span},
    error::ParseError,
    options::ParseOptions,
    parse::{
        address::{self, Source, to_parse_error, whole},
        params::{mail_parameters_of, rcpt_parameters_of},
    },
    swar,
    types::{
        address::{Domain, Host, ReversePath},
        command::{Argument, Command, InitialResponse, Mechanism, NodeName},
        params::MailParams,
    },
};

/// `mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE` (RFC 4422 §3.1),
/// with lower case admitted since clients send it.
const MECH_CHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
        b += 1;
    }
    table
};

/// The base64 alphabet of RFC 4648 §4 without its pad character.
const BASE64_ALPHABET: [bool; 256] = {
    let mut table = BASE64;
    table[b'=' as usize] = false;
    table
};

/// Longest SASL mechanism name (RFC 4422 §3.1).
const MAX_MECHANISM: usize = 20;

/// Splits `input` after `n` bytes; `n` comes from a scan of `input`.
fn split(input: &[u8], n: usize) -> (&[u8], &[u8]) {
    input.split_at_checked(n).unwrap_or((input, &[]))
}

/// `input` without the prefix `upper` (given in upper case), compared
/// ignoring the case of its letters. Clearing bit 5 maps exactly the two
/// cases of a letter to the upper one; other octets compare as they are.
/// `N` is a constant, so this unrolls into a few compares, where
/// `eq_ignore_ascii_case` folds both sides octet by octet.
#[inline(always)]
pub(crate) fn strip_prefix_no_case<'a, const N: usize>(
    input: &'a [u8],
    upper: &[u8; N],
) -> Option<&'a [u8]> {
    let (head, rest) = input.split_first_chunk::<N>()?;
    let equal = head.iter().zip(upper).fold(true, |equal, (&b, &u)| {
        let b = if u.is_ascii_uppercase() { b & !0x20 } else { b };
        equal & (b == u)
    });
    equal.then_some(rest)
}

/// Octets searched a word at a time before handing over to `memchr`: a
/// command line is nearly always shorter, and `memchr`'s set-up costs more
/// than the whole search there.
const SHORT_LINE: usize = 128;

/// Position of the first LF of `buf`, and whether an octet before it is
/// not ASCII (`None` when not known: the line is longer than [`SHORT_LINE`]).
#[inline]
fn find_lf(buf: &[u8]) -> Option<(usize, Option<bool>)> {
    let (head, tail) = buf.split_at_checked(SHORT_LINE).unwrap_or((buf, &[]));
    match swar::find_lf_noting_high(head) {
        Some((lf, high)) => Some((lf, Some(high))),
        None => memchr(b'\n', tail).map(|i| (i + head.len(), None)),
    }
}

/// Parses the first command of `buf`, bytes as read from the peer: the
/// command and the bytes it took (line ending included), or
/// [`ParseError::Incomplete`] while no LF is buffered.
///
/// `CRLF` ends the line; a bare LF does only under
/// [`ParseOptions::lf_line_endings`] and is an error otherwise, never a
/// reason to wait (RFC 5321 §2.3.8: the SMTP-smuggling family of attacks
/// relies on servers that treat a bare LF as a line end).
pub(crate) fn command_stream<'a>(
    buf: &'a [u8],
    opts: &ParseOptions,
) -> Result<(Command<'a>, usize), ParseError> {
    if let Some(alone) = verb_alone(buf) {
        return Ok(alone);
    }
    let Some((lf, high)) = find_lf(buf) else {
        return Err(ParseError::Incomplete);
    };
    let (line, _) = split(buf, lf);
    let line = match line.strip_suffix(b"\r") {
        Some(line) => line,
        None if opts.lf_line_endings => line,
        None => return Err(ParseError::InvalidArguments("bare LF in command line")),
    };
    let non_ascii = match high {
        Some(high) => high,
        None => !line.is_ascii(),
    };
    if non_ascii && !opts.smtputf8 {
        return Err(ParseError::NonAscii);
    }
    ascii_checked_command(line, opts, lf + 1)
}

/// Octets of a four-letter verb alone on its line, CRLF included.
const VERB_ALONE_LEN: usize = 6;

/// Octets of `STARTTLS` alone on its line, CRLF included.
const STARTTLS_ALONE_LEN: usize = 10;

/// `"DATA" CRLF`, `"RSET" CRLF`, `"QUIT" CRLF`, `"NOOP" CRLF`, `"HELP" CRLF`
/// and `"STARTTLS" CRLF` at the start of `buf`, without a search for the
/// line end: a third of a session's commands. `None` sends anything else
/// (even these verbs with arguments, or a bare LF) the general way, which
/// gives the same result on these lines: their letters hold no LF.
#[inline]
fn verb_alone(buf: &[u8]) -> Option<(Command<'static>, usize)> {
    let command = match *buf.get(..VERB_ALONE_LEN)? {
        [a, b, c, d, b'\r', b'\n'] => match u32::from_le_bytes([a, b, c, d]) & FOLD_CASE {
            DATA => Command::Data,
            RSET => Command::Rset,
            QUIT => Command::Quit,
            NOOP => Command::Noop(None),
            HELP => Command::Help(None),
            _ => return None,
        },
        // Only a line whose ninth and tenth octets are CRLF is compared.
        _ => {
            return match buf.get(..STARTTLS_ALONE_LEN)? {
                [.., b'\r', b'\n'] => strip_prefix_no_case(buf, b"STARTTLS\r\n")
                    .map(|_| (Command::StartTls, STARTTLS_ALONE_LEN)),
                _ => None,
            };
        }
    };
    Some((command, VERB_ALONE_LEN))
}

/// `command = verb [SP arguments]`: one complete command line WITHOUT its
/// line ending (the framer strips it), as in RFC 5321 §4.1.1. Verbs are
/// case-insensitive (§2.4).
///
/// ```
/// use smtp_proto::{ParseOptions, parse::command::command, types::command::{Command, Verb}};
///
/// let cmd = command(b"MAIL FROM:<a@example.com>", &ParseOptions::default()).unwrap();
/// assert_eq!(cmd.verb(), Verb::Mail);
/// assert_eq!(command(b"XYZZY", &ParseOptions::default()).unwrap_err().reply_code().unwrap().get(), 500);
/// ```
#[inline]
pub fn command<'a>(line: &'a [u8], opts: &ParseOptions) -> Result<Command<'a>, ParseError> {
    if !opts.smtputf8 && !line.is_ascii() {
        return Err(ParseError::NonAscii);
    }
    ascii_checked_command(line, opts, 0).map(|(command, _)| command)
}

/// [`command`] once the line is known to be ASCII unless `opts` allow
/// SMTPUTF8 (the framing checks it in the same pass as it finds the LF).
// Inlined into `command_stream`, so the command is built in its result
// rather than copied there.
#[inline(always)]
///
/// Returns the command with `used`, the octets the caller consumed: each
/// verb's rule builds the pair in the caller's result, so the command is
/// not copied from one result into another.
fn ascii_checked_command<'a>(
    line: &'a [u8],
    opts: &ParseOptions,
    used: usize,
) -> Result<(Command<'a>, usize), ParseError> {
    let line = if opts.trailing_whitespace {
        let kept = line
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |last| last + 1);
        split(line, kept).0
    } else {
        line
    };
    // Nearly every verb has four letters: when the fifth octet is a space or
    // the end, no search is needed (a line that has a space earlier is no
    // verb either way). The only longer verb is STARTTLS, which must then
    // be followed by a space or the end.
    let (verb, args) = match line.get(4) {
        None | Some(b' ') => split(line, line.len().min(4)),
        Some(_) => {
            return match strip_prefix_no_case(line, b"STARTTLS") {
                Some(args @ ([] | [b' ', ..])) => {
                    no_arguments(args).map(|()| (Command::StartTls, used))
                }
                _ => Err(ParseError::UnknownCommand),
            };
        }
    };
    match *verb {
        // The four octets as one number with the lower-case bit cleared:
        // a letter then compares equal to its upper case (and only to it,
        // as the verbs are all letters), one comparison per verb.
        [a, b, c, d] => match u32::from_le_bytes([a, b, c, d]) & FOLD_CASE {
            EHLO => Ok((Command::Ehlo(ehlo(args, opts)?), used)),
            HELO => Ok((Command::Helo(ehlo(args, opts)?), used)),
            LHLO => Ok((Command::Lhlo(ehlo(args, opts)?), used)),
            MAIL => mail(args, opts, used),
            RCPT => rcpt(args, opts, used),
            DATA => no_arguments(args).map(|()| (Command::Data, used)),
            BDAT => bdat(args, used),
            RSET => no_arguments(args).map(|()| (Command::Rset, used)),
            VRFY => Ok((Command::Vrfy(required_argument(args, opts)?), used)),
            EXPN => Ok((Command::Expn(required_argument(args, opts)?), used)),
            HELP => Ok((Command::Help(optional_argument(args, opts)?), used)),
            NOOP => Ok((Command::Noop(optional_argument(args, opts)?), used)),
            QUIT => no_arguments(args).map(|()| (Command::Quit, used)),
            AUTH => auth(args, used),
            ETRN => Ok((etrn(args, opts)?, used)),
            _ => Err(ParseError::UnknownCommand),
        },
        _ => Err(ParseError::UnknownCommand),
    }
}

/// The high bit of every byte of a word.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Clears bit 5 of each octet: ASCII lower case to upper case.
const FOLD_CASE: u32 = 0xDFDF_DFDF;

/// A four-letter verb as the number [`command`] compares.
const fn verb(name: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*name)
}

const EHLO: u32 = verb(b"EHLO");
const HELO: u32 = verb(b"HELO");
const LHLO: u32 = verb(b"LHLO");
const MAIL: u32 = verb(b"MAIL");
const RCPT: u32 = verb(b"RCPT");
const DATA: u32 = verb(b"DATA");
const BDAT: u32 = verb(b"BDAT");
const RSET: u32 = verb(b"RSET");
const VRFY: u32 = verb(b"VRFY");
const EXPN: u32 = verb(b"EXPN");
const HELP: u32 = verb(b"HELP");
const NOOP: u32 = verb(b"NOOP");
const QUIT: u32 = verb(b"QUIT");
const AUTH: u32 = verb(b"AUTH");
const ETRN: u32 = verb(b"ETRN");

/// `"DATA" CRLF`, `"RSET" CRLF`, `"QUIT" CRLF` (RFC 5321 §4.1.1),
/// `"STARTTLS" CRLF` (RFC 3207 §4): nothing may follow the verb.
/// Checks rather than takes the command, so that no large value is moved.
fn no_arguments(args: &[u8]) -> Result<(), ParseError> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(ParseError::InvalidArguments("command takes no arguments"))
    }
}

/// `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF` (RFC 5321 §4.1.1.1);
/// also HELO (whose `Domain` gets an address literal too, as clients send
/// one) and LHLO (RFC 2033 §4.1).
#[inline]
fn ehlo<'a>(args: &'a [u8], opts: &ParseOptions) -> Result<Host<'a>, ParseError> {
    let Some(arg) = args.strip_prefix(b" ") else {
        return Err(ParseError::InvalidArguments(
            "a domain or address literal is required",
        ));
    };
    whole(
        arg,
        |i| address::host(i, opts, Source::of(arg)),
        "trailing bytes after the domain",
    )
}

/// After the path: nothing, or SP and the parameters.
#[inline]
fn parameters_start(rest: &[u8]) -> Result<(), ParseError> {
    if rest.is_empty() || rest.first() == Some(&b' ') {
        Ok(())
    } else {
        Err(ParseError::InvalidAddress(
            "unexpected bytes after the path",
        ))
    }
}

/// The path after `FROM:`/`TO:`, with the spaces some clients put before it
/// under [`ParseOptions::space_after_colon`].
#[inline]
fn after_colon<'a>(rest: &'a [u8], opts: &ParseOptions) -> Result<&'a [u8], ParseError> {
    if rest.first() != Some(&b' ') {
        Ok(rest)
    } else if opts.space_after_colon {
        let spaces = rest.iter().take_while(|&&b| b == b' ').count();
        Ok(split(rest, spaces).1)
    } else {
        Err(ParseError::InvalidArguments("space after the colon"))
    }
}

/// `mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF` (RFC 5321 §4.1.1.2).
#[inline]
fn mail<'a>(
    args: &'a [u8],
    opts: &ParseOptions,
    used: usize,
) -> Result<(Command<'a>, usize), ParseError> {
    let Some(rest) = strip_prefix_no_case(args, b" FROM:") else {
        return Err(ParseError::InvalidArguments("expected MAIL FROM:<address>"));
    };
    let rest = after_colon(rest, opts)?;
    // The null sender alone (bounces): nothing to slice, so no UTF-8 check.
    if rest == b"<>" {
        let null = Command::Mail {
            from: ReversePath::Null,
            params: MailParams::default(),
        };
        return Ok((null, used));
    }
    // Without SMTPUTF8 the line was checked to be ASCII before dispatch.
    let src = Source::of_checked(rest, !opts.smtputf8);
    let (rest, from) = address::reverse_path(rest, opts, src).map_err(to_parse_error)?;
    parameters_start(rest)?;
    let params = mail_parameters_of(rest, opts, src)?;
    Ok((Command::Mail { from, params }, used))
}

/// `rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
/// Forward-path ) [SP Rcpt-parameters] CRLF` (RFC 5321 §4.1.1.3).
#[inline]
fn rcpt<'a>(
    args: &'a [u8],
    opts: &ParseOptions,
    used: usize,
) -> Result<(Command<'a>, usize), ParseError> {
    let Some(rest) = strip_prefix_no_case(args, b" TO:") else {
        return Err(ParseError::InvalidArguments("expected RCPT TO:<address>"));
    };
    let rest = after_colon(rest, opts)?;
    // Without SMTPUTF8 the line was checked to be ASCII before dispatch.
    let src = Source::of_checked(rest, !opts.smtputf8);
    let (rest, to) = address::forward_path(rest, opts, src).map_err(to_parse_error)?;
    parameters_start(rest)?;
    let params = rcpt_parameters_of(rest, opts, src)?;
    Ok((Command::Rcpt { to, params }, used))
}

/// `bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF`,
/// `chunk-size = 1*DIGIT`, `end-marker = "LAST"` (RFC 3030 §2).
fn bdat(args: &[u8], used: usize) -> Result<(Command<'static>, usize), ParseError> {
    let Some(arg) = args.strip_prefix(b" ") else {
        return Err(ParseError::InvalidArguments("a chunk size is required"));
    };
    let (digits, rest) = split(arg, span(&DIGIT, arg));
    if digits.is_empty() {
        return Err(ParseError::InvalidArguments("a chunk size is required"));
    }
    // Up to 19 digits cannot overflow a u64: no checks on the usual size.
    let size = if digits.len() <= 19 {
        digits
            .iter()
            .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'))
    } else {
        digits
            .iter()
            .try_fold(0u64, |acc, &d| {
                acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
            .ok_or(ParseError::InvalidArguments("chunk size too large"))?
    };
    let last = if rest.is_empty() {
        false
    } else if strip_prefix_no_case(rest, b" LAST") == Some(&[]) {
        true
    } else {
        return Err(ParseError::InvalidArguments(
            "expected LAST after the chunk size",
        ));
    };
    Ok((Command::Bdat { size, last }, used))
}

/// `sasl-mech = 1*20mech-char` (RFC 4954 §4, RFC 4422 §3.1).
pub(crate) fn sasl_mech(input: &[u8]) -> Result<Mechanism<'_>, ParseError> {
    check_sasl_mech(input)?;
    let name = std::str::from_utf8(input).map_err(|_| BAD_MECHANISM)?;
    Ok(Mechanism::new_unchecked(name))
}

const BAD_MECHANISM: ParseError = ParseError::InvalidArguments("invalid SASL mechanism name");

/// The grammar of [`sasl_mech`], without making text of the name.
fn check_sasl_mech(input: &[u8]) -> Result<(), ParseError> {
    if input.is_empty() || input.len() > MAX_MECHANISM || span(&MECH_CHAR, input) != input.len() {
        return Err(BAD_MECHANISM);
    }
    Ok(())
}

/// `initial-response = base64 / "="` (RFC 4954 §4), `base64` being whole
/// 4-character groups of the RFC 4648 alphabet with `=` padding only at
/// the end. Non-empty: an empty response is `=`.
pub(crate) fn initial_response(input: &[u8]) -> Result<InitialResponse<'_>, ParseError> {
    if input == b"=" {
        return Ok(InitialResponse::new_unchecked(""));
    }
    check_base64(input)?;
    let text = std::str::from_utf8(input).map_err(|_| ParseError::InvalidBase64)?;
    Ok(InitialResponse::new_unchecked(text))
}

/// The `base64` of [`initial_response`], without making text of it.
fn check_base64(input: &[u8]) -> Result<(), ParseError> {
    // One pass over the alphabet (a word at a time: responses run to
    // hundreds of octets), then at most two `=` and nothing else.
    let alphabet = swar::span_until(
        input,
        |w| !swar::bytes_base64(w) & HIGHS,
        |b| !BASE64_ALPHABET[b as usize],
    );
    let (_, padding) = split(input, alphabet);
    let valid = !input.is_empty()
        && input.len() % 4 == 0
        && padding.len() <= 2
        && padding.iter().all(|&b| b == b'=');
    if valid {
        Ok(())
    } else {
        Err(ParseError::InvalidBase64)
    }
}

/// `auth-command = "AUTH" SP sasl-mech [SP initial-response]` (RFC 4954 §4).
fn auth(args: &[u8], used: usize) -> Result<(Command<'_>, usize), ParseError> {
    let Some(arg) = args.strip_prefix(b" ") else {
        return Err(ParseError::InvalidArguments("a SASL mechanism is required"));
    };
    // The name runs to the first octet that is not a `mech-char`, which
    // must be the space before the response or the end; anything else
    // makes a bad name, as it would cut at the first space.
    let name_len = span(&MECH_CHAR, arg);
    let (name, rest) = split(arg, name_len);
    let response = match rest {
        [] => None,
        [b' ', response @ ..] => Some(response),
        _ => return Err(BAD_MECHANISM),
    };
    check_sasl_mech(name)?;
    match response {
        None => {}
        Some(b"=") => {}
        Some(response) => check_base64(response)?,
    }
    // Both parts are ASCII by their grammar: one UTF-8 check for the two
    // (its set-up is most of its cost on short text), each cut from it.
    let text = std::str::from_utf8(arg).map_err(|_| BAD_MECHANISM)?;
    let (mechanism, rest) = text.split_at_checked(name_len).ok_or(BAD_MECHANISM)?;
    let initial_response = match rest.strip_prefix(' ') {
        None => None,
        Some("=") => Some(InitialResponse::new_unchecked("")),
        Some(response) => Some(InitialResponse::new_unchecked(response)),
    };
    let command = Command::Auth {
        mechanism: Mechanism::new_unchecked(mechanism),
        initial_response,
    };
    Ok((command, used))
}

/// `node-name = domain / "@" domain / "#" String` (RFC 1985 §5), the
/// `String` being a free-form [`Argument`].
pub(crate) fn node_name<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
) -> Result<NodeName<'a>, ParseError> {
    let domain = |i: &'a [u8]| -> Result<Domain<'a>, ParseError> {
        whole(
            i,
            |i| address::domain(i, opts, Source::of(i)),
            "trailing bytes after the domain",
        )
    };
    match input.first() {
        Some(b'@') => Ok(NodeName::Subdomains(domain(
            input.get(1..).unwrap_or_default(),
        )?)),
        Some(b'#') => Ok(NodeName::Queue(argument(
            input.get(1..).unwrap_or_default(),
            opts,
        )?)),
        _ => Ok(NodeName::Domain(domain(input)?)),
    }
}

/// `etrn = "ETRN" SP node-name CRLF` (RFC 1985 §5).
fn etrn<'a>(args: &'a [u8], opts: &ParseOptions) -> Result<Command<'a>, ParseError> {
    let Some(arg) = args.strip_prefix(b" ") else {
        return Err(ParseError::InvalidArguments("a node name is required"));
    };
    Ok(Command::Etrn(node_name(arg, opts)?))
}

/// The free-form argument of VRFY, EXPN, HELP and NOOP: RFC 5321's
/// `String = Atom / Quoted-string` widened to `1*(%d32-126)` (plus UTF-8
/// under SMTPUTF8), without a leading or trailing space, since clients send
/// `VRFY John Smith`.
pub(crate) fn argument<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
) -> Result<Argument<'a>, ParseError> {
    match (input.first(), input.last()) {
        (None, _) => return Err(ParseError::InvalidArguments("empty argument")),
        (Some(b' '), _) | (_, Some(b' ')) => {
            return Err(ParseError::InvalidArguments(
                "argument starts or ends with a space",
            ));
        }
        _ => {}
    }
    // Nearly always printable ASCII: checked a word at a time; anything
    // else goes through the octet loop, which says what is wrong.
    let printable = swar::span_until(
        input,
        |w| !(swar::bytes_at_least(w, 0x20) & !swar::bytes_at_least(w, 0x7f)) & HIGHS,
        |b| !PRINTABLE_OR_SP[b as usize],
    );
    let unchecked = input.get(printable..).unwrap_or_default();
    for &b in unchecked {
        if b >= 0x80 {
            if !opts.smtputf8 {
                return Err(ParseError::NonAscii);
            }
        } else if !PRINTABLE_OR_SP[b as usize] {
            return Err(ParseError::InvalidArguments(
                "control character in argument",
            ));
        }
    }
    let text = std::str::from_utf8(input)
        .map_err(|_| ParseError::InvalidArguments("invalid UTF-8 in argument"))?;
    Ok(Argument::new_unchecked(text))
}

/// `vrfy = "VRFY" SP String CRLF`, `expn = "EXPN" SP String CRLF` (RFC 5321 §4.1.1.6-7).
fn required_argument<'a>(args: &'a [u8], opts: &ParseOptions) -> Result<Argument<'a>, ParseError> {
    match args.strip_prefix(b" ") {
        Some(arg) => argument(arg, opts),
        None => Err(ParseError::InvalidArguments("an argument is required")),
    }
}

/// `help = "HELP" [ SP String ] CRLF`, `noop = "NOOP" [ SP String ] CRLF`
/// (RFC 5321 §4.1.1.8-9).
fn optional_argument<'a>(
    args: &'a [u8],
    opts: &ParseOptions,
) -> Result<Option<Argument<'a>>, ParseError> {
    match args.strip_prefix(b" ") {
        Some(arg) => argument(arg, opts).map(Some),
        None if args.is_empty() => Ok(None),
        None => Err(ParseError::InvalidArguments(
            "expected a space before the argument",
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use proptest::prelude::*;

    use super::command;
    use crate::{
        encode::Encode,
        error::ParseError,
        options::ParseOptions,
        parse::address::strategies,
        types::{
            address::{AddressLiteral, Domain, ForwardPath, Host, Mailbox, ReversePath},
            command::{Argument, Command, InitialResponse, Mechanism, NodeName, Verb},
            params::{MailParams, RcptParams},
        },
    };

    const STRICT: ParseOptions = ParseOptions::strict();
    const UTF8: ParseOptions = ParseOptions::strict().with_smtputf8(true);

    fn strict(line: &str) -> Result<Command<'_>, ParseError> {
        command(line.as_bytes(), &STRICT)
    }

    fn mail(from: &str) -> Command<'_> {
        Command::Mail {
            from: ReversePath::try_from(from).unwrap(),
            params: MailParams::default(),
        }
    }

    fn rcpt(to: &str) -> Command<'_> {
        Command::Rcpt {
            to: ForwardPath::try_from(to).unwrap(),
            params: RcptParams::default(),
        }
    }

    fn arg(text: &str) -> Argument<'_> {
        Argument::try_from(text).unwrap()
    }

    /// Every command, in the form a strict parser accepts.
    const VALID_LINES: &[&str] = &[
        "EHLO example.com",
        "EHLO [1.2.3.4]",
        "EHLO [IPv6:::1]",
        "HELO example.com",
        "HELO [10.0.0.1]",
        "LHLO lmtp.example",
        "MAIL FROM:<a@b.c>",
        "MAIL FROM:<>",
        "MAIL FROM:<@a,@b:u@c>",
        "MAIL FROM:<\"a b\"@x>",
        "RCPT TO:<u@example.com>",
        "RCPT TO:<Postmaster>",
        "RCPT TO:<postmaster>",
        "RCPT TO:<Postmaster@example.com>",
        "DATA",
        "BDAT 0",
        "BDAT 1000 LAST",
        "RSET",
        "VRFY john",
        "VRFY John Smith",
        "EXPN staff",
        "HELP",
        "HELP MAIL",
        "NOOP",
        "NOOP anything at all",
        "QUIT",
        "STARTTLS",
        "AUTH PLAIN",
        "AUTH PLAIN =",
        "AUTH PLAIN AHVzZXIAcGFzcw==",
        "AUTH LOGIN dXNlcg==",
        "AUTH xoauth2",
        "ETRN example.com",
        "ETRN @example.com",
        "ETRN #queue1",
    ];

    #[test]
    fn every_valid_line_parses_and_reencodes() {
        for line in VALID_LINES {
            let parsed = strict(line).unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
            let wire = parsed.to_bytes();
            assert_eq!(
                command(&wire[..wire.len() - 2], &STRICT),
                Ok(parsed.clone())
            );
        }
    }

    #[test]
    fn every_strict_prefix_is_incomplete() {
        for options in [STRICT, ParseOptions::lenient()] {
            for line in VALID_LINES {
                let wire = format!("{line}\r\n");
                let wire = wire.as_bytes();
                for end in 0..wire.len() {
                    assert_eq!(
                        Command::parse(&wire[..end], &options),
                        Err(ParseError::Incomplete),
                        "{:?}",
                        String::from_utf8_lossy(&wire[..end])
                    );
                }
                let (_, used) = Command::parse(wire, &options).unwrap();
                assert_eq!(used, wire.len());
            }
        }
    }

    #[test]
    fn known_answers() {
        assert_eq!(
            strict("EHLO example.com"),
            Ok(Command::Ehlo(Host::Domain(
                Domain::try_from("example.com").unwrap()
            )))
        );
        assert_eq!(
            strict("HELO [1.2.3.4]"),
            Ok(Command::Helo(Host::from(AddressLiteral::Ipv4(
                Ipv4Addr::new(1, 2, 3, 4)
            ))))
        );
        assert_eq!(strict("MAIL FROM:<>"), Ok(mail("<>")));
        assert_eq!(strict("MAIL FROM:<a@b>"), Ok(mail("<a@b>")));
        assert_eq!(strict("RCPT TO:<postmaster>"), Ok(rcpt("<Postmaster>")));
        assert_eq!(strict("DATA"), Ok(Command::Data));
        assert_eq!(
            strict("BDAT 1000 LAST"),
            Ok(Command::Bdat {
                size: 1000,
                last: true
            })
        );
        assert_eq!(
            strict("BDAT 18446744073709551615"),
            Ok(Command::Bdat {
                size: u64::MAX,
                last: false
            })
        );
        assert_eq!(
            strict("VRFY John Smith"),
            Ok(Command::Vrfy(arg("John Smith")))
        );
        assert_eq!(strict("EXPN staff"), Ok(Command::Expn(arg("staff"))));
        assert_eq!(strict("HELP"), Ok(Command::Help(None)));
        assert_eq!(strict("NOOP x"), Ok(Command::Noop(Some(arg("x")))));
        assert_eq!(strict("STARTTLS"), Ok(Command::StartTls));
        assert_eq!(
            strict("ETRN @example.com"),
            Ok(Command::Etrn(NodeName::Subdomains(
                Domain::try_from("example.com").unwrap()
            )))
        );
        assert_eq!(
            strict("ETRN #q"),
            Ok(Command::Etrn(NodeName::Queue(arg("q"))))
        );
        assert_eq!(
            strict("ETRN example.com"),
            Ok(Command::Etrn(NodeName::Domain(
                Domain::try_from("example.com").unwrap()
            )))
        );
        let routed = strict("MAIL FROM:<@a,@b:u@c>").unwrap();
        let Command::Mail { from, .. } = &routed else {
            panic!("not MAIL");
        };
        assert_eq!(from.mailbox(), Some(&Mailbox::try_from("u@c").unwrap()));
        let quoted = strict(r#"RCPT TO:<"a\"b"@x>"#).unwrap();
        let Command::Rcpt { to, .. } = &quoted else {
            panic!("not RCPT");
        };
        assert_eq!(to.mailbox().unwrap().local_part().value(), "a\"b");
    }

    #[test]
    fn verbs_are_case_insensitive() {
        assert_eq!(strict("ehlo x"), strict("EHLO x"));
        assert_eq!(strict("mail from:<a@b>"), Ok(mail("<a@b>")));
        assert_eq!(strict("Rcpt To:<a@b>"), Ok(rcpt("<a@b>")));
        assert_eq!(strict("StartTls"), Ok(Command::StartTls));
        assert_eq!(strict("bdat 1 last"), strict("BDAT 1 LAST"));
        assert_eq!(strict("qUiT"), Ok(Command::Quit));
        assert_eq!(strict("quit").unwrap().verb(), Verb::Quit);
        assert_eq!(Verb::StartTls.as_str(), "STARTTLS");
    }

    /// The verb's case folding clears one bit per octet: only the two
    /// cases of the same letter may match, never another octet.
    #[test]
    fn verb_folding_matches_only_the_letter_in_either_case() {
        for verb in ["QUIT", "DATA", "RSET"] {
            for at in 0..4 {
                for b in 0..=255u8 {
                    let mut line = verb.as_bytes().to_vec();
                    line[at] = b;
                    let expected = b.eq_ignore_ascii_case(&verb.as_bytes()[at]);
                    let parsed = command(&line, &ParseOptions::strict().with_smtputf8(true));
                    assert_eq!(parsed.is_ok(), expected, "{verb} with {b:#04x} at {at}");
                }
            }
        }
    }

    #[test]
    fn unknown_verbs_are_500_and_bad_arguments_501() {
        for unknown in [
            "",
            " ",
            "FOO",
            "MAILFROM:<a@b>",
            "DATAX",
            "STARTTLSX",
            "STARTTLS\tx",
            "starttlsx now",
            "DATA\tx",
            "EHL",
            "E",
            "XXXXXXXXX",
        ] {
            let error = strict(unknown).unwrap_err();
            assert_eq!(error, ParseError::UnknownCommand, "{unknown:?}");
            assert_eq!(error.reply_code().unwrap().get(), 500);
        }
        for bad in [
            "EHLO",
            "EHLO ",
            "EHLO a b",
            "EHLO a_b",
            "HELO [300.1.1.1]",
            "MAIL",
            "MAIL TO:<a@b>",
            "MAIL FROM:",
            "MAIL FROM:<a@b",
            "MAIL FROM:<a@b>x",
            "MAIL FROM : <a@b>",
            "RCPT TO:<>",
            "RCPT FROM:<a@b>",
            "DATA x",
            "DATA ",
            "RSET now",
            "QUIT please",
            "STARTTLS now",
            "STARTTLS ",
            "AUTH PLAIN\tx",
            "AUTH PLAIN  AAAA",
            "AUTH PLAIN= AAAA",
            "VRFY a\x7fb",
            "VRFY postmaster\u{1}",
            "NOOP x ",
            "BDAT",
            "BDAT x",
            "BDAT 1 FIRST",
            "BDAT -1",
            "BDAT 1  LAST",
            "VRFY",
            "VRFY ",
            "VRFY  x",
            "EXPN",
            "HELP ",
            "NOOP x\ty",
            "AUTH",
            "AUTH ",
            "AUTH PL@IN",
            "AUTH ABCDEFGHIJKLMNOPQRSTU",
            "AUTH PLAIN abc",
            "AUTH PLAIN a===",
            "AUTH PLAIN ab=c",
            "AUTH PLAIN ",
            "ETRN",
            "ETRN @",
            "ETRN #",
        ] {
            let error = strict(bad).unwrap_err();
            assert_eq!(error.reply_code().unwrap().get(), 501, "{bad:?}: {error:?}");
        }
    }

    #[test]
    fn bdat_size_overflow_is_an_error() {
        assert_eq!(
            strict("BDAT 18446744073709551616"),
            Err(ParseError::InvalidArguments("chunk size too large"))
        );
        assert_eq!(
            strict("BDAT 99999999999999999999999999999999 LAST"),
            Err(ParseError::InvalidArguments("chunk size too large"))
        );
    }

    #[test]
    fn auth_initial_responses() {
        let Ok(Command::Auth {
            mechanism,
            initial_response: Some(response),
        }) = strict("AUTH plain AHVzZXIAcGFzcw==")
        else {
            panic!("not AUTH with a response");
        };
        assert_eq!(mechanism, Mechanism::try_from("PLAIN").unwrap());
        assert!(mechanism.is("Plain"));
        assert_eq!(response.decode().unwrap(), b"\0user\0pass");
        assert!(!format!("{response:?}").contains("AHVz"));
        let debug = format!("{:?}", strict("AUTH PLAIN AHVzZXIAcGFzcw==").unwrap());
        assert!(!debug.contains("AHVz"), "{debug}");
        let Ok(Command::Auth {
            initial_response: Some(empty),
            ..
        }) = strict("AUTH EXTERNAL =")
        else {
            panic!("not AUTH with =");
        };
        assert!(empty.is_empty());
        assert_eq!(empty.decode().unwrap(), b"");
        assert_eq!(InitialResponse::from_bytes(b"").to_bytes(), b"=");
        assert_eq!(
            InitialResponse::from_bytes(b"\0user\0pass").as_base64(),
            "AHVzZXIAcGFzcw=="
        );
        assert_eq!(strict("AUTH PLAIN AHVz!"), Err(ParseError::InvalidBase64));
    }

    #[test]
    fn leniency_is_opt_in() {
        let spaced = "MAIL FROM: <a@b>";
        assert!(matches!(
            strict(spaced),
            Err(ParseError::InvalidArguments(_))
        ));
        let option = ParseOptions::strict().with_space_after_colon(true);
        assert_eq!(command(spaced.as_bytes(), &option), Ok(mail("<a@b>")));
        assert_eq!(command(b"RCPT TO:   <a@b>", &option), Ok(rcpt("<a@b>")));
        assert!(command(b"MAIL FROM : <a@b>", &ParseOptions::lenient()).is_err());

        let bare = "MAIL FROM:a@b";
        assert!(matches!(strict(bare), Err(ParseError::InvalidAddress(_))));
        let option = ParseOptions::strict().with_missing_brackets(true);
        assert_eq!(command(bare.as_bytes(), &option), Ok(mail("<a@b>")));
        assert_eq!(command(b"RCPT TO:a@b", &option), Ok(rcpt("<a@b>")));

        let trailing = "QUIT  \t";
        assert!(strict(trailing).is_err());
        let option = ParseOptions::strict().with_trailing_whitespace(true);
        assert_eq!(command(trailing.as_bytes(), &option), Ok(Command::Quit));
        assert_eq!(command(b"MAIL FROM:<a@b> ", &option), Ok(mail("<a@b>")));
        assert_eq!(command(b"HELP ", &option), Ok(Command::Help(None)));
    }

    #[test]
    fn line_endings() {
        assert_eq!(
            Command::parse(b"QUIT\r\nRSET\r\n", &STRICT),
            Ok((Command::Quit, 6))
        );
        assert_eq!(
            Command::parse(b"QUIT\nRSET\r\n", &STRICT),
            Err(ParseError::InvalidArguments("bare LF in command line"))
        );
        let option = ParseOptions::strict().with_lf_line_endings(true);
        assert_eq!(
            Command::parse(b"QUIT\nRSET\r\n", &option),
            Ok((Command::Quit, 5))
        );
        assert_eq!(
            Command::parse(b"QUIT\r", &option),
            Err(ParseError::Incomplete)
        );
        // A CR inside the line is not a line end.
        assert!(Command::parse(b"QUIT\rRSET\r\n", &STRICT).is_err());
        assert!(Command::parse(b"NOOP a\rb\r\n", &STRICT).is_err());
    }

    #[test]
    fn eight_bit_needs_smtputf8() {
        for line in [
            "MAIL FROM:<jörg@bücher.de>",
            "RCPT TO:<\"j ö\"@x>",
            "EHLO bücher.de",
            "VRFY jörg",
            "FÖÖ",
        ] {
            assert_eq!(strict(line), Err(ParseError::NonAscii), "{line:?}");
        }
        assert_eq!(
            command("MAIL FROM:<jörg@bücher.de>".as_bytes(), &UTF8),
            Ok(mail("<jörg@bücher.de>"))
        );
        assert!(command("RCPT TO:<\"j ö\"@x>".as_bytes(), &UTF8).is_ok());
        assert!(command("EHLO bücher.de".as_bytes(), &UTF8).is_ok());
        assert!(command("VRFY jörg".as_bytes(), &UTF8).is_ok());
        assert!(command(b"VRFY j\xff", &UTF8).is_err());
        assert_eq!(
            command("FÖÖ".as_bytes(), &UTF8),
            Err(ParseError::UnknownCommand)
        );
    }

    #[test]
    fn constructors_refuse_line_breaks() {
        for evil in ["a\r\nRSET", "a\nb", "a\rb", "a\0b", "a\tb", " a", "a ", ""] {
            assert!(Argument::try_from(evil).is_err(), "{evil:?}");
        }
        assert!(NodeName::try_from("#a\r\nQUIT").is_err());
        assert!(Mechanism::try_from("PLAIN\r\n").is_err());
        assert!(Mechanism::try_from("").is_err());
        assert!(InitialResponse::try_from("AAAA\r\n").is_err());
        assert!(InitialResponse::try_from("").is_err());
        assert!(InitialResponse::try_from("=").unwrap().is_empty());
    }

    #[test]
    fn limits_through_commands() {
        let local = "l".repeat(64);
        let ok = format!("RCPT TO:<{local}@{}.c>", "d".repeat(187));
        assert!(strict(&ok).is_ok());
        let over = format!("RCPT TO:<{local}@{}.c>", "d".repeat(188));
        assert_eq!(strict(&over), Err(ParseError::TooLong("path")));
        let long_local = format!("MAIL FROM:<{}@x>", "l".repeat(65));
        assert_eq!(strict(&long_local), Err(ParseError::TooLong("local part")));
    }

    fn argument() -> impl Strategy<Value = Argument<'static>> {
        "[!-~]([ -~]{0,15}[!-~])?".prop_map(|text| arg(&text).into_owned())
    }

    fn host_command() -> impl Strategy<Value = Command<'static>> {
        prop_oneof![
            strategies::host().prop_map(Command::Ehlo),
            strategies::host().prop_map(Command::Helo),
            strategies::host().prop_map(Command::Lhlo),
        ]
    }

    fn envelope_command() -> impl Strategy<Value = Command<'static>> {
        prop_oneof![
            (
                strategies::reverse_path(),
                crate::parse::params::tests::mail_params_strategy()
            )
                .prop_map(|(from, params)| Command::Mail { from, params }),
            (
                strategies::forward_path(),
                crate::parse::params::tests::rcpt_params_strategy()
            )
                .prop_map(|(to, params)| Command::Rcpt { to, params }),
            (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        ]
    }

    fn simple_command() -> impl Strategy<Value = Command<'static>> {
        prop_oneof![
            Just(Command::Data),
            Just(Command::Rset),
            Just(Command::Quit),
            Just(Command::StartTls),
            argument().prop_map(Command::Vrfy),
            argument().prop_map(Command::Expn),
            prop::option::of(argument()).prop_map(Command::Help),
            prop::option::of(argument()).prop_map(Command::Noop),
        ]
    }

    fn extension_command() -> impl Strategy<Value = Command<'static>> {
        prop_oneof![
            (
                "[A-Za-z0-9_-]{1,20}",
                prop::option::of(prop::collection::vec(any::<u8>(), 0..40))
            )
                .prop_map(|(name, response)| Command::Auth {
                    mechanism: Mechanism::try_from(name.as_str()).unwrap().into_owned(),
                    initial_response: response.map(|r| InitialResponse::from_bytes(&r)),
                }),
            strategies::domain().prop_map(|d| Command::Etrn(NodeName::Domain(d))),
            strategies::domain().prop_map(|d| Command::Etrn(NodeName::Subdomains(d))),
            argument().prop_map(|q| Command::Etrn(NodeName::Queue(q))),
        ]
    }

    fn any_command() -> impl Strategy<Value = Command<'static>> {
        prop_oneof![
            host_command(),
            envelope_command(),
            simple_command(),
            extension_command()
        ]
    }

    proptest! {
        #[test]
        fn command_round_trip(cmd in any_command()) {
            let wire = cmd.to_bytes();
            prop_assert!(wire.ends_with(b"\r\n"));
            let line = &wire[..wire.len() - 2];
            prop_assert!(!line.contains(&b'\r') && !line.contains(&b'\n'));
            // Parameters may carry UTF-8 values, valid only with SMTPUTF8.
            let opts = if wire.is_ascii() { STRICT } else { UTF8 };
            prop_assert_eq!(command(line, &opts), Ok(cmd.clone()));
            prop_assert_eq!(Command::parse(&wire, &opts), Ok((cmd.clone(), wire.len())));
            prop_assert_eq!(cmd.clone().into_owned(), cmd);
        }

        #[test]
        fn utf8_command_round_trip(mailbox in strategies::utf8_mailbox()) {
            let cmd = Command::Rcpt { to: ForwardPath::from(mailbox), params: RcptParams::default() };
            let wire = cmd.to_bytes();
            prop_assert_eq!(Command::parse(&wire, &UTF8), Ok((cmd, wire.len())));
            if !wire.is_ascii() {
                prop_assert_eq!(Command::parse(&wire, &STRICT), Err(ParseError::NonAscii));
            }
        }

        #[test]
        fn lenient_parses_reencode_to_strict_lines(
            line in "(?i)(MAIL FROM:|RCPT TO:|EHLO |HELO |VRFY |NOOP|BDAT |AUTH |ETRN |QUIT|DATA)[ -~\t]{0,40}"
        ) {
            let lenient = ParseOptions::lenient().with_smtputf8(true);
            if let Ok(cmd) = command(line.as_bytes(), &lenient) {
                let wire = cmd.to_bytes();
                prop_assert_eq!(command(&wire[..wire.len() - 2], &UTF8), Ok(cmd));
            }
        }

        /// The word-at-a-time check of free-form arguments accepts
        /// exactly what the rule says.
        #[test]
        fn arguments_are_exactly_the_rule(
            input in prop::collection::vec(prop_oneof![Just(b' '), Just(0x7fu8), Just(0xc3), Just(0xa9), 0x1fu8..=0x7f, any::<u8>()], 0..24),
            smtputf8 in any::<bool>(),
        ) {
            let opts = ParseOptions::strict().with_smtputf8(smtputf8);
            let expected = !input.is_empty()
                && input.first() != Some(&b' ')
                && input.last() != Some(&b' ')
                && input.iter().all(|&b| (0x20..0x7f).contains(&b) || (b >= 0x80 && smtputf8))
                && std::str::from_utf8(&input).is_ok();
            prop_assert_eq!(super::argument(&input, &opts).is_ok(), expected);
        }

        #[test]
        fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..100)) {
            let _ = Command::parse(&input, &STRICT);
            let _ = Command::parse(&input, &ParseOptions::lenient().with_smtputf8(true));
        }
    }
}
