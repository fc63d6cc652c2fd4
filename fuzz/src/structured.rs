//! `Arbitrary` descriptions of commands, replies and EHLO responses, turned
//! into values only through the validating public constructors. The
//! `*_to_bytes_and_back` targets check that whatever a constructor accepts
//! encodes to bytes that decode back to the same value: a caller cannot
//! build a value that does not survive the wire (misuse resistance).

use arbitrary::{Arbitrary, Unstructured};
use smtp_proto::{
    Body, Capability, Command, EhloInfo, EnhancedStatus, ForwardPath, Host, LocalPart, MailParams,
    Mailbox, RcptParams, Reply, ReplyCode, ReversePath, XText,
    types::{
        command::{Argument, InitialResponse, Mechanism, NodeName},
        ehlo::{EhloKeyword, EhloParam, EhloParams, Limits},
        params::{
            AuthParam, By, ByMode, DateTime, EnvId, EsmtpKeyword, EsmtpValue, Hold, MtPriority,
            Notify, Orcpt, OrcptAddress, OtherParam, RareMailParams, RareRcptParams, Ret, Rrvs,
            RrvsMode,
        },
        xtext::Utf8AddrText,
    },
};

/// Octets a generated word is drawn from: enough of the grammar's
/// punctuation to reach quoted strings, literals and xtext, biased to letters.
const WORD_ALPHABET: &[u8] = b"abcxyzABCXYZ0189-._+@:[]\"\\= <>#";

/// A string for a constructor: either any UTF-8 the fuzzer likes, or a word
/// over [`WORD_ALPHABET`], which gets past the constructors far more often.
#[derive(Debug, Clone)]
pub struct Token(pub String);

impl<'a> Arbitrary<'a> for Token {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        if u.arbitrary::<bool>()? {
            return Ok(Token(u.arbitrary()?));
        }
        let picks: Vec<u8> = u.arbitrary()?;
        Ok(Token(
            picks
                .iter()
                .map(|&b| char::from(WORD_ALPHABET[usize::from(b) % WORD_ALPHABET.len()]))
                .collect(),
        ))
    }
}

impl Token {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mailbox built from its parts, or a whole path given as text.
#[derive(Debug, Clone, Arbitrary)]
pub enum MailboxSpec {
    /// `LocalPart::from_value` + `Host::try_from` + `Mailbox::new`.
    Parts {
        /// The unescaped local part.
        local: Token,
        /// A domain or address literal.
        domain: Token,
    },
    /// A whole path through `TryFrom<&str>` (source routes included).
    Path(Token),
}

/// A forward path.
#[derive(Debug, Clone, Arbitrary)]
pub enum RcptToSpec {
    /// `<Postmaster>`.
    Postmaster,
    /// A mailbox.
    Mailbox(MailboxSpec),
}

/// `HOLDFOR` or `HOLDUNTIL`.
#[derive(Debug, Clone, Arbitrary)]
pub enum HoldSpec {
    /// `Hold::For`.
    For(u32),
    /// `Hold::Until` with a `DateTime::try_from` value.
    Until(Token),
}

/// MAIL parameters.
#[derive(Debug, Clone, Arbitrary)]
pub struct MailParamsSpec {
    size: Option<u64>,
    body: Option<u8>,
    smtputf8: bool,
    ret: Option<bool>,
    envid: Option<Vec<u8>>,
    auth: Option<Option<Vec<u8>>>,
    requiretls: bool,
    mt_priority: Option<i8>,
    hold: Option<HoldSpec>,
    by: Option<(i32, bool, bool)>,
    other: Vec<(Token, Option<Token>)>,
}

/// How an ORCPT is built.
#[derive(Debug, Clone, Arbitrary)]
pub enum OrcptSpec {
    /// `Orcpt::rfc822`.
    Rfc822(Vec<u8>),
    /// `Orcpt::utf8(Utf8AddrText::from_address)`.
    Utf8(Token),
    /// `Orcpt::utf8(Utf8AddrText::from_address_unitext)`.
    Unitext(Token),
    /// `Orcpt::new` with an xtext address.
    Other(Token, Vec<u8>),
}

/// RCPT parameters.
#[derive(Debug, Clone, Arbitrary)]
pub struct RcptParamsSpec {
    notify: Option<(bool, bool, bool)>,
    orcpt: Option<OrcptSpec>,
    rrvs: Option<(Token, Option<bool>)>,
    other: Vec<(Token, Option<Token>)>,
}

/// A command.
#[derive(Debug, Clone, Arbitrary)]
pub enum CommandSpec {
    /// EHLO.
    Ehlo(Token),
    /// HELO.
    Helo(Token),
    /// LHLO.
    Lhlo(Token),
    /// MAIL; `None` is the null reverse path.
    Mail(Option<MailboxSpec>, MailParamsSpec),
    /// RCPT.
    Rcpt(RcptToSpec, RcptParamsSpec),
    /// DATA.
    Data,
    /// BDAT.
    Bdat(u64, bool),
    /// RSET.
    Rset,
    /// VRFY.
    Vrfy(Token),
    /// EXPN.
    Expn(Token),
    /// HELP.
    Help(Option<Token>),
    /// NOOP.
    Noop(Option<Token>),
    /// QUIT.
    Quit,
    /// STARTTLS.
    StartTls,
    /// AUTH with the decoded initial response.
    Auth(Token, Option<Vec<u8>>),
    /// ETRN.
    Etrn(Token),
}


fn mailbox(spec: &MailboxSpec) -> Option<ReversePath<'_>> {
    match spec {
        MailboxSpec::Parts { local, domain } => {
            let local = LocalPart::from_value(local.as_str()).ok()?;
            let host = Host::try_from(domain.as_str()).ok()?;
            Some(ReversePath::from(Mailbox::new(local, host).ok()?))
        }
        MailboxSpec::Path(text) => ReversePath::try_from(text.as_str()).ok(),
    }
}

