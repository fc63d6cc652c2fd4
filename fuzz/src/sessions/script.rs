//! How the session targets read their fuzz input: a byte format simple
//! enough to write seeds by hand (`make_seeds.py` does), decoded without
//! `arbitrary` so that the tests of `smtp-server` and `smtp-client` can
//! replay the corpora by including this file with `#[path]`.
//!
//! Layout: `header[4] decision_count decisions[decision_count] ops...`.
//! Each op is one byte, taken modulo the number of op kinds of the target;
//! an op that carries bytes is followed by a length byte and that many bytes
//! (fewer at the end of the input). Missing header bytes count as zero.

/// A cursor over the fuzz input.
#[derive(Debug, Clone)]
pub struct Script<'a> {
    /// Four bytes of target settings; each target says what they mean.
    pub header: [u8; 4],
    decisions: &'a [u8],
    next_decision: usize,
    ops: &'a [u8],
}

/// One step of a script, before the target gives the opcode its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// An opcode without bytes.
    Op(u8),
    /// The opcode that carries bytes (opcode 0), with its bytes.
    Bytes(&'a [u8]),
}

impl<'a> Script<'a> {
    /// Splits the input into header, decisions and ops.
    pub fn new(data: &'a [u8]) -> Self {
        let byte = |k: usize| data.get(k).copied().unwrap_or(0);
        let decision_count = usize::from(byte(4));
        let decisions_end = (5 + decision_count).min(data.len());
        Script {
            header: [byte(0), byte(1), byte(2), byte(3)],
            decisions: data
                .get(5.min(data.len())..decisions_end)
                .unwrap_or_default(),
            next_decision: 0,
            ops: data.get(decisions_end..).unwrap_or_default(),
        }
    }

    /// The next decision byte; `0` (accept, grant) once they run out, so a
    /// seed without decisions plays a cooperative peer.
    pub fn decision(&mut self) -> u8 {
        let byte = self.decisions.get(self.next_decision).copied().unwrap_or(0);
        self.next_decision += 1;
        byte
    }

    /// The next step, with opcodes taken modulo `kinds`; `None` at the end.
    pub fn next_step(&mut self, kinds: u8) -> Option<Step<'a>> {
        let (&op, rest) = self.ops.split_first()?;
        let op = op % kinds.max(1);
        self.ops = rest;
        if op != 0 {
            return Some(Step::Op(op));
        }
        let (len, rest) = match self.ops.split_first() {
            Some((&len, rest)) => (usize::from(len), rest),
            None => (0, self.ops),
        };
        let (bytes, rest) = rest.split_at(len.min(rest.len()));
        self.ops = rest;
        Some(Step::Bytes(bytes))
    }

    /// Whether bit `bit` of header byte `index` is set.
    pub fn flag(&self, index: usize, bit: u8) -> bool {
        self.header.get(index).is_some_and(|b| b & (1 << bit) != 0)
    }
}

/// Every complete reply in `wire`, which must hold nothing else: panics on
/// a malformed or incomplete reply, or a code outside 2xx..5xx, naming `who`.
pub fn parse_replies(wire: &[u8], who: &str) -> Vec<smtp_proto::Reply<'static>> {
    let mut replies = Vec::new();
    let mut rest = wire;
    while !rest.is_empty() {
        match smtp_proto::Reply::parse(rest) {
            Ok((reply, used)) => {
                assert!(used > 0, "{who}: reply parse made no progress");
                check_reply_codes(&reply, who);
                replies.push(reply.into_owned());
                rest = &rest[used..];
            }
            Err(error) => panic!(
                "{who}: output is not a sequence of complete replies ({error}): {:?}",
                String::from_utf8_lossy(wire)
            ),
        }
    }
    replies
}

/// Panics unless the code is 2xx..5xx and an enhanced status code, if any,
/// has the class of the reply code (RFC 3463 §2; RFC 2034 defines none for
/// 3xx replies, so one there must at least claim success).
pub fn check_reply_codes(reply: &smtp_proto::Reply<'_>, who: &str) {
    let code = reply.code().get();
    assert!(
        (200..600).contains(&code),
        "{who}: reply code {code} out of range"
    );
    if let Some(status) = reply.enhanced_status() {
        let class = u16::from(status.class());
        let expected = if code / 100 == 3 { 2 } else { code / 100 };
        assert_eq!(
            class, expected,
            "{who}: enhanced status class {class} does not match code {code}"
        );
    }
}
