//! Which failures to retry, which to give up on, and which mean "stop
//! sending anything": provider signals that further attempts make worse.
//!
//! The rules, in the order they are checked (first match wins):
//!
//! | # | Signal | Verdict | Why / source |
//! |---|--------|---------|--------------|
//! | 1 | enhanced status `X.2.2` (mailbox full, "over quota") | per recipient | RFC 3463 §3.3: the *recipient's* mailbox is full; says nothing about the sender. |
//! | 2 | enhanced status `5.4.5`, or a reply text saying a sending quota/limit was exceeded | **stop all** | Gmail `550 5.4.5 Daily user sending quota exceeded` (Google Workspace "SMTP error reference", support.google.com/a/answer/3726730); Microsoft 365 `554 5.2.0 ... SubmissionQuotaExceededException`. Every further message is refused and counts against the account. |
//! | 3 | a reply text with "too many login attempts", or `454` while connecting | **stop all** | Gmail `454 4.7.0 Too many login attempts, please try again later`; RFC 4954 §6 `454 4.7.0 Temporary authentication failure`. More logins extend the lockout. |
//! | 4 | `421` with enhanced status `4.7.x`, at any stage | **stop all** | Gmail `421 4.7.0 Try again later, closing connection` and `421 4.7.28` (unusual rate of unsolicited mail); Yahoo `421 4.7.0 [TSS04] ... temporarily deferred`. The provider is throttling this sender; reconnecting at once deepens it. |
//! | 5 | `535`, `534`, or enhanced `X.7.8`, `X.7.9`, `X.7.14` | **stop all** | RFC 4954 §6 (`535 5.7.8` bad credentials, `534 5.7.9` mechanism too weak); Gmail `534 5.7.14` (log in via the web) and `535 5.7.8 Username and Password not accepted`. Every connection would fail the same way, and failed logins lead to rule 3. |
//! | 6 | any other permanent failure while connecting (a configuration error included) (greeting, EHLO, STARTTLS, AUTH) | **stop all** | The connection setup is the same for every message: it would fail identically (e.g. `530 5.7.0 Must issue a STARTTLS command first`, `5.7.1` account blocked at login). |
//! | 7 | enhanced `5.7.1` in a transaction whose text mentions the account (disabled, suspended, blocked) | **stop all** | Account-level blocks (e.g. `550 5.7.1 ... account has been disabled`); a `5.7.1` that does not name the account (relay denied, content rejected) stays per message or recipient. |
//! | 8 | the connection dropped (EOF, `421` otherwise), a timeout, any other `4xx` | retry | RFC 5321 §4.2.1: `4yz` is transient; §4.5.4.1: the sender should retry later. |
//! | 9 | any other `5xx`, invalid input, a missing extension | permanent | RFC 5321 §4.2.1: `5yz` must not be repeated as is. |

use serde::Serialize;
use smtp_proto::Reply;

use super::report::ReplySummary;
use super::transport::{Failure, FailureKind};

/// Where a failure happened: the same reply means different things there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Connecting, greeting, EHLO, STARTTLS, AUTH: shared by every message.
    Connect,
    /// A transaction (MAIL, DATA or BDAT) of one message.
    Transaction,
    /// The reply to one recipient's RCPT.
    Recipient,
}

/// What to do after a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Try again later (with backoff), on a fresh connection if this one dropped.
    Retry,
    /// Give up on this message or recipient; the rest continue.
    Permanent,
    /// Stop sending anything: more attempts would make things worse.
    StopAll(StopReason),
}

/// Why the whole run was stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StopReason {
    /// The rule that matched, in words.
    pub rule: &'static str,
    /// Where it happened.
    pub stage: Stage,
    /// Whether the signal was a transient one (the account may recover by itself).
    pub transient: bool,
    /// The provider's reply, when there was one.
    pub reply: Option<ReplySummary>,
    /// The failure in words.
    pub detail: String,
    /// Whether the caller's own settings are at fault (not the provider).
    pub configuration: bool,
}

