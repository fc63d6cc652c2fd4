//! The bulk sender against an in-memory fake relay whose answers each test scripts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use smtp_proto::{EnhancedStatus, Reply, ReplyCode};
use tokio::time::Instant;

use super::*;

#[derive(Debug, Clone)]
struct FakeEnvelope {
    recipients: Vec<String>,
}

/// One `send` seen by the fake relay.
#[derive(Debug, Clone)]
struct Call {
    connection: usize,
    message: Vec<u8>,
    recipients: Vec<String>,
    at: Instant,
}

/// What the script answers to a send.
enum Answer {
    /// Each recipient's reply code (2xx accepted).
    Recipients(Vec<Reply<'static>>),
    /// The transaction fails as a whole.
    Fail(Failure),
}

type Script = dyn Fn(&Call, usize) -> Answer + Send + Sync;
type ConnectScript = dyn Fn(usize) -> Result<(), Failure> + Send + Sync;

#[derive(Clone)]
struct FakeRelay {
    calls: Arc<Mutex<Vec<Call>>>,
    connects: Arc<Mutex<usize>>,
    script: Arc<Script>,
    on_connect: Arc<ConnectScript>,
}

impl std::fmt::Debug for FakeRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeRelay")
    }
}

impl FakeRelay {
    /// `script(call, n)` answers the `n`-th send (from 0) of the whole run.
    fn new(script: impl Fn(&Call, usize) -> Answer + Send + Sync + 'static) -> Self {
        FakeRelay {
            calls: Arc::default(),
            connects: Arc::default(),
            script: Arc::new(script),
            on_connect: Arc::new(|_| Ok(())),
        }
    }

    fn accepting() -> Self {
        FakeRelay::new(|call, _| Answer::Recipients(call.recipients.iter().map(|_| ok()).collect()))
    }

    fn on_connect(
        mut self,
        script: impl Fn(usize) -> Result<(), Failure> + Send + Sync + 'static,
    ) -> Self {
        self.on_connect = Arc::new(script);
        self
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

struct FakeConnection {
    relay: FakeRelay,
    number: usize,
    open: bool,
}

impl Connector for FakeRelay {
    type Envelope = FakeEnvelope;
    type Connection = FakeConnection;

    fn account(&self) -> String {
        "user@example.com".into()
    }

    fn recipients(envelope: &FakeEnvelope) -> Vec<String> {
        envelope.recipients.clone()
    }

    fn narrow(_: &FakeEnvelope, keep: &[String]) -> FakeEnvelope {
        FakeEnvelope {
            recipients: keep.to_vec(),
        }
    }

    async fn connect(&self) -> Result<FakeConnection, Failure> {
        let number = {
            let mut connects = self.connects.lock().unwrap();
            *connects += 1;
            *connects
        };
        (self.on_connect)(number)?;
        Ok(FakeConnection {
            relay: self.clone(),
            number,
            open: true,
        })
    }
}

impl Connection<FakeEnvelope> for FakeConnection {
    async fn send(
        &mut self,
        envelope: &FakeEnvelope,
        message: &Message,
    ) -> Result<Delivery, Failure> {
        assert!(self.open, "send on a connection reported closed");
        let call = Call {
            connection: self.number,
            message: message.to_vec(),
            recipients: envelope.recipients.clone(),
            at: Instant::now(),
        };
        let n = {
            let mut calls = self.relay.calls.lock().unwrap();
            calls.push(call.clone());
            calls.len() - 1
        };
        match (self.relay.script)(&call, n) {
            Answer::Recipients(replies) => {
                let accepted = replies.iter().any(Reply::is_positive);
                Ok(Delivery {
                    recipients: call
                        .recipients
                        .iter()
                        .cloned()
                        .zip(replies)
                        .map(|(r, reply)| {
                            (
                                r,
                                if reply.is_positive() {
                                    Ok(reply)
                                } else {
                                    Err(reply)
                                },
                            )
                        })
                        .collect(),
                    reply: accepted.then(|| reply(250, Some((2, 0, 0)), "OK queued as ABC")),
                })
            }
            Answer::Fail(failure) => {
                if failure.kind == FailureKind::ConnectionLost {
                    self.open = false;
                }
                Err(failure)
            }
        }
    }

    fn is_reusable(&self) -> bool {
        self.open
    }

    async fn close(self) {}
}

fn reply(code: u16, status: Option<(u8, u16, u16)>, text: &str) -> Reply<'static> {
    Reply::new(
        ReplyCode::new(code).unwrap(),
        status.map(|(c, s, d)| EnhancedStatus::new(c, s, d).unwrap()),
        [text],
    )
    .unwrap()
}

fn ok() -> Reply<'static> {
    reply(250, Some((2, 1, 5)), "OK")
}

fn messages(n: usize, recipients: &[&str]) -> Vec<BulkMessage<FakeEnvelope>> {
    (0..n)
        .map(|i| {
            BulkMessage::new(
                format!("m{i}"),
                FakeEnvelope {
                    recipients: recipients.iter().map(|r| r.to_string()).collect(),
                },
                format!("Subject: {i}\r\n\r\nbody\r\n").into_bytes(),
            )
        })
        .collect()
}

fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .base(Duration::from_secs(10))
}

#[tokio::test(start_paused = true)]
async fn reuses_connections_up_to_the_limit() {
    let relay = FakeRelay::accepting();
    let sender = Sender::builder(relay.clone())
        .messages_per_connection(3)
        .build();
    let report = sender.send_all(messages(10, &["a@x.org", "b@x.org"])).await;
    assert!(report.all_accepted(), "{report:#?}");
    assert_eq!(report.connections, 4);
    assert_eq!(report.totals.accepted, 20);
    let per_connection: Vec<usize> = (1..=4)
        .map(|c| {
            relay
                .calls()
                .iter()
                .filter(|call| call.connection == c)
                .count()
        })
        .collect();
    assert_eq!(per_connection, [3, 3, 3, 1]);
    assert_eq!(report.messages[7].id, "m7");
    assert_eq!(
        report.messages[7].queued.as_ref().unwrap().text,
        "OK queued as ABC"
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_workers_each_keep_a_connection() {
    let relay = FakeRelay::accepting();
    let sender = Sender::builder(relay.clone()).concurrency(3).build();
    let report = sender.send_all(messages(30, &["a@x.org"])).await;
    assert!(report.all_accepted());
    assert!(report.connections <= 3, "{}", report.connections);
    assert_eq!(relay.calls().len(), 30);
}

#[tokio::test(start_paused = true)]
async fn reconnects_after_the_connection_drops() {
    let relay = FakeRelay::new(|call, n| {
        if n == 1 {
            Answer::Fail(Failure::from_reply(reply(
                421,
                Some((4, 3, 2)),
                "Shutting down",
            )))
        } else {
            Answer::Recipients(call.recipients.iter().map(|_| ok()).collect())
        }
    });
    let sender = Sender::builder(relay.clone())
        .retry(quick_retries(3))
        .build();
    let report = sender.send_all(messages(3, &["a@x.org"])).await;
    assert!(report.all_accepted(), "{report:#?}");
    assert_eq!(report.connections, 2);
    assert_eq!(report.messages[1].attempts, 2);
    let connections: Vec<usize> = relay.calls().iter().map(|c| c.connection).collect();
    assert_eq!(connections[..2], [1, 1]);
    assert!(connections[2..].iter().all(|&c| c == 2), "{connections:?}");
}

#[tokio::test(start_paused = true)]
async fn greylisting_is_retried_after_a_backoff() {
    let relay = FakeRelay::new(|call, n| {
        if n == 0 {
            Answer::Fail(Failure::from_reply(reply(
                451,
                Some((4, 7, 1)),
                "Greylisted, try later",
            )))
        } else {
            Answer::Recipients(call.recipients.iter().map(|_| ok()).collect())
        }
    });
    let (progress_tx, mut progress_rx) = tokio::sync::mpsc::unbounded_channel();
    let sender = Sender::builder(relay.clone())
        .retry(quick_retries(3))
        .progress(progress_tx)
        .build();
    let start = Instant::now();
    let report = sender.send_all(messages(1, &["a@x.org"])).await;
    assert!(report.all_accepted(), "{report:#?}");
    assert_eq!(report.messages[0].attempts, 2);
    let calls = relay.calls();
    assert_eq!(calls[0].message, calls[1].message);
    let mut delay = None;
    while let Ok(event) = progress_rx.try_recv() {
        if let Progress::RetryScheduled {
            delay: d,
            attempt: 1,
            ..
        } = event
        {
            delay = Some(d);
        }
    }
    let delay = delay.expect("a retry was announced");
    assert!(delay <= Duration::from_secs(10));
    assert!(calls[1].at - start >= delay);
}

#[tokio::test(start_paused = true)]
async fn only_the_transiently_refused_recipients_are_retried() {
    let relay = FakeRelay::new(|call, n| {
        Answer::Recipients(
            call.recipients
                .iter()
                .map(|r| match (n, r.as_str()) {
                    (0, "busy@x.org") => reply(450, Some((4, 2, 1)), "Mailbox busy"),
                    (_, "gone@x.org") => reply(550, Some((5, 1, 1)), "No such user"),
                    _ => ok(),
                })
                .collect(),
        )
    });
    let sender = Sender::builder(relay.clone())
        .retry(quick_retries(3))
        .build();
    let report = sender
        .send_all(messages(1, &["a@x.org", "busy@x.org", "gone@x.org"]))
        .await;
    let calls = relay.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].recipients, ["busy@x.org"]);
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
    let refused = &report.messages[0].recipients[2];
    assert_eq!(
        refused.reply.as_ref().unwrap().enhanced.as_deref(),
        Some("5.1.1")
    );
}

