//! What `smtp-send` prints: a per-recipient summary for people, JSON for
//! machines, and the exit status (sysexits.h values where one fits).

use std::fmt::Write as _;

use serde::Serialize;

use smtp_client::bulk::{BulkReport, Outcome, RecipientStatus};

/// Every recipient accepted.
pub(crate) const EXIT_OK: i32 = 0;
/// Some recipient refused permanently (or a permanent provider signal).
pub(crate) const EXIT_PERMANENT: i32 = 1;
/// Usage or configuration error (clap uses 2 for usage errors too).
pub(crate) const EXIT_USAGE: i32 = 2;
/// Transient failures left after the retries (`EX_TEMPFAIL`, sysexits.h).
pub(crate) const EXIT_TEMPFAIL: i32 = 75;

/// The exit status for a finished run; `local_errors` are messages that
/// could not even be read, which counts as a permanent failure.
pub(crate) fn exit_status(report: &BulkReport, local_errors: usize) -> i32 {
    match report.outcome() {
        _ if local_errors > 0 => EXIT_PERMANENT,
        Outcome::AllAccepted => EXIT_OK,
        Outcome::PermanentFailure => EXIT_PERMANENT,
        Outcome::ConfigurationError => EXIT_USAGE,
        Outcome::TransientFailure => EXIT_TEMPFAIL,
    }
}

/// The `--json` document: the report with its verdict.
#[derive(Debug, Serialize)]
struct JsonOutput<'a> {
    outcome: Outcome,
    exit_status: i32,
    local_errors: &'a [String],
    #[serde(flatten)]
    report: &'a BulkReport,
}

/// The `--json` document, one line.
pub(crate) fn json(report: &BulkReport, local_errors: &[String]) -> String {
    let output = JsonOutput {
        outcome: report.outcome(),
        exit_status: exit_status(report, local_errors.len()),
        local_errors,
        report,
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&output).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn status_word(status: RecipientStatus) -> &'static str {
    match status {
        RecipientStatus::Accepted => "accepted",
        RecipientStatus::Refused => "refused",
        RecipientStatus::Failed => "failed",
        RecipientStatus::NotAttempted => "not attempted",
    }
}

/// The human summary: per message and recipient, then the totals.
pub(crate) fn summary(report: &BulkReport, local_errors: &[String]) -> String {
    let mut out = String::new();
    let width = report
        .messages
        .iter()
        .flat_map(|m| &m.recipients)
        .map(|r| r.recipient.len())
        .max()
        .unwrap_or(0);
    for message in &report.messages {
        let accepted = message
            .recipients
            .iter()
            .filter(|r| r.status == RecipientStatus::Accepted)
            .count();
        let name = if message.id.is_empty() {
            format!("message {}", message.index + 1)
        } else {
            message.id.clone()
        };
        let _ = write!(
            out,
            "{name}: {accepted}/{} recipients accepted",
            message.recipients.len()
        );
        if message.attempts > 1 {
            let _ = write!(out, " after {} attempts", message.attempts);
        }
        if let Some(queued) = &message.queued {
            let _ = write!(out, " ({queued})");
        }
        out.push('\n');
        for recipient in &message.recipients {
            let _ = write!(
                out,
                "  {:<width$}  {:<13}",
                recipient.recipient,
                status_word(recipient.status)
            );
            if let Some(reply) = &recipient.reply {
                let _ = write!(out, "  {reply}");
            } else if let Some(error) = &recipient.error {
                let _ = write!(out, "  {error}");
            }
            out.truncate(out.trim_end().len());
            out.push('\n');
        }
    }
    for error in local_errors {
        let _ = writeln!(out, "not sent: {error}");
    }
    let totals = &report.totals;
    let _ = writeln!(
        out,
        "{} message(s) over {} connection(s): {} recipient(s) accepted, {} refused, {} failed, {} not attempted",
        totals.messages,
        report.connections,
        totals.accepted,
        totals.refused,
        totals.failed,
        totals.not_attempted
    );
    if let Some(stop) = &report.stopped {
        let _ = write!(out, "STOPPED: {}", stop.rule);
        match &stop.reply {
            Some(reply) => {
                let _ = writeln!(out, ": {reply}");
            }
            None => {
                let _ = writeln!(out, ": {}", stop.detail);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtp_client::bulk::{MessageReport, RecipientReport, ReplySummary, Totals};

    fn report(statuses: &[RecipientStatus]) -> BulkReport {
        let recipients: Vec<RecipientReport> = statuses
            .iter()
            .enumerate()
            .map(|(i, &status)| RecipientReport {
                recipient: format!("r{i}@example.com"),
                status,
                reply: Some(ReplySummary {
                    code: 250,
                    enhanced: Some("2.1.5".into()),
                    text: "OK".into(),
                }),
                error: None,
            })
            .collect();
        let mut totals = Totals {
            messages: 1,
            ..Totals::default()
        };
        for status in statuses {
            match status {
                RecipientStatus::Accepted => totals.accepted += 1,
                RecipientStatus::Refused => totals.refused += 1,
                RecipientStatus::Failed => totals.failed += 1,
                RecipientStatus::NotAttempted => totals.not_attempted += 1,
            }
        }
        BulkReport {
            totals,
            stopped: None,
            connections: 1,
            messages: vec![MessageReport {
                index: 0,
                id: "hello.eml".into(),
                attempts: 1,
                recipients,
                queued: None,
            }],
        }
    }

    #[test]
    fn exit_statuses() {
        use RecipientStatus::*;
        assert_eq!(exit_status(&report(&[Accepted, Accepted]), 0), EXIT_OK);
        assert_eq!(
            exit_status(&report(&[Accepted, Refused, Failed]), 0),
            EXIT_PERMANENT
        );
        assert_eq!(exit_status(&report(&[Accepted, Failed]), 0), EXIT_TEMPFAIL);
        assert_eq!(exit_status(&report(&[NotAttempted]), 0), EXIT_TEMPFAIL);
        assert_eq!(exit_status(&report(&[Accepted]), 1), EXIT_PERMANENT);
    }

    #[test]
    fn json_carries_the_verdict_and_the_report() {
        let text = json(
            &report(&[RecipientStatus::Accepted, RecipientStatus::Refused]),
            &[],
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["outcome"], "permanent_failure");
        assert_eq!(value["exit_status"], 1);
        assert_eq!(value["totals"]["refused"], 1);
        assert_eq!(value["messages"][0]["recipients"][1]["status"], "refused");
        assert_eq!(
            value["messages"][0]["recipients"][0]["reply"]["enhanced"],
            "2.1.5"
        );
    }

    #[test]
    fn summary_lists_every_recipient() {
        let text = summary(
            &report(&[RecipientStatus::Accepted, RecipientStatus::Failed]),
            &["x.eml: gone".into()],
        );
        assert!(
            text.starts_with("hello.eml: 1/2 recipients accepted\n"),
            "{text}"
        );
        assert!(
            text.contains("  r0@example.com  accepted       250 2.1.5 OK\n"),
            "{text}"
        );
        assert!(text.contains("  r1@example.com  failed"), "{text}");
        assert!(text.contains("not sent: x.eml: gone\n"), "{text}");
        assert!(
            text.contains("1 recipient(s) accepted, 0 refused, 1 failed, 0 not attempted"),
            "{text}"
        );
    }
}