/// Classifies a failed connection or transaction.
pub fn classify_failure(stage: Stage, failure: &Failure) -> Verdict {
    if let Some(reply) = &failure.reply {
        if let Some(rule) = stop_rule(stage, reply) {
            return stop(rule, stage, failure.kind != FailureKind::Permanent, failure);
        }
    }
    match failure.kind {
        FailureKind::Transient | FailureKind::ConnectionLost => Verdict::Retry,
        FailureKind::Configuration if stage == Stage::Connect => {
            let mut verdict = stop(
                "configuration error: fix the settings",
                stage,
                false,
                failure,
            );
            if let Verdict::StopAll(reason) = &mut verdict {
                reason.configuration = true;
            }
            verdict
        }
        FailureKind::Permanent if stage == Stage::Connect => stop(
            "permanent failure while connecting: every connection would fail the same way",
            stage,
            false,
            failure,
        ),
        FailureKind::Permanent | FailureKind::Configuration => Verdict::Permanent,
    }
}

/// Classifies one recipient's refusal (a negative reply to its RCPT).
pub fn classify_refusal(reply: &Reply<'static>) -> Verdict {
    classify_failure(Stage::Recipient, &Failure::from_reply(reply.clone()))
}

fn stop(rule: &'static str, stage: Stage, transient: bool, failure: &Failure) -> Verdict {
    Verdict::StopAll(StopReason {
        rule,
        stage,
        transient,
        reply: failure.reply.as_ref().map(ReplySummary::from),
        detail: failure.detail.clone(),
        configuration: false,
    })
}

