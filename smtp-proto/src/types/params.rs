//! MAIL FROM and RCPT TO parameters (RFC 5321 §4.1.2 `esmtp-param`), typed
//! for the extensions this crate knows, kept verbatim for the others.
//!
//! Every value type validates on construction with the same grammar the
//! parser runs, so [`MailParams`] and [`RcptParams`] always encode to
//! something that parses back to themselves.

use std::borrow::Cow;

use crate::{
    chars::{ATEXT, ESMTP_VALUE},
    encode::Encode,
    error::ParseError,
    parse::params::{date_time, esmtp_keyword},
    types::{
        status::push_decimal,
        xtext::{Utf8AddrText, XText},
    },
};

/// Parameters of `MAIL FROM:<...>`.
///
/// The parameters nearly every MAIL carries (SIZE, BODY, SMTPUTF8) are
/// fields; the others are in [`RareMailParams`], boxed and allocated only
/// when one of them is given, so that a parsed [`Command`](crate::Command)
/// stays small (it is moved on every parse) and the common path allocates
/// nothing. Read them with [`MailParams::rare`] (an empty set when there is
/// none) or the getters; set them with [`MailParams::rare_mut`]. `rare:
/// None` and `rare: Some` of an empty set are equal.
///
/// `other` holds unknown parameters (and RCPT parameters given to MAIL),
/// which a server answers with 555. An `other` entry whose keyword is one
/// of the typed parameters encodes fine but parses back into the typed field.
#[derive(Debug, Clone, Default)]
pub struct MailParams<'a> {
    /// `SIZE=` (RFC 1870): the message size the client announces.
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// The other parameters, when any was given.
    pub rare: Option<Box<RareMailParams<'a>>>,
}

/// The MAIL parameters a submission rarely carries: see [`MailParams`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RareMailParams<'a> {
    /// `RET=` (RFC 3461): what a DSN should return.
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461): the envelope identifier.
    pub envid: Option<EnvId<'a>>,
    /// `AUTH=` (RFC 4954 §5): the authenticated submitter.
    pub auth: Option<AuthParam<'a>>,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// `MT-PRIORITY=` (RFC 6710).
    pub mt_priority: Option<MtPriority>,
    /// `HOLDFOR=` or `HOLDUNTIL=` (RFC 4865); the two exclude each other.
    pub hold: Option<Hold<'a>>,
    /// `BY=` (RFC 2852).
    pub by: Option<By>,
    /// Parameters without a typed field, in the order given.
    pub other: Vec<OtherParam<'a>>,
}

/// What [`MailParams::rare`] shows when no rare parameter was given.
static NO_RARE_MAIL_PARAMS: RareMailParams<'static> = RareMailParams {
    ret: None,
    envid: None,
    auth: None,
    requiretls: false,
    mt_priority: None,
    hold: None,
    by: None,
    other: Vec::new(),
};

impl RareMailParams<'_> {
    /// Detaches from the input buffer.
    pub fn into_owned(self) -> RareMailParams<'static> {
        RareMailParams {
            ret: self.ret,
            envid: self.envid.map(EnvId::into_owned),
            auth: self.auth.map(AuthParam::into_owned),
            requiretls: self.requiretls,
            mt_priority: self.mt_priority,
            hold: self.hold.map(Hold::into_owned),
            by: self.by,
            other: self.other.into_iter().map(OtherParam::into_owned).collect(),
        }
    }
}

