//! One mail transaction: the envelope commands to write, each reply
//! recorded in order, and the body encoder (DATA dot-stuffing or BDAT chunks).

use smtp_proto::types::params::{Body, MailParams, RcptParams};
use smtp_proto::{Command, DataEncoder, EhloInfo, Encode, EncodeMode, Reply, encode_bdat_chunk};

use crate::envelope::Envelope;
use crate::error::Error;
use crate::message::{BodyInfo, Content};
use crate::report::{RecipientReport, SendReport};

/// How the body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyTransport {
    /// `DATA`, dot-stuffed, ended by `.`.
    Data,
    /// `BDAT` chunks (RFC 3030).
    Bdat,
}

/// Where the transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Waiting for envelope replies (MAIL, RCPT, DATA's 354).
    Envelope,
    /// The driver is sending the body.
    Body,
    /// The body is complete; waiting for the final reply.
    Final,
    /// Failed; waiting for outstanding replies, then RSET.
    Failing,
}

/// Most BDAT chunks written and not yet answered: enough to keep the pipe
/// full, few enough that the server's replies never fill its send buffer
/// while the client is still writing (which would deadlock both).
pub(crate) const BDAT_WINDOW: usize = 4;

/// A mail transaction in progress.
#[derive(Debug)]
pub(crate) struct Transaction {
    pub(crate) transport: BodyTransport,
    pub(crate) pipelining: bool,
    pub(crate) stage: Stage,
    pub(crate) mail: Option<Result<Reply<'static>, Reply<'static>>>,
    pub(crate) recipients: Vec<RecipientReport>,
    outcomes: Vec<Option<Result<Reply<'static>, Reply<'static>>>>,
    /// Next recipient whose RCPT is to be written (without pipelining).
    pub(crate) next_rcpt: usize,
    /// DATA has been written.
    pub(crate) data_sent: bool,
    /// The reply to DATA, once read.
    pub(crate) data_reply: Option<Reply<'static>>,
    /// The first failure, reported once the transaction is reset.
    pub(crate) failure: Option<Error>,
    /// BDAT chunks written and not yet answered.
    pub(crate) bdat_outstanding: usize,
    encoder: DataEncoder,
    /// Encoded body waiting to fill a BDAT chunk.
    chunk: Vec<u8>,
    chunk_size: usize,
    /// The rcpt commands, encoded once (written all at once or one by one).
    rcpt_lines: Vec<Vec<u8>>,
}

/// The envelope commands and the transaction that tracks their replies.
/// Checks everything against the server's capabilities before writing anything.
pub(crate) fn plan(
    envelope: &Envelope,
    body: BodyInfo,
    capabilities: &EhloInfo<'_>,
    use_pipelining: bool,
    use_chunking: bool,
    chunk_size: usize,
) -> Result<(Vec<u8>, Transaction), Error> {
    let smtputf8 = envelope.needs_smtputf8();
    if smtputf8 && !capabilities.has_smtputf8() {
        return Err(Error::Unsupported(
            "SMTPUTF8 (needed for a non-ASCII address)".into(),
        ));
    }
    if let (Some(size), Some(limit)) = (body.size, capabilities.max_size()) {
        if size > limit {
            return Err(Error::MessageTooLarge { size, limit });
        }
    }
    let chunking = use_chunking && capabilities.has_chunking();
    let (body_param, mode) = match body.content {
        Content::SevenBit => (None, EncodeMode::DotStuff),
        Content::EightBit | Content::Unknown if capabilities.has_8bitmime() => {
            (Some(Body::EightBitMime), EncodeMode::DotStuff)
        }
        Content::EightBit => {
            return Err(Error::Unsupported(
                "8BITMIME (the message has 8-bit content)".into(),
            ));
        }
        Content::Unknown => (None, EncodeMode::DotStuff),
        Content::Binary if chunking && capabilities.has_binarymime() => {
            (Some(Body::BinaryMime), EncodeMode::PassThrough)
        }
        Content::Binary => {
            return Err(Error::Unsupported(
                "BINARYMIME and CHUNKING (the message has NUL bytes)".into(),
            ));
        }
    };
    let (transport, mode) = match (chunking, mode) {
        (true, EncodeMode::DotStuff) => (BodyTransport::Bdat, EncodeMode::Normalise),
        (true, mode) => (BodyTransport::Bdat, mode),
        (false, mode) => (BodyTransport::Data, mode),
    };
    let dsn = capabilities.has_dsn();
    let mut mail_params = MailParams {
        size: body.size.filter(|_| capabilities.supports("SIZE")),
        body: body_param,
        smtputf8,
        ..MailParams::default()
    };
    let ret = envelope.ret_value().filter(|_| dsn);
    let envid = envelope.envid_value().cloned().filter(|_| dsn);
    if ret.is_some() || envid.is_some() {
        let rare = mail_params.rare_mut();
        rare.ret = ret;
        rare.envid = envid;
    }
    let mut out = Vec::with_capacity(256);
    Command::Mail {
        from: envelope.reverse_path().clone(),
        params: mail_params,
    }
    .encode(&mut out);
    let rcpt_lines = envelope
        .recipients()
        .iter()
        .map(|recipient| {
            let params = RcptParams {
                notify: recipient.notify_value().filter(|_| dsn),
                orcpt: recipient.orcpt_value().cloned().filter(|_| dsn),
                ..RcptParams::default()
            };
            Command::Rcpt {
                to: recipient.path().clone(),
                params,
            }
            .to_bytes()
        })
        .collect::<Vec<_>>();
    let pipelining = use_pipelining && capabilities.has_pipelining();
    let recipients = envelope
        .recipients()
        .iter()
        .map(|r| RecipientReport {
            recipient: r.address().to_owned(),
            // Replaced by the real reply; a recipient is never reported
            // before its reply is read.
            outcome: Err(Reply::TRANSACTION_FAILED),
        })
        .collect::<Vec<_>>();
    let count = recipients.len();
    Ok((
        out,
        Transaction {
            transport,
            pipelining,
            stage: Stage::Envelope,
            mail: None,
            recipients,
            outcomes: vec![None; count],
            next_rcpt: 0,
            data_sent: false,
            data_reply: None,
            failure: None,
            bdat_outstanding: 0,
            encoder: DataEncoder::with_mode(mode),
            chunk: Vec::new(),
            chunk_size: chunk_size.max(1),
            rcpt_lines,
        },
    ))
}