/// Rules 1 to 5 and 7 of the module table: the reply-based stop signals.
fn stop_rule(stage: Stage, reply: &Reply<'static>) -> Option<&'static str> {
    let code = reply.code().get();
    let status = reply
        .enhanced_status()
        .map(|s| (s.class(), s.subject(), s.detail()));
    if matches!(status, Some((_, 2, 2))) {
        return None;
    }
    let text = reply.text().to_ascii_lowercase();
    if status == Some((5, 4, 5))
        || (text.contains("quota") && text.contains("exceed"))
        || text.contains("sending limit")
    {
        return Some("sending quota exceeded");
    }
    if text.contains("too many login attempts") || (code == 454 && stage == Stage::Connect) {
        return Some("too many login attempts / temporary authentication failure");
    }
    if code == 421 && matches!(status, Some((4, 7, _))) {
        return Some("provider throttling (421 4.7.x): try again later");
    }
    if code == 535 || code == 534 || matches!(status, Some((_, 7, 8 | 9 | 14))) {
        return Some("authentication refused: credentials or mechanism not accepted");
    }
    let names_account = ["disabled", "suspended", "blocked", "locked"]
        .iter()
        .any(|word| text.contains(word))
        && text.contains("account");
    if status == Some((5, 7, 1)) && names_account {
        return Some("account-level block (5.7.1)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtp_proto::{EnhancedStatus, ReplyCode};

    fn reply(code: u16, status: Option<(u8, u16, u16)>, text: &str) -> Reply<'static> {
        Reply::new(
            ReplyCode::new(code).unwrap(),
            status.map(|(c, s, d)| EnhancedStatus::new(c, s, d).unwrap()),
            [text],
        )
        .unwrap()
    }

    #[derive(Debug, PartialEq)]
    enum Expected {
        Retry,
        Permanent,
        Stop,
    }

    fn verdict_of(stage: Stage, failure: &Failure) -> Expected {
        match classify_failure(stage, failure) {
            Verdict::Retry => Expected::Retry,
            Verdict::Permanent => Expected::Permanent,
            Verdict::StopAll(_) => Expected::Stop,
        }
    }

    /// Stage, code, enhanced status, text, expected verdict.
    type Row = (Stage, u16, Option<(u8, u16, u16)>, &'static str, Expected);

    #[test]
    fn classification_table() {
        use Expected::*;
        use Stage::*;
        let table: &[Row] = &[
            // Transient replies are retried.
            (
                Transaction,
                451,
                Some((4, 7, 1)),
                "Greylisted, try again in 60 seconds",
                Retry,
            ),
            (Recipient, 450, Some((4, 2, 1)), "Mailbox busy", Retry),
            (
                Transaction,
                452,
                Some((4, 3, 1)),
                "Insufficient system storage",
                Retry,
            ),
            (
                Connect,
                421,
                Some((4, 3, 2)),
                "Service shutting down",
                Retry,
            ),
            (Transaction, 421, None, "closing connection", Retry),
            (Connect, 451, None, "Local error", Retry),
            // Permanent replies are not retried.
            (Recipient, 550, Some((5, 1, 1)), "No such user", Permanent),
            (
                Recipient,
                550,
                Some((5, 7, 1)),
                "Relay access denied",
                Permanent,
            ),
            (
                Transaction,
                554,
                Some((5, 7, 1)),
                "Message content rejected",
                Permanent,
            ),
            (
                Transaction,
                552,
                Some((5, 3, 4)),
                "Message too big",
                Permanent,
            ),
            // Full mailboxes are about the recipient.
            (
                Recipient,
                552,
                Some((5, 2, 2)),
                "Mailbox quota exceeded",
                Permanent,
            ),
            (
                Recipient,
                452,
                Some((4, 2, 2)),
                "The account is over quota",
                Retry,
            ),
            // Provider signals stop everything.
            (
                Transaction,
                550,
                Some((5, 4, 5)),
                "Daily user sending quota exceeded.",
                Stop,
            ),
            (
                Recipient,
                550,
                Some((5, 4, 5)),
                "Daily user sending quota exceeded.",
                Stop,
            ),
            (
                Transaction,
                554,
                Some((5, 2, 0)),
                "STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
                Stop,
            ),
            (
                Transaction,
                550,
                None,
                "You have reached your daily sending limit",
                Stop,
            ),
            (
                Connect,
                454,
                Some((4, 7, 0)),
                "Too many login attempts, please try again later.",
                Stop,
            ),
            (
                Connect,
                454,
                Some((4, 7, 0)),
                "Temporary authentication failure",
                Stop,
            ),
            (
                Connect,
                421,
                Some((4, 7, 0)),
                "Try again later, closing connection. (EHLO)",
                Stop,
            ),
            (
                Transaction,
                421,
                Some((4, 7, 28)),
                "Our system has detected an unusual rate of unsolicited mail",
                Stop,
            ),
            (
                Connect,
                535,
                Some((5, 7, 8)),
                "Username and Password not accepted.",
                Stop,
            ),
            (
                Connect,
                534,
                Some((5, 7, 9)),
                "Application-specific password required.",
                Stop,
            ),
            (
                Connect,
                534,
                Some((5, 7, 14)),
                "Please log in with your web browser",
                Stop,
            ),
            (
                Connect,
                530,
                Some((5, 7, 0)),
                "Must issue a STARTTLS command first.",
                Stop,
            ),
            (Connect, 554, None, "No SMTP service here", Stop),
            (
                Transaction,
                550,
                Some((5, 7, 1)),
                "Your account has been disabled",
                Stop,
            ),
            (
                Transaction,
                550,
                Some((5, 7, 1)),
                "Sender account is blocked for abuse",
                Stop,
            ),
        ];
        for (stage, code, status, text, expected) in table {
            let failure = Failure::from_reply(reply(*code, *status, text));
            assert_eq!(
                &verdict_of(*stage, &failure),
                expected,
                "{stage:?} {code} {status:?} {text}"
            );
        }
    }

    #[test]
    fn failures_without_a_reply_follow_their_kind() {
        use Expected::*;
        let table = [
            (Stage::Transaction, FailureKind::ConnectionLost, Retry),
            (Stage::Connect, FailureKind::ConnectionLost, Retry),
            (Stage::Connect, FailureKind::Transient, Retry),
            (Stage::Transaction, FailureKind::Permanent, Permanent),
            (Stage::Connect, FailureKind::Permanent, Stop),
            (Stage::Connect, FailureKind::Configuration, Stop),
            (Stage::Transaction, FailureKind::Configuration, Permanent),
        ];
        for (stage, kind, expected) in table {
            let failure = Failure::new(kind, "timed out");
            assert_eq!(verdict_of(stage, &failure), expected, "{stage:?} {kind:?}");
        }
    }

    #[test]
    fn a_stop_reason_keeps_the_reply_and_its_transience() {
        let failure = Failure::from_reply(reply(454, Some((4, 7, 0)), "Too many login attempts"));
        let Verdict::StopAll(reason) = classify_failure(Stage::Connect, &failure) else {
            panic!("454 while connecting must stop");
        };
        assert!(reason.transient);
        assert_eq!(reason.stage, Stage::Connect);
        let summary = reason.reply.unwrap();
        assert_eq!(summary.code, 454);
        assert_eq!(summary.enhanced.as_deref(), Some("4.7.0"));
        let refusal = classify_refusal(&reply(
            550,
            Some((5, 4, 5)),
            "Daily user sending quota exceeded",
        ));
        assert!(matches!(
            refusal,
            Verdict::StopAll(StopReason {
                transient: false,
                ..
            })
        ));
    }
}
