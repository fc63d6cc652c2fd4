//! Command lines: framing, parsing and RFC 5321 sequencing.

use smtp_proto::data::DataDecoder;
use smtp_proto::framing::{COMMAND_LINE_MAX, EXTENDED_COMMAND_LINE_MAX, Frame};
use smtp_proto::parse::command::command;
use smtp_proto::types::command::Command;
use smtp_proto::types::ehlo::EhloParams;
use smtp_proto::{
    BdatReader, Body, Capability, EhloInfo, ForwardPath, Host, MailParams, ParseError, RcptParams,
    Reply,
};

use super::replies;
use super::{BodyState, Connection, Event, Pending, Phase};

impl Connection {
    /// Frames and handles one command line; false when more input is needed.
    pub(super) fn process_command_line(&mut self) -> bool {
        // RFC 1869 §4.1.2: parameters lengthen MAIL/RCPT lines once ESMTP is on.
        let limit = if self.info.esmtp {
            EXTENDED_COMMAND_LINE_MAX
        } else {
            COMMAND_LINE_MAX
        };
        self.framer.set_limit(limit);
        match self
            .framer
            .next_line(self.input.get(self.pos..).unwrap_or_default())
        {
            Frame::NeedMore => false,
            Frame::Discard { skip } => {
                self.pos += skip;
                true
            }
            Frame::TooLong { skip } => {
                self.pos += skip;
                self.error(&Reply::LINE_TOO_LONG);
                true
            }
            Frame::Line { line_len, consumed } => {
                // The command borrows the input while the handlers change `self`.
                let input = std::mem::take(&mut self.input);
                let start = self.pos;
                self.pos += consumed;
                let line = input.get(start..start + line_len).unwrap_or_default();
                let mut options = self.config.parse_options;
                options.smtputf8 = self.config.smtputf8;
                match command(line, &options) {
                    Ok(cmd) => self.handle_command(cmd),
                    Err(error) => self.parse_error(&error),
                }
                self.input = input;
                if matches!(self.phase, Phase::TlsHandshake) {
                    self.start_tls_handshake();
                }
                true
            }
        }
    }

    fn parse_error(&mut self, error: &ParseError) {
        let reply = Reply::from_parse_error(error).unwrap_or(Reply::COMMAND_UNRECOGNIZED);
        self.error(&reply);
    }

