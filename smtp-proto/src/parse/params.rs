//! MAIL/RCPT parameter grammar (stub).

use crate::{
    error::ParseError,
    options::ParseOptions,
    types::params::{MailParams, RcptParams},
};

/// `Mail-parameters = esmtp-param *(SP esmtp-param)`, given everything after the
/// reverse path (empty, or starting with SP).
pub fn mail_parameters<'a>(
    input: &'a [u8],
    _opts: &ParseOptions,
) -> Result<MailParams<'a>, ParseError> {
    if input.is_empty() {
        Ok(MailParams::default())
    } else {
        Err(ParseError::UnknownParameter)
    }
}

/// `Rcpt-parameters = esmtp-param *(SP esmtp-param)`, given everything after the
/// forward path (empty, or starting with SP).
pub fn rcpt_parameters<'a>(
    input: &'a [u8],
    _opts: &ParseOptions,
) -> Result<RcptParams<'a>, ParseError> {
    if input.is_empty() {
        Ok(RcptParams::default())
    } else {
        Err(ParseError::UnknownParameter)
    }
}