impl<'a> MailParams<'a> {
    /// The keywords with a typed field: a parameter with one of these is
    /// parsed into its field, never kept as an [`OtherParam`].
    pub const TYPED_KEYWORDS: &'static [&'static str] = &[
        "SIZE",
        "BODY",
        "SMTPUTF8",
        "RET",
        "ENVID",
        "AUTH",
        "REQUIRETLS",
        "MT-PRIORITY",
        "HOLDFOR",
        "HOLDUNTIL",
        "BY",
    ];

    /// True when there is no parameter at all.
    pub fn is_empty(&self) -> bool {
        self.size.is_none() && self.body.is_none() && !self.smtputf8 && self.rare().is_empty()
    }

    /// The rare parameters; an empty set when none was given.
    pub fn rare(&self) -> &RareMailParams<'a> {
        self.rare.as_deref().unwrap_or(&NO_RARE_MAIL_PARAMS)
    }

    /// The rare parameters, to set one (allocates the set on first use).
    pub fn rare_mut(&mut self) -> &mut RareMailParams<'a> {
        self.rare.get_or_insert_with(Box::default)
    }

    /// `RET=`.
    pub fn ret(&self) -> Option<Ret> {
        self.rare().ret
    }

    /// `ENVID=`.
    pub fn envid(&self) -> Option<&EnvId<'a>> {
        self.rare().envid.as_ref()
    }

    /// `AUTH=`.
    pub fn auth(&self) -> Option<&AuthParam<'a>> {
        self.rare().auth.as_ref()
    }

    /// `REQUIRETLS`.
    pub fn requiretls(&self) -> bool {
        self.rare().requiretls
    }

    /// `MT-PRIORITY=`.
    pub fn mt_priority(&self) -> Option<MtPriority> {
        self.rare().mt_priority
    }

    /// `HOLDFOR=` or `HOLDUNTIL=`.
    pub fn hold(&self) -> Option<&Hold<'a>> {
        self.rare().hold.as_ref()
    }

    /// `BY=`.
    pub fn by(&self) -> Option<By> {
        self.rare().by
    }

    /// Parameters without a typed field, in the order given.
    pub fn other(&self) -> &[OtherParam<'a>] {
        &self.rare().other
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> MailParams<'static> {
        MailParams {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            rare: self.rare.map(|rare| Box::new(rare.into_owned())),
        }
    }
}

impl RareMailParams<'_> {
    /// True when none of these parameters is set.
    pub fn is_empty(&self) -> bool {
        *self == NO_RARE_MAIL_PARAMS
    }
}

impl PartialEq for MailParams<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.size == other.size
            && self.body == other.body
            && self.smtputf8 == other.smtputf8
            && self.rare() == other.rare()
    }
}

impl Eq for MailParams<'_> {}

impl Encode for MailParams<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        if let Some(size) = self.size {
            out.extend_from_slice(b" SIZE=");
            push_decimal(out, size);
        }
        if let Some(body) = self.body {
            out.extend_from_slice(b" BODY=");
            body.encode(out);
        }
        if self.smtputf8 {
            out.extend_from_slice(b" SMTPUTF8");
        }
        let Some(rare) = self.rare.as_deref() else {
            return;
        };
        if let Some(ret) = rare.ret {
            out.extend_from_slice(b" RET=");
            ret.encode(out);
        }
        if let Some(envid) = &rare.envid {
            out.extend_from_slice(b" ENVID=");
            envid.encode(out);
        }
        if let Some(auth) = &rare.auth {
            out.extend_from_slice(b" AUTH=");
            auth.encode(out);
        }
        if rare.requiretls {
            out.extend_from_slice(b" REQUIRETLS");
        }
        if let Some(priority) = rare.mt_priority {
            out.extend_from_slice(b" MT-PRIORITY=");
            priority.encode(out);
        }
        match &rare.hold {
            Some(Hold::For(seconds)) => {
                out.extend_from_slice(b" HOLDFOR=");
                push_decimal(out, u64::from(*seconds));
            }
            Some(Hold::Until(time)) => {
                out.extend_from_slice(b" HOLDUNTIL=");
                time.encode(out);
            }
            None => {}
        }
        if let Some(by) = rare.by {
            out.extend_from_slice(b" BY=");
            by.encode(out);
        }
        for param in &rare.other {
            out.push(b' ');
            param.encode(out);
        }
    }
}

