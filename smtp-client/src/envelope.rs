//! The envelope of a message: sender, recipients and DSN options, validated
//! when built so that nothing invalid ever reaches the wire.

use smtp_proto::types::params::{EnvId, Notify, Orcpt, Ret};
use smtp_proto::{ForwardPath, Mailbox, ReversePath, XText};

use crate::error::Error;

/// Refuses CR and LF (and other controls) before any parsing: they are what
/// command injection is made of, and deserve their own message.
fn check_no_controls(what: &str, value: &str) -> Result<(), Error> {
    if value.bytes().any(|b| b.is_ascii_control()) {
        return Err(Error::InvalidInput(format!(
            "{what} {value:?} contains a control character (CR, LF, ...)"
        )));
    }
    Ok(())
}

/// `a@b` or `<a@b>` to a mailbox; UTF-8 is allowed (it needs SMTPUTF8 at send time).
fn parse_mailbox(what: &str, address: &str) -> Result<Mailbox<'static>, Error> {
    check_no_controls(what, address)?;
    let bare = address
        .strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(address);
    Mailbox::try_from(bare)
        .map(Mailbox::into_owned)
        .map_err(|e| Error::InvalidInput(format!("{what} {address:?}: {e}")))
}

/// One recipient with its optional DSN parameters (RFC 3461).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    address: String,
    path: ForwardPath<'static>,
    notify: Option<Notify>,
    orcpt: Option<Orcpt<'static>>,
}

impl Recipient {
    /// A recipient address (`user@example.com` or `<user@example.com>`).
    pub fn new(address: impl AsRef<str>) -> Result<Self, Error> {
        let address = address.as_ref();
        let mailbox = parse_mailbox("recipient", address)?;
        Ok(Recipient {
            address: address.to_owned(),
            path: ForwardPath::from(mailbox),
            notify: None,
            orcpt: None,
        })
    }

    /// `NOTIFY=` for this recipient, sent when the server offers DSN.
    pub fn notify(mut self, notify: Notify) -> Self {
        self.notify = Some(notify);
        self
    }

    /// `ORCPT=rfc822;<original>` for this recipient, sent when the server offers DSN.
    pub fn orcpt(mut self, original: impl AsRef<str>) -> Result<Self, Error> {
        let original = original.as_ref();
        check_no_controls("ORCPT", original)?;
        self.orcpt = Some(Orcpt::rfc822(original.as_bytes()));
        Ok(self)
    }

    /// The address as given.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The forward path sent in `RCPT TO:`.
    pub fn path(&self) -> &ForwardPath<'static> {
        &self.path
    }

    /// The `NOTIFY=` value, if any.
    pub fn notify_value(&self) -> Option<Notify> {
        self.notify
    }

    /// The `ORCPT=` value, if any.
    pub fn orcpt_value(&self) -> Option<&Orcpt<'static>> {
        self.orcpt.as_ref()
    }

    /// True when the address needs SMTPUTF8 (RFC 6531).
    pub fn needs_smtputf8(&self) -> bool {
        !self.address.is_ascii()
    }
}

/// Sender, recipients and DSN options of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    from: String,
    reverse_path: ReversePath<'static>,
    recipients: Vec<Recipient>,
    ret: Option<Ret>,
    envid: Option<EnvId<'static>>,
}

impl Envelope {
    /// A sender (`""` or `"<>"` for the null sender of bounces) and at least
    /// one recipient. Addresses with CR, LF or bad syntax are refused here.
    pub fn new<I, S>(from: impl AsRef<str>, recipients: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let recipients = recipients
            .into_iter()
            .map(Recipient::new)
            .collect::<Result<Vec<_>, _>>()?;
        Self::with_recipients(from, recipients)
    }

    /// Like [`Envelope::new`], with recipients that carry DSN parameters.
    pub fn with_recipients(
        from: impl AsRef<str>,
        recipients: Vec<Recipient>,
    ) -> Result<Self, Error> {
        let from = from.as_ref();
        let reverse_path = if from.is_empty() || from == "<>" {
            ReversePath::Null
        } else {
            ReversePath::from(parse_mailbox("sender", from)?)
        };
        if recipients.is_empty() {
            return Err(Error::InvalidInput("an envelope needs a recipient".into()));
        }
        Ok(Envelope {
            from: from.to_owned(),
            reverse_path,
            recipients,
            ret: None,
            envid: None,
        })
    }

    /// The same sender and DSN options for only these recipients (a further
    /// transaction of the same message).
    pub(crate) fn for_recipients(&self, recipients: Vec<Recipient>) -> Envelope {
        Envelope {
            recipients,
            ..self.clone()
        }
    }

    /// `RET=` (what a bounce returns), sent when the server offers DSN.
    pub fn ret(mut self, ret: Ret) -> Self {
        self.ret = Some(ret);
        self
    }

    /// `ENVID=` (an identifier returned in DSNs), sent when the server offers DSN.
    pub fn envid(mut self, envid: impl AsRef<str>) -> Result<Self, Error> {
        let envid = envid.as_ref();
        check_no_controls("ENVID", envid)?;
        let value = EnvId::new(XText::from_decoded(envid.as_bytes()))
            .map_err(|e| Error::InvalidInput(format!("ENVID {envid:?}: {e}")))?;
        self.envid = Some(value);
        Ok(self)
    }

    /// `NOTIFY=` for every recipient.
    pub fn notify(mut self, notify: Notify) -> Self {
        for recipient in &mut self.recipients {
            recipient.notify = Some(notify);
        }
        self
    }

    /// The sender as given.
    pub fn from(&self) -> &str {
        &self.from
    }

    /// The reverse path sent in `MAIL FROM:`.
    pub fn reverse_path(&self) -> &ReversePath<'static> {
        &self.reverse_path
    }

    /// The recipients, in order.
    pub fn recipients(&self) -> &[Recipient] {
        &self.recipients
    }

    /// The `RET=` value, if any.
    pub fn ret_value(&self) -> Option<Ret> {
        self.ret
    }

    /// The `ENVID=` value, if any.
    pub fn envid_value(&self) -> Option<&EnvId<'static>> {
        self.envid.as_ref()
    }

    /// True when an address needs SMTPUTF8 (RFC 6531).
    pub fn needs_smtputf8(&self) -> bool {
        !self.from.is_ascii() || self.recipients.iter().any(Recipient::needs_smtputf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_line_breaks_and_bad_syntax() {
        for bad in ["a@b\r\nRCPT TO:<x@y>", "a@b\n", "no-at-sign", "a@b>"] {
            assert!(matches!(
                Envelope::new("s@example.com", [bad]),
                Err(Error::InvalidInput(_))
            ));
            assert!(matches!(
                Envelope::new(bad, ["r@example.com"]),
                Err(Error::InvalidInput(_))
            ));
        }
        assert!(Envelope::new("s@example.com", Vec::<String>::new()).is_err());
        assert!(
            Envelope::new("s@example.com", ["r@example.com"])
                .unwrap()
                .envid("a\r\nb")
                .is_err()
        );
    }

    #[test]
    fn accepts_null_sender_brackets_and_utf8() {
        let e = Envelope::new("<>", ["<r@example.com>"]).unwrap();
        assert_eq!(e.reverse_path(), &ReversePath::Null);
        assert!(!e.needs_smtputf8());
        let e = Envelope::new("", ["用户@例子.广告"]).unwrap();
        assert!(e.needs_smtputf8());
    }
}
