//! Retry with exponential backoff and full jitter.
//!
//! Full jitter (a delay drawn uniformly from zero to the exponential ceiling,
//! as in "Exponential Backoff And Jitter", AWS Architecture Blog, 2015) spreads
//! the retries of many messages that failed together, so a greylisting server
//! or a relay that just restarted is not hit by all of them at the same moment.

use std::time::Duration;

use rand::Rng;

/// How often and how long to wait before trying a transiently failed message again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base: Duration,
    factor: f64,
    cap: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, waiting up to 30 s, 60 s, 120 s: long enough for the usual
    /// greylisting delays of a minute or two, short enough for an interactive run.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_secs(30),
            factor: 2.0,
            cap: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// Never retry: one attempt per message.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The total number of attempts per message, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The ceiling of the delay before the first retry.
    pub fn base(mut self, base: Duration) -> Self {
        self.base = base;
        self
    }

    /// How much the ceiling grows per retry (at least 1).
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// The largest ceiling, however many retries came before.
    pub fn cap(mut self, cap: Duration) -> Self {
        self.cap = cap;
        self
    }

    /// The total number of attempts per message.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a message that failed its `attempts_made`-th attempt may be tried again.
    pub fn allows_another(&self, attempts_made: u32) -> bool {
        attempts_made < self.max_attempts
    }

    /// The ceiling before retry number `retry` (0 for the first retry):
    /// `min(cap, base * factor^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry).unwrap_or(i32::MAX);
        let scaled = self.base.as_secs_f64() * self.factor.powi(exponent);
        if scaled.is_finite() && scaled < self.cap.as_secs_f64() {
            Duration::from_secs_f64(scaled)
        } else {
            self.cap
        }
    }

    /// The delay before retry number `retry`: uniform in `[0, ceiling(retry)]`.
    pub fn delay(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(retry);
        if ceiling.is_zero() {
            return Duration::ZERO;
        }
        ceiling.mul_f64(rng.gen_range(0.0..=1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn ceilings_grow_exponentially_up_to_the_cap() {
        let policy = RetryPolicy::default()
            .base(Duration::from_secs(1))
            .factor(3.0)
            .cap(Duration::from_secs(20));
        let ceilings: Vec<u64> = (0..5).map(|r| policy.ceiling(r).as_secs()).collect();
        assert_eq!(ceilings, [1, 3, 9, 20, 20]);
        assert_eq!(policy.ceiling(u32::MAX), Duration::from_secs(20));
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let policy = RetryPolicy::default().base(Duration::from_secs(10));
        let mut rng = StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..200).map(|_| policy.delay(0, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(10)));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 100, "full jitter spreads the delays");
        assert!(delays.iter().any(|d| *d < Duration::from_secs(3)));
        assert!(delays.iter().any(|d| *d > Duration::from_secs(7)));
    }

    #[test]
    fn attempts_are_counted_with_the_first() {
        let policy = RetryPolicy::default().max_attempts(3);
        assert!(policy.allows_another(1));
        assert!(policy.allows_another(2));
        assert!(!policy.allows_another(3));
        assert!(!RetryPolicy::none().allows_another(1));
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn a_zero_base_retries_at_once() {
        let policy = RetryPolicy::default().base(Duration::ZERO);
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(policy.delay(3, &mut rng), Duration::ZERO);
    }
}