/// Parameters of `RCPT TO:<...>`.
///
/// As for [`MailParams`], the common parameters (NOTIFY, ORCPT) are fields
/// and the others are in a boxed [`RareRcptParams`], allocated only when
/// one is given; `rare: None` and an empty set are equal. `other` holds
/// unknown parameters and MAIL parameters given to RCPT.
#[derive(Debug, Clone, Default)]
pub struct RcptParams<'a> {
    /// `NOTIFY=` (RFC 3461): when to send a DSN.
    pub notify: Option<Notify>,
    /// `ORCPT=` (RFC 3461, RFC 6533): the original recipient.
    pub orcpt: Option<Orcpt<'a>>,
    /// The other parameters, when any was given.
    pub rare: Option<Box<RareRcptParams<'a>>>,
}

/// The RCPT parameters a submission rarely carries: see [`RcptParams`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RareRcptParams<'a> {
    /// `RRVS=` (RFC 7293): require that the recipient existed since a time.
    pub rrvs: Option<Rrvs<'a>>,
    /// Parameters without a typed field, in the order given.
    pub other: Vec<OtherParam<'a>>,
}

/// What [`RcptParams::rare`] shows when no rare parameter was given.
static NO_RARE_RCPT_PARAMS: RareRcptParams<'static> = RareRcptParams {
    rrvs: None,
    other: Vec::new(),
};

impl RareRcptParams<'_> {
    /// True when none of these parameters is set.
    pub fn is_empty(&self) -> bool {
        *self == NO_RARE_RCPT_PARAMS
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> RareRcptParams<'static> {
        RareRcptParams {
            rrvs: self.rrvs.map(Rrvs::into_owned),
            other: self.other.into_iter().map(OtherParam::into_owned).collect(),
        }
    }
}

impl<'a> RcptParams<'a> {
    /// The keywords with a typed field, as [`MailParams::TYPED_KEYWORDS`].
    pub const TYPED_KEYWORDS: &'static [&'static str] = &["NOTIFY", "ORCPT", "RRVS"];

    /// True when there is no parameter at all.
    pub fn is_empty(&self) -> bool {
        self.notify.is_none() && self.orcpt.is_none() && self.rare().is_empty()
    }

    /// The rare parameters; an empty set when none was given.
    pub fn rare(&self) -> &RareRcptParams<'a> {
        self.rare.as_deref().unwrap_or(&NO_RARE_RCPT_PARAMS)
    }

    /// The rare parameters, to set one (allocates the set on first use).
    pub fn rare_mut(&mut self) -> &mut RareRcptParams<'a> {
        self.rare.get_or_insert_with(Box::default)
    }

    /// `RRVS=`.
    pub fn rrvs(&self) -> Option<&Rrvs<'a>> {
        self.rare().rrvs.as_ref()
    }

    /// Parameters without a typed field, in the order given.
    pub fn other(&self) -> &[OtherParam<'a>] {
        &self.rare().other
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> RcptParams<'static> {
        RcptParams {
            notify: self.notify,
            orcpt: self.orcpt.map(Orcpt::into_owned),
            rare: self.rare.map(|rare| Box::new(rare.into_owned())),
        }
    }
}

impl PartialEq for RcptParams<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.notify == other.notify && self.orcpt == other.orcpt && self.rare() == other.rare()
    }
}

impl Eq for RcptParams<'_> {}

impl Encode for RcptParams<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        if let Some(notify) = self.notify {
            out.extend_from_slice(b" NOTIFY=");
            notify.encode(out);
        }
        if let Some(orcpt) = &self.orcpt {
            out.extend_from_slice(b" ORCPT=");
            orcpt.encode(out);
        }
        let Some(rare) = self.rare.as_deref() else {
            return;
        };
        if let Some(rrvs) = &rare.rrvs {
            out.extend_from_slice(b" RRVS=");
            rrvs.encode(out);
        }
        for param in &rare.other {
            out.push(b' ');
            param.encode(out);
        }
    }
}

/// `BODY=` values (RFC 6152 §2, RFC 3030 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030), which requires BDAT.
    BinaryMime,
}

