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
        address::{self, to_parse_error, whole},
        params::{mail_parameters, rcpt_parameters},
    },
    types::{
        address::{Domain, Host},
        command::{Argument, Command, InitialResponse, Mechanism, NodeName},
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

/// Longest SASL mechanism name (RFC 4422 §3.1).
const MAX_MECHANISM: usize = 20;

/// Splits `input` after `n` bytes; `n` comes from a scan of `input`.
fn split(input: &[u8], n: usize) -> (&[u8], &[u8]) {
    input.split_at_checked(n).unwrap_or((input, &[]))
}

/// `input` without the prefix `prefix` (compared ignoring ASCII case).
fn strip_prefix_no_case<'a>(input: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    input
        .get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .and_then(|_| input.get(prefix.len()..))
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
    let Some(lf) = memchr(b'\n', buf) else {
        return Err(ParseError::Incomplete);
    };
    let (line, _) = split(buf, lf);
    let line = match line.strip_suffix(b"\r") {
        Some(line) => line,
        None if opts.lf_line_endings => line,
        None => return Err(ParseError::InvalidArguments("bare LF in command line")),
    };
    Ok((command(line, opts)?, lf + 1))
}

/// `command = verb [SP arguments]`: one complete command line WITHOUT its
/// line ending (the framer strips it), as in RFC 5321 §4.1.1. Verbs are
/// case-insensitive (§2.4).
pub fn command<'a>(line: &'a [u8], opts: &ParseOptions) -> Result<Command<'a>, ParseError> {
    if !opts.smtputf8 && !line.is_ascii() {
        return Err(ParseError::NonAscii);
    }
    let line = if opts.trailing_whitespace {
        let kept = line
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |last| last + 1);
        split(line, kept).0
    } else {
        line
    };
    let (verb, args) = split(line, memchr(b' ', line).unwrap_or(line.len()));
    match *verb {
        [a, b, c, d] => match [a, b, c, d].map(|x| x.to_ascii_uppercase()) {
            [b'E', b'H', b'L', b'O'] => Ok(Command::Ehlo(ehlo(args, opts)?)),
            [b'H', b'E', b'L', b'O'] => Ok(Command::Helo(ehlo(args, opts)?)),
            [b'L', b'H', b'L', b'O'] => Ok(Command::Lhlo(ehlo(args, opts)?)),
            [b'M', b'A', b'I', b'L'] => mail(args, opts),
            [b'R', b'C', b'P', b'T'] => rcpt(args, opts),
            [b'D', b'A', b'T', b'A'] => no_arguments(args, Command::Data),
            [b'B', b'D', b'A', b'T'] => bdat(args),
            [b'R', b'S', b'E', b'T'] => no_arguments(args, Command::Rset),
            [b'V', b'R', b'F', b'Y'] => Ok(Command::Vrfy(required_argument(args, opts)?)),
            [b'E', b'X', b'P', b'N'] => Ok(Command::Expn(required_argument(args, opts)?)),
            [b'H', b'E', b'L', b'P'] => Ok(Command::Help(optional_argument(args, opts)?)),
            [b'N', b'O', b'O', b'P'] => Ok(Command::Noop(optional_argument(args, opts)?)),
            [b'Q', b'U', b'I', b'T'] => no_arguments(args, Command::Quit),
            [b'A', b'U', b'T', b'H'] => auth(args),
            [b'E', b'T', b'R', b'N'] => etrn(args, opts),
            _ => Err(ParseError::UnknownCommand),
        },
        _ if verb.eq_ignore_ascii_case(b"STARTTLS") => no_arguments(args, Command::StartTls),
        _ => Err(ParseError::UnknownCommand),
    }
}

/// `"DATA" CRLF`, `"RSET" CRLF`, `"QUIT" CRLF` (RFC 5321 §4.1.1),
/// `"STARTTLS" CRLF` (RFC 3207 §4): nothing may follow the verb.
fn no_arguments<'a>(args: &[u8], command: Command<'a>) -> Result<Command<'a>, ParseError> {
    if args.is_empty() {
        Ok(command)
    } else {
        Err(ParseError::InvalidArguments("command takes no arguments"))
    }
}

/// `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF` (RFC 5321 §4.1.1.1);
/// also HELO (whose `Domain` gets an address literal too, as clients send
/// one) and LHLO (RFC 2033 §4.1).
fn ehlo<'a>(args: &'a [u8], opts: &ParseOptions) -> Result<Host<'a>, ParseError> {
    let Some(arg) = args.strip_prefix(b" ") else {
        return Err(ParseError::InvalidArguments(
            "a domain or address literal is required",
        ));
    };
    whole(
        arg,
        |i| address::host(i, opts),
        "trailing bytes after the domain",
    )
}

