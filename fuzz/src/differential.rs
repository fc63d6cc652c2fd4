//! The differential comparison with Stalwart's `smtp-proto` 0.2.5 on command
//! lines: both parsers get the same line; where one accepts and the other
//! refuses, the disagreement must fall in one of the classes documented in
//! `fuzz/DIFFERENCES.md`, each decided by an RFC rule (a disagreement is a
//! question, not automatically a bug). An unclassified disagreement, or both
//! accepting different verbs, is a new question: the target panics so that
//! the fuzzer keeps the input for a human to decide.

use smtp_proto::{Command, ParseError, ParseOptions, Verb};
use stalwart_smtp_proto::{Error as TheirError, Request};

/// What the two parsers made of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Our verb, or our error.
    pub ours: Result<Verb, ParseError>,
    /// Stalwart's verb, or its error.
    pub theirs: Result<&'static str, TheirError>,
}

/// A documented class of disagreement (see `fuzz/DIFFERENCES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Disagreement {
    /// We refuse what is not `verb [SP arguments]` (leading or doubled
    /// white space, a verb glued to its argument); Stalwart skips white space.
    VerbSyntax,
    /// We refuse arguments after DATA, RSET, QUIT, STARTTLS; Stalwart ignores them.
    ArgumentsToArgumentlessCommand,
    /// We refuse a path, mailbox, domain or address literal outside the
    /// RFC 5321 §4.1.2 grammar (EHLO/HELO argument included); Stalwart accepts it.
    PathSyntax,
    /// We refuse a local part, domain or path over the RFC 5321 §4.5.3.1 limits.
    SizeLimits,
    /// We refuse parameters outside `esmtp-param` (empty, bad keyword or value).
    ParamSyntax,
    /// We refuse a known parameter's value that its RFC does not allow, or a
    /// repeated parameter.
    ParamValues,
    /// We refuse an AUTH mechanism name or initial response outside RFC 4954 §4.
    AuthSyntax,
    /// We refuse VRFY/EXPN/ETRN/HELP/NOOP arguments outside their grammar
    /// (missing, empty, surrounded by spaces, holding control characters).
    ArgumentSyntax,
    /// We refuse a BDAT chunk size that is missing, not a number or too
    /// large, or anything but `LAST` after it.
    BdatSyntax,
    /// We refuse 8-bit octets without SMTPUTF8 (strict options).
    NonAscii,
    /// We refuse octets that are not UTF-8 even under the SMTPUTF8 grammar.
    InvalidUtf8,
    /// Stalwart knows BURL (RFC 4468) and ATRN (RFC 2645); we do not implement them.
    VerbNotImplemented,
    /// We accept unknown MAIL/RCPT parameters (for the server to answer 555);
    /// Stalwart's parser refuses them itself.
    UnknownParameterDeferred,
    /// We accept mailbox forms Stalwart refuses (address literals, quoted
    /// strings, source routes, ...).
    MailboxFormsStalwartRefuses,
    /// We accept parameter values Stalwart refuses.
    ParamValuesStalwartRefuses,
    /// We accept command syntax Stalwart refuses.
    SyntaxStalwartRefuses,
}

/// Parses `line` (one command line, CRLF included) with both crates.
pub fn outcome(line: &[u8]) -> Outcome {
    Outcome {
        ours: Command::parse(line, &ParseOptions::strict()).map(|(command, _)| command.verb()),
        theirs: Request::parse(&mut line.iter()).map(|request| request.name()),
    }
}

/// The fuzz input as one command line: up to the first CR or LF, plus CRLF.
pub fn line_of(data: &[u8]) -> Vec<u8> {
    let end = data
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(data.len());
    let mut line = data[..end].to_vec();
    line.extend_from_slice(b"\r\n");
    line
}

/// `None` when both agree; the class of their disagreement otherwise; and
/// `Err` for a disagreement that fits no class.
pub fn classify(line: &[u8], outcome: &Outcome) -> Result<Option<Disagreement>, String> {
    use Disagreement::*;
    let unclassified = || Err(format!("{:?}: {outcome:?}", String::from_utf8_lossy(line)));
    let class = match (&outcome.ours, &outcome.theirs) {
        (Ok(ours), Ok(theirs)) if ours.as_str() == *theirs => return Ok(None),
        (Ok(_), Ok(_)) => return unclassified(),
        (Err(_), Err(_)) => return Ok(None),
        (Err(error), Ok(verb)) => match error {
            ParseError::UnknownCommand if matches!(*verb, "BURL" | "ATRN") => VerbNotImplemented,
            ParseError::UnknownCommand
            | ParseError::InvalidArguments("expected a space before the argument") => VerbSyntax,
            ParseError::InvalidArguments("command takes no arguments") => {
                ArgumentsToArgumentlessCommand
            }
            ParseError::InvalidAddress(_)
            | ParseError::InvalidArguments(
                "space after the colon"
                | "a domain or address literal is required"
                | "expected MAIL FROM:<address>"
                | "expected RCPT TO:<address>",
            ) => PathSyntax,
            ParseError::TooLong(_) => SizeLimits,
            ParseError::InvalidArguments(
                "empty parameter"
                | "esmtp-param"
                | "esmtp-keyword"
                | "esmtp-value"
                | "expected SP before a parameter",
            ) => ParamSyntax,
            ParseError::InvalidParameter(_)
            | ParseError::DuplicateParameter(_)
            | ParseError::InvalidArguments("HOLDFOR and HOLDUNTIL exclude each other") => {
                ParamValues
            }
            ParseError::InvalidBase64
            | ParseError::InvalidArguments(
                "invalid SASL mechanism name" | "a SASL mechanism is required",
            ) => AuthSyntax,
            ParseError::InvalidArguments(
                "an argument is required"
                | "a node name is required"
                | "empty argument"
                | "control character in argument"
                | "argument starts or ends with a space",
            ) => ArgumentSyntax,
            ParseError::InvalidArguments(
                "chunk size too large"
                | "a chunk size is required"
                | "expected LAST after the chunk size",
            ) => BdatSyntax,
            ParseError::NonAscii => NonAscii,
            ParseError::InvalidArguments("invalid UTF-8 in argument" | "UTF-8") => InvalidUtf8,
            _ => return unclassified(),
        },
        (Ok(_), Err(error)) => match error {
            TheirError::UnsupportedParameter { .. } => UnknownParameterDeferred,
            TheirError::InvalidSenderAddress | TheirError::InvalidRecipientAddress => {
                MailboxFormsStalwartRefuses
            }
            TheirError::InvalidParameter { .. } => ParamValuesStalwartRefuses,
            TheirError::SyntaxError { .. } => SyntaxStalwartRefuses,
            _ => return unclassified(),
        },
    };
    Ok(Some(class))
}

/// The fuzz target's check: the disagreement on this input, if any, is classified.
pub fn check_differential(data: &[u8]) {
    let line = line_of(data);
    if let Err(question) = classify(&line, &outcome(&line)) {
        panic!("unclassified disagreement with Stalwart: {question}");
    }
}