fn others<'a>(specs: &'a [(Token, Option<Token>)], typed: &[&str]) -> Option<Vec<OtherParam<'a>>> {
    specs
        .iter()
        .map(|(keyword, value)| {
            if typed
                .iter()
                .any(|k| k.eq_ignore_ascii_case(keyword.as_str()))
            {
                return None;
            }
            Some(OtherParam {
                keyword: EsmtpKeyword::try_from(keyword.as_str()).ok()?,
                value: match value {
                    Some(value) => Some(EsmtpValue::try_from(value.as_str()).ok()?),
                    None => None,
                },
            })
        })
        .collect()
}

fn mail_params(spec: &MailParamsSpec) -> Option<MailParams<'_>> {
    Some(MailParams {
        size: spec.size,
        body: spec.body.map(|b| match b % 3 {
            0 => Body::SevenBit,
            1 => Body::EightBitMime,
            _ => Body::BinaryMime,
        }),
        smtputf8: spec.smtputf8,
        rare: Some(Box::new(RareMailParams {
            ret: spec
                .ret
                .map(|full| if full { Ret::Full } else { Ret::Hdrs }),
            envid: match &spec.envid {
                Some(bytes) => Some(EnvId::new(XText::from_decoded(bytes)).ok()?),
                None => None,
            },
            auth: match &spec.auth {
                None => None,
                Some(None) => Some(AuthParam::empty()),
                Some(Some(bytes)) => Some(AuthParam::mailbox(XText::from_decoded(bytes)).ok()?),
            },
            requiretls: spec.requiretls,
            mt_priority: match spec.mt_priority {
                Some(p) => Some(MtPriority::new(p).ok()?),
                None => None,
            },
            hold: match &spec.hold {
                None => None,
                Some(HoldSpec::For(seconds)) => Some(Hold::For(*seconds)),
                Some(HoldSpec::Until(time)) => {
                    Some(Hold::Until(DateTime::try_from(time.as_str()).ok()?))
                }
            },
            by: match spec.by {
                Some((time, ret, trace)) => {
                    let mode = if ret { ByMode::Return } else { ByMode::Notify };
                    Some(By::new(time, mode, trace).ok()?)
                }
                None => None,
            },
            other: others(&spec.other, MailParams::TYPED_KEYWORDS)?,
        })),
    })
}

fn rcpt_params(spec: &RcptParamsSpec) -> Option<RcptParams<'_>> {
    Some(RcptParams {
        notify: spec.notify.map(|(success, failure, delay)| Notify {
            success,
            failure,
            delay,
        }),
        orcpt: match &spec.orcpt {
            None => None,
            Some(OrcptSpec::Rfc822(bytes)) => Some(Orcpt::rfc822(bytes)),
            Some(OrcptSpec::Utf8(text)) => {
                Some(Orcpt::utf8(Utf8AddrText::from_address(text.as_str()).ok()?))
            }
            Some(OrcptSpec::Unitext(text)) => Some(Orcpt::utf8(
                Utf8AddrText::from_address_unitext(text.as_str()).ok()?,
            )),
            Some(OrcptSpec::Other(addr_type, bytes)) => Some(
                Orcpt::new(
                    addr_type.as_str(),
                    OrcptAddress::XText(XText::from_decoded(bytes)),
                )
                .ok()?,
            ),
        },
        rare: Some(Box::new(RareRcptParams {
            rrvs: match &spec.rrvs {
                None => None,
                Some((time, mode)) => Some(Rrvs {
                    time: DateTime::try_from(time.as_str()).ok()?,
                    mode: mode.map(|reject| {
                        if reject {
                            RrvsMode::Reject
                        } else {
                            RrvsMode::Continue
                        }
                    }),
                }),
            },
            other: others(&spec.other, RcptParams::TYPED_KEYWORDS)?,
        })),
    })
}