impl Body {
    /// The value as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Body::SevenBit => "7BIT",
            Body::EightBitMime => "8BITMIME",
            Body::BinaryMime => "BINARYMIME",
        }
    }
}

impl Encode for Body {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_str().as_bytes());
    }
}

/// `RET=` values (RFC 3461 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message in a DSN.
    Full,
    /// `HDRS`: return only the headers.
    Hdrs,
}

impl Ret {
    /// The value as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Ret::Full => "FULL",
            Ret::Hdrs => "HDRS",
        }
    }
}

impl Encode for Ret {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_str().as_bytes());
    }
}

/// The `ENVID=` value (RFC 3461 §4.4): a non-empty xtext of at most
/// [`EnvId::MAX_LEN`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnvId<'a>(XText<'a>);

impl<'a> EnvId<'a> {
    /// The longest ENVID a server must accept (RFC 3461 §4.4), in encoded characters.
    pub const MAX_LEN: usize = 100;

    /// Checks the length limits of an ENVID.
    pub fn new(xtext: XText<'a>) -> Result<Self, ParseError> {
        if xtext.is_empty() || xtext.as_str().len() > Self::MAX_LEN {
            return Err(ParseError::InvalidParameter("ENVID"));
        }
        Ok(EnvId(xtext))
    }

    /// The xtext value.
    pub fn xtext(&self) -> &XText<'a> {
        &self.0
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> EnvId<'static> {
        EnvId(self.0.into_owned())
    }
}

impl Encode for EnvId<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
}

/// The `AUTH=` value (RFC 4954 §5): the xtext-encoded mailbox of the
/// submitter, or `<>` when it is unknown or not to be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthParam<'a>(Option<XText<'a>>);

impl<'a> AuthParam<'a> {
    /// `AUTH=<>`.
    pub const fn empty() -> AuthParam<'static> {
        AuthParam(None)
    }

    /// `AUTH=<xtext>`; the value must be non-empty and not `<>` itself.
    pub fn mailbox(xtext: XText<'a>) -> Result<Self, ParseError> {
        match xtext.as_str() {
            "" | "<>" => Err(ParseError::InvalidParameter("AUTH")),
            _ => Ok(AuthParam(Some(xtext))),
        }
    }

    /// The submitter, or `None` for `<>`.
    pub fn as_mailbox(&self) -> Option<&XText<'a>> {
        self.0.as_ref()
    }

    /// True for `AUTH=<>`.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> AuthParam<'static> {
        AuthParam(self.0.map(XText::into_owned))
    }
}

impl Encode for AuthParam<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Some(xtext) => xtext.encode(out),
            None => out.extend_from_slice(b"<>"),
        }
    }
}

/// The `MT-PRIORITY=` value (RFC 6710 §3): an integer from -9 to 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MtPriority(i8);

impl MtPriority {
    /// Checks the -9..=9 range.
    pub const fn new(priority: i8) -> Result<Self, ParseError> {
        if priority >= -9 && priority <= 9 {
            Ok(MtPriority(priority))
        } else {
            Err(ParseError::InvalidParameter("MT-PRIORITY"))
        }
    }

    /// The priority.
    pub const fn get(self) -> i8 {
        self.0
    }
}

impl Encode for MtPriority {
    fn encode(&self, out: &mut Vec<u8>) {
        if self.0 < 0 {
            out.push(b'-');
        }
        push_decimal(out, u64::from(self.0.unsigned_abs()));
    }
}

/// A future-release request (RFC 4865 §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hold<'a> {
    /// `HOLDFOR=`: release after this many seconds.
    For(u32),
    /// `HOLDUNTIL=`: release at this time.
    Until(DateTime<'a>),
}

impl Hold<'_> {
    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Hold<'static> {
        match self {
            Hold::For(seconds) => Hold::For(seconds),
            Hold::Until(time) => Hold::Until(time.into_owned()),
        }
    }
}

