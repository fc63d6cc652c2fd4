//! SMTP commands (RFC 5321 §4.1.1 and the extensions a server meets:
//! LHLO RFC 2033, BDAT RFC 3030, STARTTLS RFC 3207, AUTH RFC 4954, ETRN RFC 1985).

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::io::Write as _;

use base64::Engine as _;

use crate::{
    encode::Encode,
    error::ParseError,
    options::ParseOptions,
    parse::command as grammar,
    types::{
        address::{CONSTRUCTOR_OPTIONS, Domain, ForwardPath, Host, ReversePath},
        params::{MailParams, RcptParams},
    },
};

fn cow_into_owned(cow: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(cow.into_owned())
}

/// A command of the client, borrowed from the line it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `EHLO` (RFC 5321 §4.1.1.1).
    Ehlo(Host<'a>),
    /// `HELO` (RFC 5321 §4.1.1.1); an address literal is accepted too.
    Helo(Host<'a>),
    /// `LHLO` (RFC 2033 §4.1).
    Lhlo(Host<'a>),
    /// `MAIL FROM:` (RFC 5321 §4.1.1.2).
    Mail {
        /// The sender, possibly null.
        from: ReversePath<'a>,
        /// ESMTP parameters.
        params: MailParams<'a>,
    },
    /// `RCPT TO:` (RFC 5321 §4.1.1.3).
    Rcpt {
        /// The recipient.
        to: ForwardPath<'a>,
        /// ESMTP parameters.
        params: RcptParams<'a>,
    },
    /// `DATA` (RFC 5321 §4.1.1.4).
    Data,
    /// `BDAT chunk-size [LAST]` (RFC 3030 §2).
    Bdat {
        /// Octets of the chunk that follows the command line.
        size: u64,
        /// The last chunk of the message.
        last: bool,
    },
    /// `RSET` (RFC 5321 §4.1.1.5).
    Rset,
    /// `VRFY` (RFC 5321 §4.1.1.6).
    Vrfy(Argument<'a>),
    /// `EXPN` (RFC 5321 §4.1.1.7).
    Expn(Argument<'a>),
    /// `HELP` (RFC 5321 §4.1.1.8).
    Help(Option<Argument<'a>>),
    /// `NOOP` (RFC 5321 §4.1.1.9).
    Noop(Option<Argument<'a>>),
    /// `QUIT` (RFC 5321 §4.1.1.10).
    Quit,
    /// `STARTTLS` (RFC 3207 §4).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The initial response, when the client sent one.
        initial_response: Option<InitialResponse<'a>>,
    },
    /// `ETRN` (RFC 1985 §5).
    Etrn(NodeName<'a>),
}

/// The verb of a [`Command`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verb {
    /// `EHLO`.
    Ehlo,
    /// `HELO`.
    Helo,
    /// `LHLO`.
    Lhlo,
    /// `MAIL`.
    Mail,
    /// `RCPT`.
    Rcpt,
    /// `DATA`.
    Data,
    /// `BDAT`.
    Bdat,
    /// `RSET`.
    Rset,
    /// `VRFY`.
    Vrfy,
    /// `EXPN`.
    Expn,
    /// `HELP`.
    Help,
    /// `NOOP`.
    Noop,
    /// `QUIT`.
    Quit,
    /// `STARTTLS`.
    StartTls,
    /// `AUTH`.
    Auth,
    /// `ETRN`.
    Etrn,
}

impl Verb {
    /// The verb in upper case, as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verb::Ehlo => "EHLO",
            Verb::Helo => "HELO",
            Verb::Lhlo => "LHLO",
            Verb::Mail => "MAIL",
            Verb::Rcpt => "RCPT",
            Verb::Data => "DATA",
            Verb::Bdat => "BDAT",
            Verb::Rset => "RSET",
            Verb::Vrfy => "VRFY",
            Verb::Expn => "EXPN",
            Verb::Help => "HELP",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH",
            Verb::Etrn => "ETRN",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> Command<'a> {
    /// Parses one command from the start of `buf`, which holds bytes as read
    /// from the peer: returns the command and the bytes it took, line ending
    /// included, or [`ParseError::Incomplete`] while no line end is buffered.
    ///
    /// The line must end in CRLF; a bare LF is accepted only under
    /// [`ParseOptions::lf_line_endings`] and is an error otherwise. The line
    /// length is not limited here: the framer does that.
    pub fn parse(buf: &'a [u8], opts: &ParseOptions) -> Result<(Self, usize), ParseError> {
        grammar::command_stream(buf, opts)
    }

    /// The verb.
    pub fn verb(&self) -> Verb {
        match self {
            Command::Ehlo(_) => Verb::Ehlo,
            Command::Helo(_) => Verb::Helo,
            Command::Lhlo(_) => Verb::Lhlo,
            Command::Mail { .. } => Verb::Mail,
            Command::Rcpt { .. } => Verb::Rcpt,
            Command::Data => Verb::Data,
            Command::Bdat { .. } => Verb::Bdat,
            Command::Rset => Verb::Rset,
            Command::Vrfy(_) => Verb::Vrfy,
            Command::Expn(_) => Verb::Expn,
            Command::Help(_) => Verb::Help,
            Command::Noop(_) => Verb::Noop,
            Command::Quit => Verb::Quit,
            Command::StartTls => Verb::StartTls,
            Command::Auth { .. } => Verb::Auth,
            Command::Etrn(_) => Verb::Etrn,
        }
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Command::Ehlo(host) => Command::Ehlo(host.into_owned()),
            Command::Helo(host) => Command::Helo(host.into_owned()),
            Command::Lhlo(host) => Command::Lhlo(host.into_owned()),
            Command::Mail { from, params } => Command::Mail {
                from: from.into_owned(),
                params: params.into_owned(),
            },
            Command::Rcpt { to, params } => Command::Rcpt {
                to: to.into_owned(),
                params: params.into_owned(),
            },
            Command::Data => Command::Data,
            Command::Bdat { size, last } => Command::Bdat { size, last },
            Command::Rset => Command::Rset,
            Command::Vrfy(arg) => Command::Vrfy(arg.into_owned()),
            Command::Expn(arg) => Command::Expn(arg.into_owned()),
            Command::Help(arg) => Command::Help(arg.map(Argument::into_owned)),
            Command::Noop(arg) => Command::Noop(arg.map(Argument::into_owned)),
            Command::Quit => Command::Quit,
            Command::StartTls => Command::StartTls,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(InitialResponse::into_owned),
            },
            Command::Etrn(node) => Command::Etrn(node.into_owned()),
        }
    }
}

impl Encode for Command<'_> {
    /// The canonical wire form, CRLF included.
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.verb().as_str().as_bytes());
        match self {
            Command::Ehlo(host) | Command::Helo(host) | Command::Lhlo(host) => {
                out.push(b' ');
                host.encode(out);
            }
            Command::Mail { from, params } => {
                out.extend_from_slice(b" FROM:");
                from.encode(out);
                params.encode(out);
            }
            Command::Rcpt { to, params } => {
                out.extend_from_slice(b" TO:");
                to.encode(out);
                params.encode(out);
            }
            Command::Bdat { size, last } => {
                // Writing into a Vec cannot fail.
                let _ = write!(out, " {size}");
                if *last {
                    out.extend_from_slice(b" LAST");
                }
            }
            Command::Vrfy(arg) | Command::Expn(arg) => {
                out.push(b' ');
                arg.encode(out);
            }
            Command::Help(arg) | Command::Noop(arg) => {
                if let Some(arg) = arg {
                    out.push(b' ');
                    arg.encode(out);
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                out.push(b' ');
                out.extend_from_slice(mechanism.as_str().as_bytes());
                if let Some(response) = initial_response {
                    out.push(b' ');
                    response.encode(out);
                }
            }
            Command::Etrn(node) => {
                out.push(b' ');
                node.encode(out);
            }
            Command::Data | Command::Rset | Command::Quit | Command::StartTls => {}
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// A free-form argument (VRFY, EXPN, HELP, NOOP, ETRN `#queue`): printable
/// US-ASCII and spaces, UTF-8 under SMTPUTF8, neither starting nor ending
/// with a space. Wider than RFC 5321's `String` because real clients send
/// more; never a control character, so it cannot smuggle a line end.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Argument<'a>(Cow<'a, str>);

impl<'a> Argument<'a> {
    /// For the parser, after it has checked the grammar.
    pub(crate) fn new_unchecked(text: &'a str) -> Self {
        Argument(Cow::Borrowed(text))
    }

    /// Checks a whole argument under `opts`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::argument(input, opts)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Argument<'static> {
        Argument(cow_into_owned(self.0))
    }
}

impl<'a> TryFrom<&'a str> for Argument<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        Argument::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl fmt::Display for Argument<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Encode for Argument<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0.as_bytes());
    }
}

