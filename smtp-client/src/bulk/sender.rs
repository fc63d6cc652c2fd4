//! The bulk sender: a pool of reused connections under a concurrency limit,
//! rate limits per account, retries with backoff, and stop-all on provider signals.
//!
//! One coordinator (the `send_all` future) hands messages to `concurrency`
//! worker tasks, one at a time, so at most `concurrency` messages (plus those
//! waiting for a retry) are in memory however long the input is. Each worker
//! keeps one connection open across messages until it has sent
//! `messages_per_connection`, the server closed it (421, EOF), or it sat idle
//! too long; then it reconnects.
//!
//! Every attempt takes one unit of the rate limit before it starts, retries
//! included: providers count what reaches them, not what succeeded. A
//! [`Connector`] must not panic: a panicking worker's message would never be
//! reported and `send_all` would wait for it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::rate::{AccountLimiters, RateLimit, RateLimiter};
use super::report::{BulkReport, MessageReport, RecipientReport, RecipientStatus, ReplySummary};
use super::retry::RetryPolicy;
use super::signals::{Stage, StopReason, Verdict, classify_failure, classify_refusal};
use super::transport::{Connection, Connector, Delivery, Failure, FailureKind, Message};

/// One message to send: the caller's name for it, its envelope and its bytes.
#[derive(Debug, Clone)]
pub struct BulkMessage<E> {
    /// A name for reports and progress (a file name, an id); may be empty.
    pub id: String,
    /// Who sends it to whom.
    pub envelope: E,
    /// The message: headers and body.
    pub message: Message,
}

impl<E> BulkMessage<E> {
    /// A message named `id`.
    pub fn new(id: impl Into<String>, envelope: E, message: impl Into<Message>) -> Self {
        BulkMessage {
            id: id.into(),
            envelope,
            message: message.into(),
        }
    }
}

impl<E> From<(E, Vec<u8>)> for BulkMessage<E> {
    fn from((envelope, message): (E, Vec<u8>)) -> Self {
        BulkMessage::new(String::new(), envelope, message)
    }
}

/// What a bulk run reports while it goes (for progress bars and logs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A message reached its final state.
    MessageFinished {
        /// Its position in the input.
        index: usize,
        /// Its name.
        id: String,
        /// Whether every recipient accepted it.
        all_accepted: bool,
    },
    /// A message failed transiently and will be tried again after `delay`.
    RetryScheduled {
        /// Its position in the input.
        index: usize,
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// The wait before the next attempt.
        delay: Duration,
        /// The failure in words.
        reason: String,
    },
    /// A provider signal stopped the run; the rest is not attempted.
    Stopped(StopReason),
}

/// Builds a [`Sender`]; see [`Sender::builder`].
#[derive(Debug)]
pub struct SenderBuilder<C> {
    connector: C,
    concurrency: usize,
    messages_per_connection: usize,
    max_idle: Duration,
    retry: RetryPolicy,
    limits: Vec<RateLimit>,
    limiters: Option<AccountLimiters>,
    progress: Option<mpsc::UnboundedSender<Progress>>,
}

impl<C: Connector> SenderBuilder<C> {
    /// How many connections send at the same time (default 1, at least 1).
    pub fn concurrency(mut self, connections: usize) -> Self {
        self.concurrency = connections.max(1);
        self
    }

    /// How many messages one connection sends before it is closed and
    /// reopened (default 100, at least 1).
    pub fn messages_per_connection(mut self, messages: usize) -> Self {
        self.messages_per_connection = messages.max(1);
        self
    }

    /// A connection idle longer than this is closed before the next message
    /// instead of reused: servers drop idle clients (RFC 5321 §4.5.3.2.7 gives
    /// them 5 minutes) and a send on a dead connection would cost an attempt.
    /// Default 60 s.
    pub fn max_idle(mut self, idle: Duration) -> Self {
        self.max_idle = idle;
        self
    }

    /// The retry policy for transient failures (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Adds a rate limit for the account (several may apply at once).
    pub fn rate(mut self, limit: RateLimit) -> Self {
        self.limits.push(limit);
        self
    }

    /// Shares rate limiters with other senders (their limits replace any
    /// given with [`SenderBuilder::rate`]): senders for the same account then
    /// share one budget.
    pub fn rate_limiters(mut self, limiters: AccountLimiters) -> Self {
        self.limiters = Some(limiters);
        self
    }

    /// Reports progress on this channel.
    pub fn progress(mut self, channel: mpsc::UnboundedSender<Progress>) -> Self {
        self.progress = Some(channel);
        self
    }