/// An RFC 3339 §5.6 `date-time` such as `2025-06-01T12:00:00Z`, as used by
/// HOLDUNTIL and RRVS; checked down to the number of days in the month.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime<'a>(Cow<'a, str>);

impl<'a> DateTime<'a> {
    /// Wraps a value the grammar has already accepted.
    pub(crate) fn new_unchecked(value: &'a str) -> Self {
        DateTime(Cow::Borrowed(value))
    }

    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> DateTime<'static> {
        DateTime(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TryFrom<&'a str> for DateTime<'a> {
    type Error = ParseError;

    fn try_from(value: &'a str) -> Result<Self, ParseError> {
        match date_time(value.as_bytes()) {
            Ok(([], ())) => Ok(DateTime::new_unchecked(value)),
            _ => Err(ParseError::InvalidArguments("date-time")),
        }
    }
}

impl Encode for DateTime<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0.as_bytes());
    }
}

/// What to do when a `BY=` deadline passes (RFC 2852 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByMode {
    /// `N`: send a delayed DSN and keep trying.
    Notify,
    /// `R`: return the message as undeliverable.
    Return,
}

/// The `BY=` value (RFC 2852 §4): `by-time ";" by-mode [by-trace]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct By {
    time: i32,
    mode: ByMode,
    trace: bool,
}

impl By {
    /// The largest magnitude `by-time` can have (9 digits).
    pub const MAX_TIME: i32 = 999_999_999;

    /// Checks that `time` has at most 9 digits and, with [`ByMode::Return`],
    /// is positive (RFC 2852 §4).
    pub const fn new(time: i32, mode: ByMode, trace: bool) -> Result<Self, ParseError> {
        let in_range = time >= -Self::MAX_TIME && time <= Self::MAX_TIME;
        let positive_if_return = !matches!(mode, ByMode::Return) || time > 0;
        if in_range && positive_if_return {
            Ok(By { time, mode, trace })
        } else {
            Err(ParseError::InvalidParameter("BY"))
        }
    }

    /// Seconds from the time the message was received to its deadline.
    pub const fn time(self) -> i32 {
        self.time
    }

    /// What to do at the deadline.
    pub const fn mode(self) -> ByMode {
        self.mode
    }

    /// True when trace information is requested (`by-trace = "T"`).
    pub const fn trace(self) -> bool {
        self.trace
    }
}

impl Encode for By {
    fn encode(&self, out: &mut Vec<u8>) {
        if self.time < 0 {
            out.push(b'-');
        }
        push_decimal(out, u64::from(self.time.unsigned_abs()));
        out.extend_from_slice(match self.mode {
            ByMode::Notify => b";N",
            ByMode::Return => b";R",
        });
        if self.trace {
            out.push(b'T');
        }
    }
}

/// The `NOTIFY=` value (RFC 3461 §4.1): when to send a DSN. All flags
/// false is `NEVER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Notify {
    /// `SUCCESS`.
    pub success: bool,
    /// `FAILURE`.
    pub failure: bool,
    /// `DELAY`.
    pub delay: bool,
}

impl Notify {
    /// `NOTIFY=NEVER`.
    pub const NEVER: Notify = Notify {
        success: false,
        failure: false,
        delay: false,
    };

    /// True for `NEVER`.
    pub const fn is_never(self) -> bool {
        !(self.success || self.failure || self.delay)
    }
}

impl Encode for Notify {
    fn encode(&self, out: &mut Vec<u8>) {
        if self.is_never() {
            out.extend_from_slice(b"NEVER");
            return;
        }
        let mut first = true;
        for (on, name) in [
            (self.success, &b"SUCCESS"[..]),
            (self.failure, b"FAILURE"),
            (self.delay, b"DELAY"),
        ] {
            if on {
                if !first {
                    out.push(b',');
                }
                out.extend_from_slice(name);
                first = false;
            }
        }
    }
}