/// A SASL mechanism name, `sasl-mech = 1*20mech-char`,
/// `mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE` (RFC 4954 §4,
/// RFC 4422 §3.1), kept as sent. Lower case is accepted and equality ignores
/// case.
#[derive(Debug, Clone, Eq)]
pub struct Mechanism<'a>(Cow<'a, str>);

impl<'a> Mechanism<'a> {
    /// For the parser, after it has checked the grammar.
    pub(crate) fn new_unchecked(name: &'a str) -> Self {
        Mechanism(Cow::Borrowed(name))
    }

    /// The name as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when this is the mechanism `name`, ignoring case.
    pub fn is(&self, name: &str) -> bool {
        self.0.eq_ignore_ascii_case(name)
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Mechanism<'static> {
        Mechanism(cow_into_owned(self.0))
    }
}

impl PartialEq for Mechanism<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Hash for Mechanism<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_uppercase());
        }
    }
}

impl<'a> TryFrom<&'a str> for Mechanism<'a> {
    type Error = ParseError;

    fn try_from(name: &'a str) -> Result<Self, ParseError> {
        grammar::sasl_mech(name.as_bytes())
    }
}

impl fmt::Display for Mechanism<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The initial response of AUTH, `initial-response = base64 / "="`
/// (RFC 4954 §4), kept in base64; `=` (an empty response) is held as an
/// empty text. A secret: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct InitialResponse<'a>(Cow<'a, str>);