#[tokio::test(start_paused = true)]
async fn permanent_failures_are_not_retried() {
    let relay = FakeRelay::new(|_, _| {
        Answer::Fail(Failure::from_reply(reply(
            554,
            Some((5, 6, 0)),
            "Content rejected",
        )))
    });
    let sender = Sender::builder(relay.clone())
        .retry(quick_retries(5))
        .build();
    let report = sender.send_all(messages(2, &["a@x.org"])).await;
    assert_eq!(relay.calls().len(), 2);
    assert_eq!(report.totals.refused, 2);
    assert!(report.stopped.is_none());
    assert_eq!(report.outcome(), Outcome::PermanentFailure);
}

#[tokio::test(start_paused = true)]
async fn transient_failures_left_after_retries_are_reported_failed() {
    let relay = FakeRelay::new(|_, _| {
        Answer::Fail(Failure::new(
            FailureKind::Transient,
            "timed out waiting for the server",
        ))
    });
    let sender = Sender::builder(relay.clone())
        .retry(quick_retries(3))
        .build();
    let report = sender.send_all(messages(1, &["a@x.org"])).await;
    assert_eq!(relay.calls().len(), 3);
    assert_eq!(report.messages[0].attempts, 3);
    let recipient = &report.messages[0].recipients[0];
    assert_eq!(recipient.status, RecipientStatus::Failed);
    assert_eq!(
        recipient.error.as_deref(),
        Some("timed out waiting for the server")
    );
    assert_eq!(report.outcome(), Outcome::TransientFailure);
}

#[tokio::test(start_paused = true)]
async fn a_quota_reply_stops_everything() {
    let relay = FakeRelay::new(|call, n| {
        if n == 2 {
            Answer::Recipients(vec![reply(
                550,
                Some((5, 4, 5)),
                "Daily user sending quota exceeded.",
            )])
        } else {
            Answer::Recipients(call.recipients.iter().map(|_| ok()).collect())
        }
    });
    let sender = Sender::builder(relay.clone()).concurrency(1).build();
    let report = sender.send_all(messages(10, &["a@x.org"])).await;
    assert_eq!(relay.calls().len(), 3);
    let stopped = report.stopped.as_ref().expect("stopped");
    assert_eq!(
        stopped.reply.as_ref().unwrap().enhanced.as_deref(),
        Some("5.4.5")
    );
    assert_eq!(report.totals.accepted, 2);
    assert_eq!(report.totals.refused, 1);
    assert_eq!(report.totals.not_attempted, 7);
    assert_eq!(report.messages[9].attempts, 0);
    assert_eq!(report.outcome(), Outcome::PermanentFailure);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["stopped"]["reply"]["code"], 550);
    assert_eq!(
        json["messages"][5]["recipients"][0]["status"],
        "not_attempted"
    );
}

#[tokio::test(start_paused = true)]
async fn a_login_lockout_stops_everything_without_retrying() {
    let relay = FakeRelay::accepting().on_connect(|_| {
        Err(Failure::from_reply(reply(
            454,
            Some((4, 7, 0)),
            "Too many login attempts, please try again later.",
        )))
    });
    let sender = Sender::builder(relay.clone())
        .concurrency(2)
        .retry(quick_retries(5))
        .build();
    let report = sender.send_all(messages(6, &["a@x.org"])).await;
    assert!(relay.calls().is_empty());
    let connects = *relay.connects.lock().unwrap();
    assert!(connects <= 2, "{connects} logins");
    assert!(report.stopped.as_ref().unwrap().transient);
    assert_eq!(report.totals.accepted, 0);
    assert!(report.totals.not_attempted >= 4);
    assert_eq!(report.outcome(), Outcome::TransientFailure);
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_holds_across_workers() {
    let relay = FakeRelay::accepting();
    let sender = Sender::builder(relay.clone())
        .concurrency(3)
        .rate("4/s".parse().unwrap())
        .build();
    let start = Instant::now();
    let report = sender.send_all(messages(13, &["a@x.org"])).await;
    assert!(report.all_accepted());
    let mut times: Vec<Duration> = relay.calls().iter().map(|c| c.at - start).collect();
    times.sort();
    for window in times.windows(5) {
        assert!(window[4] - window[0] >= Duration::from_secs(1), "{times:?}");
    }
    assert_eq!(times[12], Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn input_is_pulled_lazily() {
    let relay = FakeRelay::accepting();
    let sender = Sender::builder(relay.clone()).concurrency(2).build();
    let pulled = Arc::new(Mutex::new(0usize));
    let counter = pulled.clone();
    let calls = relay.calls.clone();
    let input = (0..20).map(move |i| {
        *counter.lock().unwrap() += 1;
        let sent = calls.lock().unwrap().len();
        // Never more than the pool size ahead of what was sent.
        assert!(i <= sent + 2, "message {i} pulled after only {sent} sends");
        messages(1, &["a@x.org"]).remove(0)
    });
    let report = sender.send_all(input).await;
    assert_eq!(*pulled.lock().unwrap(), 20);
    assert_eq!(report.totals.accepted, 20);
}