/// The address part of an [`Orcpt`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrcptAddress<'a> {
    /// `xtext`, for every address type but `utf-8` (RFC 3461 §4.2).
    XText(XText<'a>),
    /// `utf-8-addr-xtext` / `utf-8-addr-unitext`, for `utf-8` (RFC 6533 §3).
    Utf8(Utf8AddrText<'a>),
}

/// The `ORCPT=` value (RFC 3461 §4.2): `addr-type ";" xtext`, or with the
/// `utf-8` address type the RFC 6533 forms.
///
/// Kept as the one wire string: the type is an atom, which has no `;`, so
/// the first `;` splits it from the address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Orcpt<'a> {
    wire: Cow<'a, str>,
}

impl<'a> Orcpt<'a> {
    /// Wraps a whole value the grammar has already checked.
    pub(crate) fn new_unchecked(wire: &'a str) -> Self {
        Orcpt {
            wire: Cow::Borrowed(wire),
        }
    }

    fn joined(addr_type: &str, address: &str) -> Orcpt<'static> {
        Orcpt {
            wire: Cow::Owned(format!("{addr_type};{address}")),
        }
    }

    /// `rfc822;<address as xtext>`, the usual form.
    pub fn rfc822(address: &[u8]) -> Orcpt<'static> {
        Orcpt::joined("rfc822", XText::from_decoded(address).as_str())
    }

    /// `utf-8;<address>` (RFC 6533).
    pub fn utf8(address: Utf8AddrText<'a>) -> Self {
        Orcpt::joined("utf-8", address.as_str())
    }

    /// Any address type: `addr-type` must be an atom (RFC 5322 `atext`,
    /// without `=`), and the address must be [`OrcptAddress::Utf8`] exactly
    /// when the type is `utf-8`.
    pub fn new(addr_type: &'a str, address: OrcptAddress<'a>) -> Result<Self, ParseError> {
        let atom = !addr_type.is_empty()
            && addr_type
                .bytes()
                .all(|b| ATEXT[b as usize] && ESMTP_VALUE[b as usize]);
        let utf8_type = addr_type.eq_ignore_ascii_case("utf-8");
        let (utf8_address, address) = match &address {
            OrcptAddress::XText(x) => (false, x.as_str()),
            OrcptAddress::Utf8(u) => (true, u.as_str()),
        };
        if atom && utf8_type == utf8_address {
            Ok(Orcpt::joined(addr_type, address))
        } else {
            Err(ParseError::InvalidParameter("ORCPT"))
        }
    }

    /// The address type and the encoded address.
    fn parts(&self) -> (&str, &str) {
        self.wire.split_once(';').unwrap_or((&self.wire, ""))
    }

    /// The address type as given (`rfc822`, `utf-8`, ...).
    pub fn addr_type(&self) -> &str {
        self.parts().0
    }

    /// True for the `rfc822` address type (case-insensitive).
    pub fn is_rfc822(&self) -> bool {
        self.addr_type().eq_ignore_ascii_case("rfc822")
    }

    /// The encoded address.
    pub fn address(&self) -> OrcptAddress<'_> {
        let (addr_type, address) = self.parts();
        if addr_type.eq_ignore_ascii_case("utf-8") {
            OrcptAddress::Utf8(Utf8AddrText::new_unchecked(address))
        } else {
            OrcptAddress::XText(XText::new_unchecked(address))
        }
    }

    /// The decoded address as text, or `None` when an xtext decodes to
    /// something that is not UTF-8.
    pub fn decoded_address(&self) -> Option<Cow<'_, str>> {
        let (_, wire) = self.parts();
        // Borrowed from the decoder means "nothing to decode": the wire
        // form itself, which outlives the temporary decoder.
        Some(match self.address() {
            OrcptAddress::XText(x) => match x.decode_str()? {
                Cow::Borrowed(_) => Cow::Borrowed(wire),
                Cow::Owned(decoded) => Cow::Owned(decoded),
            },
            OrcptAddress::Utf8(u) => match u.decode() {
                Cow::Borrowed(_) => Cow::Borrowed(wire),
                Cow::Owned(decoded) => Cow::Owned(decoded),
            },
        })
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Orcpt<'static> {
        Orcpt {
            wire: Cow::Owned(self.wire.into_owned()),
        }
    }
}