fn argument(token: &Token) -> Option<Argument<'_>> {
    Argument::try_from(token.as_str()).ok()
}

/// The command `spec` describes, or `None` when a constructor refuses a part.
pub fn build_command(spec: &CommandSpec) -> Option<Command<'_>> {
    Some(match spec {
        CommandSpec::Ehlo(host) => Command::Ehlo(Host::try_from(host.as_str()).ok()?),
        CommandSpec::Helo(host) => Command::Helo(Host::try_from(host.as_str()).ok()?),
        CommandSpec::Lhlo(host) => Command::Lhlo(Host::try_from(host.as_str()).ok()?),
        CommandSpec::Mail(from, params) => Command::Mail {
            from: match from {
                None => ReversePath::Null,
                Some(spec) => mailbox(spec)?,
            },
            params: mail_params(params)?,
        },
        CommandSpec::Rcpt(to, params) => Command::Rcpt {
            to: match to {
                RcptToSpec::Postmaster => ForwardPath::Postmaster,
                RcptToSpec::Mailbox(MailboxSpec::Path(text)) => {
                    ForwardPath::try_from(text.as_str()).ok()?
                }
                RcptToSpec::Mailbox(spec) => match mailbox(spec)? {
                    ReversePath::Path(path) => ForwardPath::Path(path),
                    ReversePath::Null => return None,
                },
            },
            params: rcpt_params(params)?,
        },
        CommandSpec::Data => Command::Data,
        CommandSpec::Bdat(size, last) => Command::Bdat {
            size: *size,
            last: *last,
        },
        CommandSpec::Rset => Command::Rset,
        CommandSpec::Vrfy(arg) => Command::Vrfy(argument(arg)?),
        CommandSpec::Expn(arg) => Command::Expn(argument(arg)?),
        CommandSpec::Help(arg) => Command::Help(match arg {
            Some(arg) => Some(argument(arg)?),
            None => None,
        }),
        CommandSpec::Noop(arg) => Command::Noop(match arg {
            Some(arg) => Some(argument(arg)?),
            None => None,
        }),
        CommandSpec::Quit => Command::Quit,
        CommandSpec::StartTls => Command::StartTls,
        CommandSpec::Auth(mechanism, initial) => Command::Auth {
            mechanism: Mechanism::try_from(mechanism.as_str()).ok()?,
            initial_response: initial.as_deref().map(InitialResponse::from_bytes),
        },
        CommandSpec::Etrn(node) => Command::Etrn(NodeName::try_from(node.as_str()).ok()?),
    })
}

/// A reply.
#[derive(Debug, Clone, Arbitrary)]
pub struct ReplySpec {
    code: u16,
    enhanced: Option<(u8, u16, u16)>,
    lines: Vec<Token>,
    /// Build with `Reply::new_single` from the first line.
    single: bool,
}

/// The reply `spec` describes, or `None` when a constructor refuses it.
pub fn build_reply(spec: &ReplySpec) -> Option<Reply<'_>> {
    let code = ReplyCode::new(spec.code).ok()?;
    let enhanced = match spec.enhanced {
        Some((class, subject, detail)) => Some(EnhancedStatus::new(class, subject, detail).ok()?),
        None => None,
    };
    if spec.single {
        let first = spec.lines.first().map_or("", Token::as_str);
        Reply::new_single(code, enhanced, first).ok()
    } else {
        Reply::new(code, enhanced, spec.lines.iter().map(Token::as_str)).ok()
    }
}

/// One EHLO capability.
#[derive(Debug, Clone, Arbitrary)]
pub enum CapabilitySpec {
    /// SIZE.
    Size(Option<u64>),
    /// PIPELINING.
    Pipelining,
    /// 8BITMIME.
    EightBitMime,
    /// BINARYMIME.
    BinaryMime,
    /// CHUNKING.
    Chunking,
    /// STARTTLS.
    StartTls,
    /// AUTH with `EhloParams::try_from`.
    Auth(Token),
    /// DSN.
    Dsn,
    /// ENHANCEDSTATUSCODES.
    EnhancedStatusCodes,
    /// SMTPUTF8.
    SmtpUtf8,
    /// REQUIRETLS.
    RequireTls,
    /// DELIVERBY.
    DeliverBy(Option<u64>),
    /// FUTURERELEASE with `EhloParam::try_from`.
    FutureRelease(u64, Token),
    /// MT-PRIORITY.
    MtPriority(Option<Token>),
    /// RRVS.
    Rrvs,
    /// LIMITS through `Limits::try_from`.
    Limits(Token),
    /// LIMITS through `Limits::new`.
    TypedLimits(Option<u32>, Option<u32>, Option<u32>),
    /// VRFY.
    Vrfy,
    /// ETRN.
    Etrn,
    /// HELP.
    Help,
    /// EXPN.
    Expn,
    /// Any keyword with `EhloKeyword::try_from` and `EhloParams::try_from`.
    Other(Token, Token),
}