    fn handle_command(&mut self, cmd: Command<'_>) {
        // Between BDAT chunks only a few commands make sense (RFC 3030 §2).
        if self.txn.bdat.is_some()
            && !matches!(
                cmd,
                Command::Bdat { .. }
                    | Command::Rset
                    | Command::Quit
                    | Command::Noop(_)
                    | Command::Ehlo(_)
                    | Command::Helo(_)
                    | Command::Lhlo(_)
            )
        {
            let reply = match cmd {
                Command::Data => &replies::DATA_AFTER_BDAT,
                Command::Rcpt { .. } => &replies::RCPT_AFTER_BODY,
                _ => &Reply::BAD_SEQUENCE,
            };
            self.error(reply);
            return;
        }
        match cmd {
            Command::Ehlo(host) if !self.config.lmtp => self.hello(&host, true),
            Command::Lhlo(host) if self.config.lmtp => self.hello(&host, true),
            Command::Helo(host) if !self.config.lmtp => self.hello(&host, false),
            Command::Ehlo(_) | Command::Lhlo(_) | Command::Helo(_) => {
                self.error(&replies::WRONG_HELLO)
            }
            Command::Mail { from, params } => self.mail(from, params),
            Command::Rcpt { to, params } => self.rcpt(to, params),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.reset_transaction();
                self.reply(&replies::RESET_OK);
                self.after_transaction();
            }
            Command::Noop(_) => self.reply(&Reply::OK),
            Command::Quit => {
                self.reply(&Reply::CLOSING);
                self.close();
            }
            Command::Vrfy(_) => self.reply(&replies::CANNOT_VRFY),
            Command::Help(_) => self.reply(&replies::HELP),
            Command::Expn(_) | Command::Etrn(_) => self.error(&Reply::NOT_IMPLEMENTED),
            Command::StartTls => self.starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism.as_str(), initial_response.as_ref()),
            _ => self.error(&Reply::NOT_IMPLEMENTED),
        }
    }

    /// EHLO/LHLO (`esmtp`) or HELO: resets the transaction like RSET (RFC 5321 §4.1.4).
    fn hello(&mut self, host: &Host<'_>, esmtp: bool) {
        self.reset_transaction();
        self.greeted = true;
        self.info.helo_name = Some(host.to_string());
        self.info.esmtp = esmtp;
        if esmtp {
            let response = self.ehlo_response();
            self.output.extend_from_slice(&response);
        } else {
            let reply = Reply::new(Reply::OK.code(), None, [self.hostname().to_owned()])
                .unwrap_or(Reply::OK);
            self.reply(&reply);
        }
    }

    /// The EHLO response on the wire: the host name, then the extensions.
    fn ehlo_response(&self) -> Vec<u8> {
        let mut capabilities = vec![
            Capability::Size(Some(self.config.max_message_size)),
            Capability::Pipelining,
            Capability::EightBitMime,
            Capability::BinaryMime,
            Capability::Chunking,
            Capability::EnhancedStatusCodes,
            Capability::Dsn,
        ];
        if self.config.smtputf8 {
            capabilities.push(Capability::SmtpUtf8);
        }
        if self.offer.starttls && self.info.tls.is_none() {
            capabilities.push(Capability::StartTls);
        }
        let mechanisms = self.offer.auth_mechanisms.join(" ");
        if self.auth_allowed_here() && !mechanisms.is_empty() {
            if let Ok(params) = EhloParams::try_from(mechanisms.as_str()) {
                capabilities.push(Capability::Auth(params.into_owned()));
            }
        }
        capabilities.push(Capability::Help);
        let hostname = self.hostname().to_owned();
        let mut wire = Vec::new();
        match EhloInfo::new(&hostname, None, capabilities) {
            Ok(info) => smtp_proto::Encode::encode(&info, &mut wire),
            Err(_) => wire.extend_from_slice(b"250 localhost\r\n"),
        }
        wire
    }

    /// AUTH may run here: under TLS, or in the clear when explicitly allowed.
    pub(super) fn auth_allowed_here(&self) -> bool {
        self.info.tls.is_some() || self.config.allow_insecure_auth
    }

    fn mail(&mut self, from: smtp_proto::ReversePath<'_>, params: MailParams<'_>) {
        if !self.greeted {
            return self.error(&replies::NEED_HELO);
        }
        if self.txn.mail {
            return self.error(&replies::NESTED_MAIL);
        }
        if !params.other().is_empty() || (!self.info.esmtp && !params.is_empty()) {
            return self.error(&Reply::PARAMETERS_NOT_RECOGNIZED);
        }
        if params
            .size
            .is_some_and(|size| size > self.config.max_message_size)
        {
            return self.reply(&Reply::MESSAGE_TOO_BIG);
        }
        let binarymime = params.body == Some(Body::BinaryMime);
        self.phase = Phase::Awaiting(Pending::Mail { binarymime });
        self.events.push_back(Event::MailReceived {
            from: from.into_owned(),
            params: params.into_owned(),
        });
    }

    fn rcpt(&mut self, to: ForwardPath<'_>, params: RcptParams<'_>) {
        if !self.txn.mail {
            return self.error(&replies::NEED_MAIL);
        }
        if !params.other().is_empty() {
            return self.error(&Reply::PARAMETERS_NOT_RECOGNIZED);
        }
        if self.txn.recipients.len() >= self.config.max_recipients {
            return self.reply(&Reply::TOO_MANY_RECIPIENTS);
        }
        if !self.may_deliver_to(&to) {
            return self.reply(&Reply::RELAY_DENIED);
        }
        self.phase = Phase::Awaiting(Pending::Rcpt(to.clone().into_owned()));
        self.events.push_back(Event::RcptReceived {
            to: to.into_owned(),
            params: params.into_owned(),
        });
    }

    /// Relay control: an open development sink (no local domains, no
    /// authenticator) takes everything; otherwise unauthenticated clients may
    /// only send to local domains. `<Postmaster>` is always accepted.
    fn may_deliver_to(&self, to: &ForwardPath<'_>) -> bool {
        let open_sink =
            self.config.local_domains.is_empty() && self.offer.auth_mechanisms.is_empty();
        if open_sink || self.info.authenticated_as.is_some() {
            return true;
        }
        match to.mailbox() {
            None => true,
            Some(mailbox) => match mailbox.domain() {
                Host::Domain(domain) => self.config.is_local_domain(domain.as_str()),
                Host::Literal(_) => false,
            },
        }
    }

    fn data(&mut self) {
        if !self.txn.mail {
            return self.error(&replies::NEED_MAIL);
        }
        if self.txn.recipients.is_empty() {
            return self.error(&replies::NO_RECIPIENTS);
        }
        if self.txn.binarymime {
            return self.error(&replies::BINARYMIME_NEEDS_BDAT);
        }
        self.reply(&Reply::START_MAIL_INPUT);
        let decoder = DataDecoder::new()
            .with_bare_line_endings(self.config.bare_line_endings)
            .with_size_limit(self.config.max_message_size);
        self.phase = Phase::Data(Box::new(decoder));
        self.start_body();
    }

    fn bdat(&mut self, size: u64, last: bool) {
        let refusal = if !self.txn.mail {
            Some(replies::NEED_MAIL.clone())
        } else if self.txn.recipients.is_empty() {
            Some(replies::NO_RECIPIENTS.clone())
        } else {
            None
        };
        if let Some(reply) = refusal {
            // RFC 3030 §2: the chunk octets follow regardless; skip them first.
            self.phase = Phase::BdatSkip {
                remaining: size,
                reply,
            };
            return;
        }
        let first = self.txn.bdat.is_none();
        let reader = self
            .txn
            .bdat
            .get_or_insert_with(|| BdatReader::new().with_size_limit(self.config.max_message_size));
        reader.start_chunk(size, last);
        self.phase = Phase::BdatChunk;
        if first {
            self.start_body();
        }
    }

    fn start_body(&mut self) {
        self.body_state = BodyState::Receiving;
        self.refusal = None;
        self.events.push_back(Event::DataStarted);
    }

    fn starttls(&mut self) {
        if !self.offer.starttls {
            return self.error(&replies::STARTTLS_NOT_AVAILABLE);
        }
        if self.info.tls.is_some() {
            return self.error(&replies::ALREADY_TLS);
        }
        if !self.greeted {
            return self.error(&replies::NEED_HELO);
        }
        self.reset_transaction();
        self.reply(&replies::STARTTLS_READY);
        self.phase = Phase::TlsHandshake;
    }

    /// After `220 Ready to start TLS`: plaintext pipelined behind STARTTLS is
    /// an injection attempt (CVE-2011-0411): drop it and the connection.
    fn start_tls_handshake(&mut self) {
        if self.pending_input().is_empty() {
            self.events.push_back(Event::TlsUpgradeRequested);
        } else {
            self.close();
        }
    }
}