impl Transaction {
    /// The encoded RCPT command of recipient `index`.
    pub(crate) fn rcpt_line(&self, index: usize) -> &[u8] {
        &self.rcpt_lines[index]
    }

    /// Number of recipients.
    pub(crate) fn recipient_count(&self) -> usize {
        self.rcpt_lines.len()
    }

    /// Records the reply to RCPT `index`.
    pub(crate) fn record_rcpt(&mut self, index: usize, reply: &Reply<'static>) {
        let outcome = if reply.is_positive() {
            Ok(reply.clone())
        } else {
            Err(reply.clone())
        };
        if let Some(report) = self.recipients.get_mut(index) {
            report.outcome = outcome.clone();
        }
        if let Some(slot) = self.outcomes.get_mut(index) {
            *slot = Some(outcome);
        }
    }

    /// True when every RCPT has its reply.
    pub(crate) fn all_rcpts_answered(&self) -> bool {
        self.outcomes.iter().all(Option::is_some)
    }

    /// Number of accepted recipients so far.
    pub(crate) fn accepted(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Some(Ok(_))))
            .count()
    }

    /// The error that ends the envelope phase, if any: MAIL refused, or
    /// every recipient refused.
    pub(crate) fn envelope_failure(&self) -> Option<Error> {
        if let Some(Err(reply)) = &self.mail {
            return Some(Error::from_reply("MAIL", reply.clone()));
        }
        if self.all_rcpts_answered() && self.accepted() == 0 {
            if let Some(closing) = self
                .recipients
                .iter()
                .find_map(|r| r.outcome.as_ref().err().filter(|x| x.code().get() == 421))
            {
                return Some(Error::ConnectionClosed {
                    reply: Some(closing.clone()),
                });
            }
            return Some(Error::AllRecipientsRefused {
                recipients: self.recipients.clone(),
            });
        }
        None
    }

    /// Encodes the next piece of the body: for DATA straight into `out`,
    /// for BDAT into the pending chunk (see [`Transaction::write_chunks`]).
    pub(crate) fn buffer_body(&mut self, data: &[u8], out: &mut Vec<u8>) {
        match self.transport {
            BodyTransport::Data => self.encoder.encode(data, out),
            BodyTransport::Bdat => self.encoder.encode(data, &mut self.chunk),
        }
    }

    /// True when a whole BDAT chunk waits to be written.
    pub(crate) fn has_full_chunk(&self) -> bool {
        self.chunk.len() >= self.chunk_size
    }

    /// Writes up to `room` complete BDAT chunks to `out`; returns how many.
    pub(crate) fn write_chunks(&mut self, room: usize, out: &mut Vec<u8>) -> usize {
        let mut written = 0;
        let mut start = 0;
        while written < room && self.chunk.len() - start >= self.chunk_size {
            encode_bdat_chunk(self.chunk_size as u64, false, out);
            out.extend_from_slice(&self.chunk[start..start + self.chunk_size]);
            start += self.chunk_size;
            written += 1;
        }
        self.chunk.drain(..start);
        written
    }

    /// Ends the body: the DATA terminator, or the `BDAT ... LAST` chunk.
    pub(crate) fn finish_body(&mut self, out: &mut Vec<u8>) {
        match self.transport {
            BodyTransport::Data => self.encoder.finish(out),
            BodyTransport::Bdat => {
                self.encoder.finish(&mut self.chunk);
                encode_bdat_chunk(self.chunk.len() as u64, true, out);
                out.extend_from_slice(&self.chunk);
                self.chunk.clear();
            }
        }
    }

    /// The report for an accepted message.
    pub(crate) fn into_report(self, reply: Reply<'static>) -> SendReport {
        SendReport {
            recipients: self.recipients,
            reply,
            further_replies: Vec::new(),
        }
    }
}