    /// The sender.
    pub fn build(self) -> Sender<C> {
        let limiters = self
            .limiters
            .unwrap_or_else(|| AccountLimiters::new(self.limits));
        let limiter = limiters.for_account(&self.connector.account());
        Sender {
            connector: Arc::new(self.connector),
            concurrency: self.concurrency,
            messages_per_connection: self.messages_per_connection,
            max_idle: self.max_idle,
            retry: self.retry,
            limiter,
            progress: self.progress,
        }
    }
}

/// Sends many messages through one relay account; see the module documentation.
#[derive(Debug)]
pub struct Sender<C> {
    connector: Arc<C>,
    concurrency: usize,
    messages_per_connection: usize,
    max_idle: Duration,
    retry: RetryPolicy,
    limiter: Arc<RateLimiter>,
    progress: Option<mpsc::UnboundedSender<Progress>>,
}

/// A message on its way, with what is known about each recipient so far.
#[derive(Debug)]
struct Job<E> {
    index: usize,
    id: String,
    original: E,
    message: Message,
    attempts: u32,
    recipients: Vec<RecipientReport>,
    /// Recipients (indexes into `recipients`) still to be delivered.
    pending: Vec<usize>,
    queued: Option<ReplySummary>,
}

/// What a worker did with a job.
#[derive(Debug)]
enum Attempt {
    /// The run stopped before the worker tried.
    Skipped,
    /// Connecting or the transaction failed as a whole.
    Failed(Stage, Failure),
    /// The transaction completed (maybe with refused recipients).
    Delivered(Delivery),
}

/// What the workers share.
struct WorkerContext<C: Connector> {
    connector: Arc<C>,
    jobs: Arc<Mutex<mpsc::Receiver<Job<C::Envelope>>>>,
    results: mpsc::UnboundedSender<(Job<C::Envelope>, Attempt)>,
    limiter: Arc<RateLimiter>,
    stopped: watch::Receiver<bool>,
    messages_per_connection: usize,
    max_idle: Duration,
    connections: Arc<AtomicUsize>,
}

impl<C: Connector> Sender<C> {
    /// Starts building a sender that opens its connections with `connector`
    /// (for the async client: a `ClientBuilder`).
    pub fn builder(connector: C) -> SenderBuilder<C> {
        SenderBuilder {
            connector,
            concurrency: 1,
            messages_per_connection: 100,
            max_idle: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            limits: Vec::new(),
            limiters: None,
            progress: None,
        }
    }

