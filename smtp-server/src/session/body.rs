//! Message bodies: DATA (dot-unstuffing, smuggling defence) and BDAT chunks.

use smtp_proto::BareLineEndings;
use smtp_proto::Reply;

use super::replies;
use super::{BodyState, Connection, Event, Pending, Phase};

impl Connection {
    /// Decodes DATA octets; false when more input is needed.
    pub(super) fn process_data(&mut self) -> bool {
        let Phase::Data(decoder) = &mut self.phase else {
            return false;
        };
        let input = self.input.get(self.pos..).unwrap_or_default();
        if input.is_empty() {
            return false;
        }
        let progress = decoder.decode(input, &mut self.body);
        self.pos += progress.consumed;
        if self.refusal.is_none() {
            if decoder.size_exceeded() {
                self.refusal = Some(Reply::MESSAGE_TOO_BIG);
            } else if decoder.bare_line_ending().is_some()
                && self.config.bare_line_endings == BareLineEndings::Reject
            {
                // Only <CRLF>.<CRLF> ended the data; the message is refused
                // after the real terminator (SMTP smuggling).
                self.refusal = Some(replies::BARE_LINE_ENDING.clone());
            }
        }
        if self.refusal.is_some() {
            // The handler never sees a refused body's octets.
            self.body.clear();
        }
        if progress.done {
            self.body_complete();
        }
        progress.consumed > 0
    }

    /// Reads the octets of an accepted BDAT chunk; false when more input is needed.
    pub(super) fn process_bdat_chunk(&mut self) -> bool {
        let Some(reader) = self.txn.bdat.as_mut() else {
            self.phase = Phase::Command;
            return true;
        };
        let input = self.input.get(self.pos..).unwrap_or_default();
        let read = reader.read(input);
        self.pos += read.consumed;
        let too_big = reader.size_exceeded();
        if self.refusal.is_none() {
            self.body.extend_from_slice(read.data);
            if too_big {
                self.refusal = Some(Reply::MESSAGE_TOO_BIG);
                self.body.clear();
            }
        }
        if read.message_done {
            self.txn.bdat = None;
            self.body_complete();
            return true;
        }
        if read.chunk_done {
            self.phase = Phase::Command;
            match self.refusal.clone() {
                // Nothing more of this message will be taken.
                Some(reply) => {
                    self.reset_transaction();
                    self.reply(&reply);
                    self.after_transaction();
                }
                None => self.reply(&replies::CHUNK_OK),
            }
            return true;
        }
        read.consumed > 0
    }

    /// Skips the octets of a refused BDAT chunk, then answers.
    pub(super) fn process_bdat_skip(&mut self) -> bool {
        let Phase::BdatSkip { remaining, .. } = &mut self.phase else {
            return false;
        };
        let available = self.input.len().saturating_sub(self.pos);
        let take = usize::try_from(*remaining).map_or(available, |r| r.min(available));
        *remaining -= take as u64;
        self.pos += take;
        if *remaining > 0 {
            return take > 0;
        }
        if let Phase::BdatSkip { reply, .. } = std::mem::replace(&mut self.phase, Phase::Command) {
            self.error(&reply);
        }
        true
    }

    /// The terminator or the LAST chunk arrived: the driver decides.
    fn body_complete(&mut self) {
        self.body_state = BodyState::Complete;
        self.phase = Phase::Awaiting(Pending::Data);
        self.events.push_back(Event::MessageReceived);
    }
}