impl Encode for Orcpt<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.wire.as_bytes());
    }
}

/// What to do when the RRVS check fails on a later hop (RFC 7293 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RrvsMode {
    /// `C`: continue, the check is the next hop's business.
    Continue,
    /// `R`: reject.
    Reject,
}

/// The `RRVS=` value (RFC 7293 §3.1): `date-time [";" ("C" / "R")]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rrvs<'a> {
    /// The time since which the recipient must have been the same person.
    pub time: DateTime<'a>,
    /// What a server that cannot check should do; `None` when not given.
    pub mode: Option<RrvsMode>,
}

impl Rrvs<'_> {
    /// Detaches from the input buffer.
    pub fn into_owned(self) -> Rrvs<'static> {
        Rrvs {
            time: self.time.into_owned(),
            mode: self.mode,
        }
    }
}

impl Encode for Rrvs<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.time.encode(out);
        match self.mode {
            Some(RrvsMode::Continue) => out.extend_from_slice(b";C"),
            Some(RrvsMode::Reject) => out.extend_from_slice(b";R"),
            None => {}
        }
    }
}

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.2),
/// kept in the case it was given (comparisons are the caller's, case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EsmtpKeyword<'a>(Cow<'a, str>);

impl<'a> EsmtpKeyword<'a> {
    /// Wraps a keyword the grammar has already accepted.
    pub(crate) fn new_unchecked(keyword: &'a str) -> Self {
        EsmtpKeyword(Cow::Borrowed(keyword))
    }

    /// The keyword as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> EsmtpKeyword<'static> {
        EsmtpKeyword(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TryFrom<&'a str> for EsmtpKeyword<'a> {
    type Error = ParseError;

    fn try_from(keyword: &'a str) -> Result<Self, ParseError> {
        match esmtp_keyword(keyword.as_bytes()) {
            Ok(([], _)) => Ok(EsmtpKeyword::new_unchecked(keyword)),
            _ => Err(ParseError::InvalidArguments("esmtp-keyword")),
        }
    }
}

/// `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2), extended with
/// `UTF8-non-ascii` by RFC 6531 §3.3 (such a value needs SMTPUTF8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EsmtpValue<'a>(Cow<'a, str>);

impl<'a> EsmtpValue<'a> {
    /// Wraps a value the grammar has already accepted.
    pub(crate) fn new_unchecked(value: &'a str) -> Self {
        EsmtpValue(Cow::Borrowed(value))
    }

    /// The value as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches from the input buffer.
    pub fn into_owned(self) -> EsmtpValue<'static> {
        EsmtpValue(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TryFrom<&'a str> for EsmtpValue<'a> {
    type Error = ParseError;

    fn try_from(value: &'a str) -> Result<Self, ParseError> {
        let valid =
            !value.is_empty() && value.bytes().all(|b| b >= 0x80 || ESMTP_VALUE[b as usize]);
        if valid {
            Ok(EsmtpValue::new_unchecked(value))
        } else {
            Err(ParseError::InvalidArguments("esmtp-value"))
        }
    }
}

/// A parameter without a typed field: unknown, or known but given to the
/// other command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherParam<'a> {
    /// The keyword as given.
    pub keyword: EsmtpKeyword<'a>,
    /// The value, if there was an `=`.
    pub value: Option<EsmtpValue<'a>>,
}

impl OtherParam<'_> {
    /// Detaches from the input buffer.
    pub fn into_owned(self) -> OtherParam<'static> {
        OtherParam {
            keyword: self.keyword.into_owned(),
            value: self.value.map(EsmtpValue::into_owned),
        }
    }
}

impl Encode for OtherParam<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.keyword.as_str().as_bytes());
        if let Some(value) = &self.value {
            out.push(b'=');
            out.extend_from_slice(value.as_str().as_bytes());
        }
    }
}