    /// Sends every message and reports on each. Never fails as a whole: every
    /// outcome is in the report. The input is pulled lazily, one message per
    /// free connection, so it may be long (a directory walk, a database cursor).
    pub async fn send_all<I>(&self, messages: I) -> BulkReport
    where
        I: IntoIterator,
        I::Item: Into<BulkMessage<C::Envelope>>,
    {
        let (job_tx, job_rx) = mpsc::channel(self.concurrency);
        let (result_tx, mut result_rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(false);
        let connections = Arc::new(AtomicUsize::new(0));
        let job_rx = Arc::new(Mutex::new(job_rx));
        let mut workers = JoinSet::new();
        for _ in 0..self.concurrency {
            let context = WorkerContext {
                connector: self.connector.clone(),
                jobs: job_rx.clone(),
                results: result_tx.clone(),
                limiter: self.limiter.clone(),
                stopped: stop_rx.clone(),
                messages_per_connection: self.messages_per_connection,
                max_idle: self.max_idle,
                connections: connections.clone(),
            };
            workers.spawn(run_worker(context));
        }
        drop(result_tx);

        let mut rng = StdRng::from_entropy();
        let mut input = messages.into_iter().map(Into::into).enumerate();
        let mut input_done = false;
        let mut ready: VecDeque<Job<C::Envelope>> = VecDeque::new();
        let mut waiting: BTreeMap<(Instant, usize), Job<C::Envelope>> = BTreeMap::new();
        let mut finished: Vec<MessageReport> = Vec::new();
        let mut stopped: Option<StopReason> = None;
        let mut idle = self.concurrency;

        loop {
            if stopped.is_some() {
                // Nothing more is sent: everything not yet in a worker's hands is reported unattempted.
                let waiting_jobs = std::mem::take(&mut waiting).into_values();
                for job in ready.drain(..).chain(waiting_jobs) {
                    finished.push(self.finish(job));
                }
                for (index, message) in input.by_ref() {
                    finished.push(self.finish(self.new_job(index, message)));
                }
                input_done = true;
            }
            while idle > 0 {
                let job = match ready.pop_front() {
                    Some(job) => job,
                    None if input_done => break,
                    None => match input.next() {
                        Some((index, message)) => self.new_job(index, message),
                        None => {
                            input_done = true;
                            break;
                        }
                    },
                };
                if job.pending.is_empty() {
                    finished.push(self.finish(job));
                    continue;
                }
                if job_tx.send(job).await.is_err() {
                    // Workers only end when the channel closes; unreachable while we hold it.
                    break;
                }
                idle -= 1;
            }
            let in_flight = self.concurrency - idle;
            if in_flight == 0 && ready.is_empty() && waiting.is_empty() && input_done {
                break;
            }
            let next_retry = waiting.keys().next().map(|(at, _)| *at);
            tokio::select! {
                result = result_rx.recv() => {
                    let Some((job, attempt)) = result else { break };
                    idle += 1;
                    self.settle(job, attempt, &mut rng, &mut stopped, &stop_tx, &mut waiting, &mut finished);
                }
                () = sleep_until_or_forever(next_retry) => {
                    let now = Instant::now();
                    while let Some(entry) = waiting.first_entry() {
                        if entry.key().0 > now {
                            break;
                        }
                        ready.push_back(entry.remove());
                    }
                }
            }
        }
        drop(job_tx);
        while workers.join_next().await.is_some() {}
        BulkReport::new(finished, stopped, connections.load(Ordering::Relaxed))
    }

    fn new_job(&self, index: usize, message: BulkMessage<C::Envelope>) -> Job<C::Envelope> {
        let recipients: Vec<RecipientReport> = C::recipients(&message.envelope)
            .into_iter()
            .map(|recipient| RecipientReport {
                recipient,
                status: RecipientStatus::NotAttempted,
                reply: None,
                error: None,
            })
            .collect();
        Job {
            index,
            id: message.id,
            original: message.envelope,
            message: message.message,
            attempts: 0,
            pending: (0..recipients.len()).collect(),
            recipients,
            queued: None,
        }
    }

    /// Records a worker's attempt: finishes the job, schedules a retry or stops the run.
    #[allow(clippy::too_many_arguments)]
    fn settle(
        &self,
        mut job: Job<C::Envelope>,
        attempt: Attempt,
        rng: &mut StdRng,
        stopped: &mut Option<StopReason>,
        stop_tx: &watch::Sender<bool>,
        waiting: &mut BTreeMap<(Instant, usize), Job<C::Envelope>>,
        finished: &mut Vec<MessageReport>,
    ) {
        let mut retry_reason = None;
        let mut stop_reason = None;
        match attempt {
            Attempt::Skipped => {}
            Attempt::Failed(stage, failure) => {
                job.attempts += 1;
                let verdict = classify_failure(stage, &failure);
                let reply = failure.reply.as_ref().map(ReplySummary::from);
                let error = reply.is_none().then(|| failure.detail.clone());
                let final_status = match &verdict {
                    Verdict::Retry => RecipientStatus::Failed,
                    Verdict::Permanent => RecipientStatus::Refused,
                    Verdict::StopAll(reason) if reason.transient => RecipientStatus::Failed,
                    Verdict::StopAll(_) => RecipientStatus::Refused,
                };
                for &i in &job.pending {
                    let recipient = &mut job.recipients[i];
                    recipient.status = final_status;
                    recipient.reply = reply.clone();
                    recipient.error = error.clone();
                }
                match verdict {
                    Verdict::Retry => retry_reason = Some(failure.detail),
                    Verdict::Permanent => job.pending.clear(),
                    Verdict::StopAll(reason) => {
                        job.pending.clear();
                        stop_reason = Some(reason);
                    }
                }
            }
            Attempt::Delivered(delivery) => {
                job.attempts += 1;
                let mut answers: Vec<Option<(String, Result<_, _>)>> =
                    delivery.recipients.into_iter().map(Some).collect();
                let mut still_pending = Vec::new();
                for &i in &job.pending {
                    let recipient = &mut job.recipients[i];
                    let answer = answers
                        .iter_mut()
                        .find(|a| {
                            a.as_ref()
                                .is_some_and(|(name, _)| *name == recipient.recipient)
                        })
                        .and_then(Option::take);
                    match answer {
                        Some((_, Ok(reply))) => {
                            recipient.status = RecipientStatus::Accepted;
                            recipient.reply = Some(ReplySummary::from(&reply));
                            recipient.error = None;
                        }
                        Some((_, Err(reply))) => {
                            recipient.reply = Some(ReplySummary::from(&reply));
                            recipient.error = None;
                            match classify_refusal(&reply) {
                                Verdict::Retry => {
                                    recipient.status = RecipientStatus::Failed;
                                    retry_reason = Some(reply.to_string());
                                    still_pending.push(i);
                                }
                                Verdict::Permanent => recipient.status = RecipientStatus::Refused,
                                Verdict::StopAll(reason) => {
                                    recipient.status = if reason.transient {
                                        RecipientStatus::Failed
                                    } else {
                                        RecipientStatus::Refused
                                    };
                                    stop_reason.get_or_insert(reason);
                                }
                            }
                        }
                        None => {
                            // The connection did not report this recipient: count it as a
                            // transient failure rather than guess that it was accepted.
                            recipient.status = RecipientStatus::Failed;
                            recipient.error = Some("no reply reported for this recipient".into());
                            retry_reason = Some("recipient missing from the report".into());
                            still_pending.push(i);
                        }
                    }
                }
                if let Some(reply) = &delivery.reply {
                    job.queued = Some(ReplySummary::from(reply));
                }
                job.pending = still_pending;
            }
        }
        if let Some(reason) = stop_reason {
            if stopped.is_none() {
                self.report(Progress::Stopped(reason.clone()));
                *stopped = Some(reason);
                // Workers waiting for the rate limiter give their jobs back at once.
                stop_tx.send_replace(true);
            }
        }
        if job.pending.is_empty() || stopped.is_some() {
            finished.push(self.finish(job));
            return;
        }
        let Some(reason) = retry_reason else {
            // Skipped before any attempt (cannot happen while not stopped): nothing to retry.
            finished.push(self.finish(job));
            return;
        };
        if !self.retry.allows_another(job.attempts) {
            finished.push(self.finish(job));
            return;
        }
        let delay = self.retry.delay(job.attempts - 1, rng);
        self.report(Progress::RetryScheduled {
            index: job.index,
            attempt: job.attempts,
            delay,
            reason,
        });
        waiting.insert((Instant::now() + delay, job.index), job);
    }

    /// The final report of a job; recipients never tried stay `NotAttempted`.
    fn finish(&self, job: Job<C::Envelope>) -> MessageReport {
        let report = MessageReport {
            index: job.index,
            id: job.id,
            attempts: job.attempts,
            recipients: job.recipients,
            queued: job.queued,
        };
        self.report(Progress::MessageFinished {
            index: report.index,
            id: report.id.clone(),
            all_accepted: report.all_accepted(),
        });
        report
    }

    fn report(&self, progress: Progress) {
        if let Some(channel) = &self.progress {
            // A caller that stopped listening does not stop the run.
            let _ = channel.send(progress);
        }
    }
}

/// Narrows the job's envelope to the recipients still pending.
fn envelope_for<C: Connector>(job: &Job<C::Envelope>) -> C::Envelope {
    if job.pending.len() == job.recipients.len() {
        return job.original.clone();
    }
    let keep: Vec<String> = job
        .pending
        .iter()
        .map(|&i| job.recipients[i].recipient.clone())
        .collect();
    C::narrow(&job.original, &keep)
}

async fn sleep_until_or_forever(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One pool slot: takes jobs one at a time and sends each on its (reused) connection.
async fn run_worker<C: Connector>(mut context: WorkerContext<C>) {
    let mut connection: Option<C::Connection> = None;
    let mut sent_on_connection = 0usize;
    let mut last_used = Instant::now();
    loop {
        let job = { context.jobs.lock().await.recv().await };
        let Some(job) = job else { break };
        let attempt = tokio::select! {
            biased;
            _ = context.stopped.wait_for(|stopped| *stopped) => None,
            () = context.limiter.acquire() => Some(()),
        };
        if attempt.is_none() {
            let _ = context.results.send((job, Attempt::Skipped));
            continue;
        }
        let stale = connection.as_ref().is_some_and(|c| {
            !c.is_reusable()
                || sent_on_connection >= context.messages_per_connection
                || last_used.elapsed() > context.max_idle
        });
        if stale {
            if let Some(old) = connection.take() {
                old.close().await;
            }
        }
        if connection.is_none() {
            match context.connector.connect().await {
                Ok(fresh) => {
                    context.connections.fetch_add(1, Ordering::Relaxed);
                    connection = Some(fresh);
                    sent_on_connection = 0;
                }
                Err(failure) => {
                    let _ = context
                        .results
                        .send((job, Attempt::Failed(Stage::Connect, failure)));
                    continue;
                }
            }
        }
        let Some(open) = connection.as_mut() else {
            continue;
        };
        let envelope = envelope_for::<C>(&job);
        let result = open.send(&envelope, &job.message).await;
        sent_on_connection += 1;
        last_used = Instant::now();
        let lost = matches!(&result, Err(f) if f.kind == FailureKind::ConnectionLost);
        let attempt = match result {
            Ok(delivery) => Attempt::Delivered(delivery),
            Err(failure) => Attempt::Failed(Stage::Transaction, failure),
        };
        if lost || !open.is_reusable() {
            connection = None;
        }
        let _ = context.results.send((job, attempt));
    }
    if let Some(open) = connection {
        open.close().await;
    }
}
