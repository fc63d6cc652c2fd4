//! Sending-rate limits (`100/day`, `20/min`, `5/s`) enforced per account.
//!
//! Providers count messages over a sliding period ("no more than 2000 in any
//! 24 hours"), so a token bucket or GCRA, which lets a full burst through at
//! the end of one period and another at the start of the next, can exceed the
//! provider's count. The limiter here keeps the send times of the last `N`
//! messages of each limit and admits a new one only when the oldest of them is
//! a full period old: no half-open window of the period ever holds more than
//! `N` sends. Memory is `N` instants per limit.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// The largest count a limit accepts: bounds the memory of one window.
pub const MAX_RATE_COUNT: u32 = 10_000_000;

/// At most `count` messages in any period of `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    count: u32,
    period: Duration,
}

impl RateLimit {
    /// A limit of `count` messages per `period`; both must be non-zero.
    pub fn new(count: u32, period: Duration) -> Result<Self, RateLimitError> {
        if count == 0 {
            return Err(RateLimitError::ZeroCount);
        }
        if count > MAX_RATE_COUNT {
            return Err(RateLimitError::CountTooLarge(count));
        }
        if period.is_zero() {
            return Err(RateLimitError::ZeroPeriod);
        }
        Ok(RateLimit { count, period })
    }

    /// The number of messages allowed per period.
    pub const fn count(&self) -> u32 {
        self.count
    }

    /// The length of the period.
    pub const fn period(&self) -> Duration {
        self.period
    }
}

/// Why a rate limit text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RateLimitError {
    /// The text has no `/` between count and period.
    #[error("rate limit {0:?} must look like N/PERIOD, e.g. 100/day, 20/min, 5/s")]
    MissingSlash(String),
    /// The count is not a positive integer.
    #[error("rate limit count {0:?} is not a positive integer")]
    BadCount(String),
    /// The count is zero: nothing could ever be sent.
    #[error("rate limit count must be at least 1")]
    ZeroCount,
    /// The count exceeds [`MAX_RATE_COUNT`].
    #[error("rate limit count {0} exceeds the maximum of {MAX_RATE_COUNT}")]
    CountTooLarge(u32),
    /// The period is not a known unit.
    #[error(
        "unknown rate period {0:?}: use s/sec/second, m/min/minute, h/hour, d/day \
         (optionally with a number, e.g. 100/2h)"
    )]
    BadPeriod(String),
    /// The period is zero.
    #[error("rate limit period must be longer than zero")]
    ZeroPeriod,
}

/// Parses `N/PERIOD`: `100/day`, `20/min`, `5/s`, `500/hour`, `1000/24h`.
///
/// Units (case-insensitive): `s`, `sec`, `secs`, `second`, `seconds`; `m`, `min`,
/// `mins`, `minute`, `minutes`; `h`, `hr`, `hour`, `hours`; `d`, `day`, `days`.
impl FromStr for RateLimit {
    type Err = RateLimitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (count, period) = text
            .split_once('/')
            .ok_or_else(|| RateLimitError::MissingSlash(text.to_owned()))?;
        let count = count.trim();
        let count: u32 = if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) {
            count
                .parse()
                .map_err(|_| RateLimitError::CountTooLarge(u32::MAX))?
        } else {
            return Err(RateLimitError::BadCount(count.to_owned()));
        };
        RateLimit::new(count, parse_period(period.trim())?)
    }
}

