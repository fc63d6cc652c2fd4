//! The bulk sender with the real async client against a scripted SMTP server:
//! connection reuse, reconnect after 421, greylisting retries, stop-all on a
//! quota reply, and the rate limit measured at the server.

mod bulk_scripted_server;

use std::time::{Duration, Instant};

use bulk_scripted_server::{Event, ScriptedServer, accept_all};
use smtp_client::bulk::{BulkMessage, Outcome, RecipientStatus, RetryPolicy, Sender};
use smtp_client::{Client, ClientBuilder, Envelope, TlsMode};

fn builder(server: &ScriptedServer) -> ClientBuilder {
    Client::builder("127.0.0.1")
        .port(server.port())
        .tls(TlsMode::None)
        .connect_timeout(Duration::from_secs(5))
}

fn messages(n: usize, recipients: &[&str]) -> Vec<BulkMessage<Envelope>> {
    (0..n)
        .map(|i| {
            let envelope = Envelope::new("sender@example.com", recipients).unwrap();
            let body = format!("From: sender@example.com\r\nSubject: {i}\r\n\r\nmessage {i}\r\n");
            BulkMessage::new(format!("m{i}"), envelope, body.into_bytes())
        })
        .collect()
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .base(Duration::from_millis(20))
}

#[tokio::test]
async fn connections_are_reused_up_to_the_limit() {
    let server = ScriptedServer::start(accept_all).await;
    let sender = Sender::builder(builder(&server))
        .messages_per_connection(3)
        .build();
    let report = sender
        .send_all(messages(7, &["a@example.org", "b@example.org"]))
        .await;
    assert!(report.all_accepted(), "{report:#?}");
    assert_eq!(report.connections, 3);
    let accepted = server.accepted();
    assert_eq!(accepted.len(), 7);
    let per_connection: Vec<usize> = (1..=3)
        .map(|c| accepted.iter().filter(|a| a.connection == c).count())
        .collect();
    assert_eq!(per_connection, [3, 3, 1]);
    assert!(String::from_utf8_lossy(&accepted[6].data).contains("message 6"));
}

#[tokio::test]
async fn a_421_in_the_middle_reconnects_and_resends() {
    let server = ScriptedServer::start(|context, event| match event {
        Event::Mail if context.transaction == 2 => "421 4.3.2 Service shutting down".into(),
        _ => accept_all(context, event),
    })
    .await;
    let sender = Sender::builder(builder(&server))
        .retry(fast_retries(3))
        .build();
    let report = sender.send_all(messages(4, &["a@example.org"])).await;
    assert!(report.all_accepted(), "{report:#?}");
    assert_eq!(report.messages[1].attempts, 2);
    assert_eq!(server.connections(), 2);
    let subjects: Vec<usize> = server.accepted().iter().map(|a| a.connection).collect();
    assert_eq!(subjects, [1, 2, 2, 2]);
}

#[tokio::test]
async fn greylisting_is_retried_until_accepted() {
    let server = ScriptedServer::start(|context, event| match event {
        Event::Rcpt(_) if context.transaction == 1 => {
            "451 4.7.1 Greylisted, please try again later".into()
        }
        _ => accept_all(context, event),
    })
    .await;
    let sender = Sender::builder(builder(&server))
        .retry(fast_retries(3))
        .build();
    let report = sender.send_all(messages(1, &["a@example.org"])).await;
    assert!(report.all_accepted(), "{report:#?}");
    assert_eq!(report.messages[0].attempts, 2);
    assert_eq!(server.accepted().len(), 1);
}

#[tokio::test]
async fn a_partially_refused_message_retries_only_the_deferred_recipient() {
    let server = ScriptedServer::start(|context, event| match event {
        Event::Rcpt(to) if to == "later@example.org" && context.transaction == 1 => {
            "450 4.2.1 Mailbox busy".into()
        }
        Event::Rcpt(to) if to == "gone@example.org" => "550 5.1.1 No such user".into(),
        _ => accept_all(context, event),
    })
    .await;
    let sender = Sender::builder(builder(&server))
        .retry(fast_retries(3))
        .build();
    let report = sender
        .send_all(messages(
            1,
            &["now@example.org", "later@example.org", "gone@example.org"],
        ))
        .await;
    let accepted = server.accepted();
    assert_eq!(accepted.len(), 2, "{accepted:#?}");
    assert_eq!(accepted[0].recipients, ["now@example.org"]);
    assert_eq!(accepted[1].recipients, ["later@example.org"]);
    let statuses: Vec<RecipientStatus> = report.messages[0]
        .recipients
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [
            RecipientStatus::Accepted,
            RecipientStatus::Accepted,
            RecipientStatus::Refused
        ]
    );
    assert_eq!(report.outcome(), Outcome::PermanentFailure);
}

#[tokio::test]
async fn a_daily_quota_reply_stops_all_sending() {
    let server = ScriptedServer::start(|context, event| match event {
        Event::Mail if context.transaction >= 3 => {
            "550 5.4.5 Daily user sending quota exceeded.".into()
        }
        _ => accept_all(context, event),
    })
    .await;
    let sender = Sender::builder(builder(&server))
        .concurrency(1)
        .retry(fast_retries(3))
        .build();
    let report = sender.send_all(messages(8, &["a@example.org"])).await;
    assert_eq!(
        server.transactions(),
        3,
        "nothing is tried after the quota reply"
    );
    assert_eq!(report.totals.accepted, 2);
    assert_eq!(report.totals.refused, 1);
    assert_eq!(report.totals.not_attempted, 5);
    let stopped = report.stopped.as_ref().expect("the run stopped");
    assert_eq!(stopped.reply.as_ref().unwrap().code, 550);
    assert_eq!(
        stopped.reply.as_ref().unwrap().enhanced.as_deref(),
        Some("5.4.5")
    );
    assert_eq!(report.outcome(), Outcome::PermanentFailure);
}

#[tokio::test]
async fn a_throttling_greeting_stops_without_hammering() {
    let server = ScriptedServer::start(|context, event| match event {
        Event::Greeting => "421 4.7.0 Try again later, closing connection.".into(),
        _ => accept_all(context, event),
    })
    .await;
    let sender = Sender::builder(builder(&server))
        .concurrency(2)
        .retry(fast_retries(5))
        .build();
    let report = sender.send_all(messages(6, &["a@example.org"])).await;
    assert!(
        server.connections() <= 2,
        "{} connections",
        server.connections()
    );
    assert!(report.stopped.as_ref().unwrap().transient);
    assert_eq!(report.totals.accepted, 0);
    assert_eq!(report.outcome(), Outcome::TransientFailure);
}

#[tokio::test]
async fn the_rate_limit_is_respected_at_the_server() {
    let server = ScriptedServer::start(accept_all).await;
    let sender = Sender::builder(builder(&server))
        .concurrency(3)
        .rate("3/s".parse().unwrap())
        .build();
    let start = Instant::now();
    let report = sender.send_all(messages(7, &["a@example.org"])).await;
    assert!(report.all_accepted(), "{report:#?}");
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let mut times: Vec<Instant> = server.accepted().iter().map(|a| a.at).collect();
    times.sort();
    // Acceptance follows each start by a little; a window of 4 must span most of a second.
    for window in times.windows(4) {
        assert!(
            window[3] - window[0] >= Duration::from_millis(900),
            "4 messages within {:?}",
            window[3] - window[0]
        );
    }
}