impl<'a> InitialResponse<'a> {
    /// For the parser, after it has checked the grammar (`""` for `=`).
    pub(crate) fn new_unchecked(base64: &'a str) -> Self {
        InitialResponse(Cow::Borrowed(base64))
    }

    /// Encodes `response` in base64 (an empty response becomes `=`).
    pub fn from_bytes(response: &[u8]) -> InitialResponse<'static> {
        InitialResponse(Cow::Owned(
            base64::engine::general_purpose::STANDARD.encode(response),
        ))
    }

    /// True for the empty response (`=` on the wire).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The base64 text (empty for `=`).
    pub fn as_base64(&self) -> &str {
        &self.0
    }

    /// The decoded response.
    pub fn decode(&self) -> Result<Vec<u8>, ParseError> {
        base64::engine::general_purpose::STANDARD
            .decode(self.0.as_bytes())
            .map_err(|_| ParseError::InvalidBase64)
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> InitialResponse<'static> {
        InitialResponse(cow_into_owned(self.0))
    }
}

impl<'a> TryFrom<&'a str> for InitialResponse<'a> {
    type Error = ParseError;

    /// Takes the wire form: base64, or `=` for an empty response.
    fn try_from(wire: &'a str) -> Result<Self, ParseError> {
        grammar::initial_response(wire.as_bytes())
    }
}

impl fmt::Debug for InitialResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InitialResponse(<redacted>)")
    }
}

impl Encode for InitialResponse<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        if self.0.is_empty() {
            out.push(b'=');
        } else {
            out.extend_from_slice(self.0.as_bytes());
        }
    }
}

/// The argument of ETRN, `node-name = domain / "@" domain / "#" String`
/// (RFC 1985 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeName<'a> {
    /// `domain`: the queue of this domain.
    Domain(Domain<'a>),
    /// `@domain`: this domain and its subdomains.
    Subdomains(Domain<'a>),
    /// `#queue`: a named queue.
    Queue(Argument<'a>),
}

impl<'a> NodeName<'a> {
    /// Parses a whole node name under `opts`.
    pub fn parse(input: &'a [u8], opts: &ParseOptions) -> Result<Self, ParseError> {
        grammar::node_name(input, opts)
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> NodeName<'static> {
        match self {
            NodeName::Domain(domain) => NodeName::Domain(domain.into_owned()),
            NodeName::Subdomains(domain) => NodeName::Subdomains(domain.into_owned()),
            NodeName::Queue(queue) => NodeName::Queue(queue.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for NodeName<'a> {
    type Error = ParseError;

    fn try_from(text: &'a str) -> Result<Self, ParseError> {
        NodeName::parse(text.as_bytes(), &CONSTRUCTOR_OPTIONS)
    }
}

impl Encode for NodeName<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            NodeName::Domain(domain) => domain.encode(out),
            NodeName::Subdomains(domain) => {
                out.push(b'@');
                domain.encode(out);
            }
            NodeName::Queue(queue) => {
                out.push(b'#');
                queue.encode(out);
            }
        }
    }
}