/// `[N]unit`, where a missing `N` means one unit.
fn parse_period(text: &str) -> Result<Duration, RateLimitError> {
    let bad = || RateLimitError::BadPeriod(text.to_owned());
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let multiplier: u64 = if digits_end == 0 {
        1
    } else {
        text[..digits_end].parse().map_err(|_| bad())?
    };
    let unit_seconds: u64 = match text[digits_end..].trim().to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        _ => return Err(bad()),
    };
    let seconds = multiplier.checked_mul(unit_seconds).ok_or_else(bad)?;
    if seconds == 0 {
        return Err(RateLimitError::ZeroPeriod);
    }
    Ok(Duration::from_secs(seconds))
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.period.as_secs();
        let (n, unit) = match secs {
            s if s > 0 && s % 86_400 == 0 => (s / 86_400, "day"),
            s if s > 0 && s % 3600 == 0 => (s / 3600, "hour"),
            s if s > 0 && s % 60 == 0 => (s / 60, "min"),
            s => (s, "s"),
        };
        if n == 1 {
            write!(f, "{}/{unit}", self.count)
        } else {
            write!(f, "{}/{n}{unit}", self.count)
        }
    }
}

/// The send times inside one limit's current period.
#[derive(Debug)]
struct Window {
    limit: RateLimit,
    sends: VecDeque<Instant>,
}

impl Window {
    /// When the next send may happen, or `None` when it may happen `now`.
    fn next_free(&mut self, now: Instant) -> Option<Instant> {
        while let Some(&oldest) = self.sends.front() {
            if now.duration_since(oldest) >= self.limit.period {
                self.sends.pop_front();
            } else {
                break;
            }
        }
        if self.sends.len() < self.limit.count as usize {
            None
        } else {
            self.sends.front().map(|&oldest| oldest + self.limit.period)
        }
    }
}

/// Several limits that all apply to one account (`20/min` and `2000/day`).
///
/// [`RateLimiter::acquire`] waits until every limit admits one more message
/// and records it in all of them at once. Waiters are served in arrival order
/// (tokio's mutex is fair), so a busy pool cannot starve one task.
#[derive(Debug)]
pub struct RateLimiter {
    windows: Mutex<Vec<Window>>,
}

impl RateLimiter {
    /// A limiter enforcing all of `limits` (none: never waits).
    pub fn new(limits: impl IntoIterator<Item = RateLimit>) -> Self {
        let windows = limits
            .into_iter()
            .map(|limit| Window {
                limit,
                sends: VecDeque::new(),
            })
            .collect();
        RateLimiter {
            windows: Mutex::new(windows),
        }
    }