/// An EHLO response.
#[derive(Debug, Clone, Arbitrary)]
pub struct EhloSpec {
    domain: Token,
    greeting: Option<Token>,
    capabilities: Vec<CapabilitySpec>,
}

fn capability(spec: &CapabilitySpec) -> Option<Capability<'_>> {
    Some(match spec {
        CapabilitySpec::Size(limit) => Capability::Size(*limit),
        CapabilitySpec::Pipelining => Capability::Pipelining,
        CapabilitySpec::EightBitMime => Capability::EightBitMime,
        CapabilitySpec::BinaryMime => Capability::BinaryMime,
        CapabilitySpec::Chunking => Capability::Chunking,
        CapabilitySpec::StartTls => Capability::StartTls,
        CapabilitySpec::Auth(params) => {
            Capability::Auth(EhloParams::try_from(params.as_str()).ok()?)
        }
        CapabilitySpec::Dsn => Capability::Dsn,
        CapabilitySpec::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
        CapabilitySpec::SmtpUtf8 => Capability::SmtpUtf8,
        CapabilitySpec::RequireTls => Capability::RequireTls,
        CapabilitySpec::DeliverBy(by) => Capability::DeliverBy(*by),
        CapabilitySpec::FutureRelease(max_interval, max_datetime) => Capability::FutureRelease {
            max_interval: *max_interval,
            max_datetime: EhloParam::try_from(max_datetime.as_str()).ok()?,
        },
        CapabilitySpec::MtPriority(profile) => Capability::MtPriority(match profile {
            Some(profile) => Some(EhloParam::try_from(profile.as_str()).ok()?),
            None => None,
        }),
        CapabilitySpec::Rrvs => Capability::Rrvs,
        CapabilitySpec::Limits(params) => {
            Capability::Limits(Limits::try_from(params.as_str()).ok()?)
        }
        CapabilitySpec::TypedLimits(rcpt, mail, domain) => {
            Capability::Limits(Limits::new(*rcpt, *mail, *domain))
        }
        CapabilitySpec::Vrfy => Capability::Vrfy,
        CapabilitySpec::Etrn => Capability::Etrn,
        CapabilitySpec::Help => Capability::Help,
        CapabilitySpec::Expn => Capability::Expn,
        CapabilitySpec::Other(keyword, params) => Capability::Other {
            keyword: EhloKeyword::try_from(keyword.as_str()).ok()?,
            params: EhloParams::try_from(params.as_str()).ok()?,
        },
    })
}

/// The EHLO response `spec` describes, or `None` when a constructor refuses it.
pub fn build_ehlo(spec: &EhloSpec) -> Option<EhloInfo<'_>> {
    let capabilities = spec
        .capabilities
        .iter()
        .map(capability)
        .collect::<Option<Vec<_>>>()?;
    EhloInfo::new(
        spec.domain.as_str(),
        spec.greeting.as_ref().map(Token::as_str),
        capabilities,
    )
    .ok()
}

/// Whether `info` holds an `Other` capability whose keyword is one of the
/// typed ones: such a capability is documented to parse back typed when its
/// parameters are valid, so only the wire form is compared.
pub fn has_other_with_known_keyword(info: &EhloInfo<'_>) -> bool {
    const TYPED: &[&str] = &[
        "SIZE",
        "PIPELINING",
        "8BITMIME",
        "BINARYMIME",
        "CHUNKING",
        "STARTTLS",
        "AUTH",
        "DSN",
        "ENHANCEDSTATUSCODES",
        "SMTPUTF8",
        "REQUIRETLS",
        "DELIVERBY",
        "FUTURERELEASE",
        "MT-PRIORITY",
        "RRVS",
        "LIMITS",
        "VRFY",
        "ETRN",
        "HELP",
        "EXPN",
    ];
    info.capabilities().iter().any(|capability| {
        matches!(capability, Capability::Other { keyword, .. }
            if TYPED.iter().any(|k| k.eq_ignore_ascii_case(keyword.as_str())))
    })
}
