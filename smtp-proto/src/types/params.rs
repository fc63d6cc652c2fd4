//! MAIL and RCPT parameters (stub: the public surface the command grammar relies on).

use crate::encode::Encode;

/// Parameters of MAIL FROM.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailParams<'a> {
    /// SIZE= (RFC 1870).
    pub size: Option<u64>,
    _p: std::marker::PhantomData<&'a ()>,
}

impl MailParams<'_> {
    /// Detaches from the input buffer.
    pub fn into_owned(self) -> MailParams<'static> {
        MailParams {
            size: self.size,
            _p: std::marker::PhantomData,
        }
    }
}

/// Parameters of RCPT TO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RcptParams<'a> {
    _p: std::marker::PhantomData<&'a ()>,
}

impl RcptParams<'_> {
    /// Detaches from the input buffer.
    pub fn into_owned(self) -> RcptParams<'static> {
        RcptParams {
            _p: std::marker::PhantomData,
        }
    }
}

impl Encode for MailParams<'_> {
    fn encode(&self, _out: &mut Vec<u8>) {}
}

impl Encode for RcptParams<'_> {
    fn encode(&self, _out: &mut Vec<u8>) {}
}