/// After the path: nothing, or SP and the parameters.
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
fn mail<'a>(args: &'a [u8], opts: &ParseOptions) -> Result<Command<'a>, ParseError> {
    let Some(rest) = strip_prefix_no_case(args, b" FROM:") else {
        return Err(ParseError::InvalidArguments("expected MAIL FROM:<address>"));
    };
    let rest = after_colon(rest, opts)?;
    let (rest, from) = address::reverse_path(rest, opts).map_err(to_parse_error)?;
    parameters_start(rest)?;
    let params = mail_parameters(rest, opts)?;
    Ok(Command::Mail { from, params })
}

/// `rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
/// Forward-path ) [SP Rcpt-parameters] CRLF` (RFC 5321 §4.1.1.3).
fn rcpt<'a>(args: &'a [u8], opts: &ParseOptions) -> Result<Command<'a>, ParseError> {
    let Some(rest) = strip_prefix_no_case(args, b" TO:") else {
        return Err(ParseError::InvalidArguments("expected RCPT TO:<address>"));
    };
    let rest = after_colon(rest, opts)?;
    let (rest, to) = address::forward_path(rest, opts).map_err(to_parse_error)?;
    parameters_start(rest)?;
    let params = rcpt_parameters(rest, opts)?;
    Ok(Command::Rcpt { to, params })
}

/// `bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF`,
/// `chunk-size = 1*DIGIT`, `end-marker = "LAST"` (RFC 3030 §2).
fn bdat(args: &[u8]) -> Result<Command<'static>, ParseError> {
    let Some(arg) = args.strip_prefix(b" ") else {
        return Err(ParseError::InvalidArguments("a chunk size is required"));
    };
    let (digits, rest) = split(arg, span(&DIGIT, arg));
    if digits.is_empty() {
        return Err(ParseError::InvalidArguments("a chunk size is required"));
    }
    let size = digits
        .iter()
        .try_fold(0u64, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .ok_or(ParseError::InvalidArguments("chunk size too large"))?;
    let last = if rest.is_empty() {
        false
    } else if rest.eq_ignore_ascii_case(b" LAST") {
        true
    } else {
        return Err(ParseError::InvalidArguments(
            "expected LAST after the chunk size",
        ));
    };
    Ok(Command::Bdat { size, last })
}

/// `sasl-mech = 1*20mech-char` (RFC 4954 §4, RFC 4422 §3.1).
pub(crate) fn sasl_mech(input: &[u8]) -> Result<Mechanism<'_>, ParseError> {
    const BAD: ParseError = ParseError::InvalidArguments("invalid SASL mechanism name");
    if input.is_empty() || input.len() > MAX_MECHANISM || span(&MECH_CHAR, input) != input.len() {
        return Err(BAD);
    }
    let name = std::str::from_utf8(input).map_err(|_| BAD)?;
    Ok(Mechanism::new_unchecked(name))
}

/// `initial-response = base64 / "="` (RFC 4954 §4), `base64` being whole
/// 4-character groups of the RFC 4648 alphabet with `=` padding only at
/// the end. Non-empty: an empty response is `=`.
pub(crate) fn initial_response(input: &[u8]) -> Result<InitialResponse<'_>, ParseError> {
    if input == b"=" {
        return Ok(InitialResponse::new_unchecked(""));
    }
    let data = input.len() - input.iter().rev().take_while(|&&b| b == b'=').count();
    let (text, padding) = split(input, data);
    let valid = !input.is_empty()
        && input.len() % 4 == 0
        && padding.len() <= 2
        && span(&BASE64, text) == text.len()
        && memchr(b'=', text).is_none();
    if !valid {
        return Err(ParseError::InvalidBase64);
    }
    let text = std::str::from_utf8(input).map_err(|_| ParseError::InvalidBase64)?;
    Ok(InitialResponse::new_unchecked(text))
}

/// `auth-command = "AUTH" SP sasl-mech [SP initial-response]` (RFC 4954 §4).
fn auth(args: &[u8]) -> Result<Command<'_>, ParseError> {
    let Some(arg) = args.strip_prefix(b" ") else {
        return Err(ParseError::InvalidArguments("a SASL mechanism is required"));
    };
    let (name, rest) = split(arg, memchr(b' ', arg).unwrap_or(arg.len()));
    let mechanism = sasl_mech(name)?;
    let initial_response = match rest.strip_prefix(b" ") {
        None => None,
        Some(response) => Some(initial_response(response)?),
    };
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
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
            |i| address::domain(i, opts),
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
    for &b in input {
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