    /// Waits (on tokio's clock) until one more message fits every limit, and
    /// counts it. Cancel-safe: a dropped future counts nothing.
    pub async fn acquire(&self) {
        let mut windows = self.windows.lock().await;
        loop {
            let now = Instant::now();
            let wait_until = windows.iter_mut().filter_map(|w| w.next_free(now)).max();
            match wait_until {
                None => {
                    for window in windows.iter_mut() {
                        window.sends.push_back(now);
                    }
                    return;
                }
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
    }
}

/// Rate limiters per account (the credentials' user), shareable between
/// senders so two bulk runs for the same account share one budget.
#[derive(Debug, Clone, Default)]
pub struct AccountLimiters {
    limits: Vec<RateLimit>,
    accounts: Arc<StdMutex<HashMap<String, Arc<RateLimiter>>>>,
}

impl AccountLimiters {
    /// Every account gets its own limiter enforcing all of `limits`.
    pub fn new(limits: impl IntoIterator<Item = RateLimit>) -> Self {
        AccountLimiters {
            limits: limits.into_iter().collect(),
            accounts: Arc::default(),
        }
    }

    /// The limits each account gets.
    pub fn limits(&self) -> &[RateLimit] {
        &self.limits
    }

    /// The limiter for `account`, created on first use.
    pub fn for_account(&self, account: &str) -> Arc<RateLimiter> {
        // A poisoned map still holds valid limiters: nothing panics while it is held.
        let mut accounts = self
            .accounts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        accounts
            .entry(account.to_owned())
            .or_insert_with(|| Arc::new(RateLimiter::new(self.limits.iter().copied())))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let table: &[(&str, u32, u64)] = &[
            ("100/day", 100, 86_400),
            ("100/d", 100, 86_400),
            ("20/min", 20, 60),
            ("20/m", 20, 60),
            ("20/minute", 20, 60),
            ("5/s", 5, 1),
            ("5/sec", 5, 1),
            ("5/second", 5, 1),
            ("500/hour", 500, 3600),
            ("500/h", 500, 3600),
            ("500/HR", 500, 3600),
            ("1000/24h", 1000, 86_400),
            (" 7 / 10s ", 7, 10),
        ];
        for &(text, count, secs) in table {
            let limit: RateLimit = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(limit.count(), count, "{text}");
            assert_eq!(limit.period(), Duration::from_secs(secs), "{text}");
        }
    }

    #[test]
    fn refuses_bad_forms_with_clear_errors() {
        let table: &[(&str, RateLimitError)] = &[
            ("100", RateLimitError::MissingSlash("100".into())),
            ("x/day", RateLimitError::BadCount("x".into())),
            ("-1/day", RateLimitError::BadCount("-1".into())),
            ("0/day", RateLimitError::ZeroCount),
            ("5/fortnight", RateLimitError::BadPeriod("fortnight".into())),
            ("5/", RateLimitError::BadPeriod("".into())),
            ("5/0s", RateLimitError::ZeroPeriod),
            ("99999999999/s", RateLimitError::CountTooLarge(u32::MAX)),
            ("20000000/s", RateLimitError::CountTooLarge(20_000_000)),
        ];
        for (text, expected) in table {
            assert_eq!(text.parse::<RateLimit>().as_ref(), Err(expected), "{text}");
        }
        let message = "5/fortnight".parse::<RateLimit>().unwrap_err().to_string();
        assert!(message.contains("min"), "{message}");
    }

    #[test]
    fn displays_in_parseable_form() {
        for text in ["100/day", "20/min", "5/s", "500/hour", "7/10s", "1/2day"] {
            let limit: RateLimit = text.parse().unwrap();
            assert_eq!(limit.to_string().parse::<RateLimit>().unwrap(), limit);
        }
    }

    /// Sends `n` acquisitions as fast as allowed and returns their offsets from the start.
    async fn acquisition_times(limiter: &RateLimiter, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            limiter.acquire().await;
            times.push(start.elapsed());
        }
        times
    }

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_the_count_in_any_window() {
        let limiter = RateLimiter::new(["5/s".parse().unwrap()]);
        let times = acquisition_times(&limiter, 23).await;
        // The first five go at once, then five per second.
        assert!(times[..5].iter().all(|t| t.is_zero()), "{times:?}");
        for pair in times.windows(6) {
            assert!(pair[5] - pair[0] >= Duration::from_secs(1), "{times:?}");
        }
        assert_eq!(times[22], Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn several_limits_apply_together() {
        let limiter = RateLimiter::new(["3/s".parse().unwrap(), "4/min".parse().unwrap()]);
        let times = acquisition_times(&limiter, 6).await;
        // 3 at once; the 4th waits for the 1/s window; the 5th waits for the minute.
        assert_eq!(
            &times[..4],
            &[
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO,
                Duration::from_secs(1)
            ]
        );
        assert_eq!(times[4], Duration::from_secs(60));
        assert_eq!(times[5], Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_share_one_budget() {
        let limiter = Arc::new(RateLimiter::new(["2/s".parse().unwrap()]));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                limiter.acquire().await;
                start.elapsed()
            }));
        }
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.unwrap());
        }
        times.sort();
        for pair in times.windows(3) {
            assert!(pair[2] - pair[0] >= Duration::from_secs(1), "{times:?}");
        }
        assert_eq!(times[5], Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn accounts_are_counted_separately() {
        let limiters = AccountLimiters::new(["1/min".parse().unwrap()]);
        let start = Instant::now();
        limiters.for_account("alice").acquire().await;
        limiters.for_account("bob").acquire().await;
        assert!(start.elapsed().is_zero());
        limiters.for_account("alice").acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn no_limits_never_wait() {
        let limiter = RateLimiter::new([]);
        let times = acquisition_times(&limiter, 100).await;
        assert!(times.iter().all(|t| t.is_zero()));
    }
}
