//! A connection's timeout clock, armed once and moved lazily.
//!
//! Every reply starts a new wait (RFC 5321 §4.5.3.2), so the deadline moves
//! after every command. Creating a fresh timer for each wait costs a timer
//! wheel insertion and removal (a lock on the runtime's time driver) per
//! command. Instead one timer stays armed: a later deadline is only recorded,
//! and when the armed timer fires early it is re-armed for the recorded
//! deadline. An earlier deadline re-arms at once, so it is never missed.

use std::pin::Pin;

use tokio::time::{Instant, Sleep, sleep_until};

/// The deadline of the current wait, with one timer behind it.
#[derive(Debug)]
pub(crate) struct Deadline {
    timer: Pin<Box<Sleep>>,
    at: Instant,
}

impl Deadline {
    /// A clock that expires at `at`.
    pub(crate) fn new(at: Instant) -> Self {
        Deadline {
            timer: Box::pin(sleep_until(at)),
            at,
        }
    }

    /// The wait now ends at `at` (later or earlier than before).
    pub(crate) fn set(&mut self, at: Instant) {
        self.at = at;
        if at < self.timer.deadline() {
            self.timer.as_mut().reset(at);
        }
    }

    /// Resolves once the current deadline has passed; cancel-safe (`select!`).
    pub(crate) async fn expired(&mut self) {
        loop {
            self.timer.as_mut().await;
            if Instant::now() >= self.at {
                return;
            }
            // Fired for a deadline that has since moved later.
            let at = self.at;
            self.timer.as_mut().reset(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn a_later_deadline_is_honoured_after_the_first_timer_fires() {
        let start = Instant::now();
        let mut deadline = Deadline::new(start + 10 * MS);
        deadline.set(start + 60 * MS);
        deadline.expired().await;
        assert!(Instant::now() - start >= 60 * MS);
    }

    #[tokio::test]
    async fn an_earlier_deadline_fires_early() {
        let start = Instant::now();
        let mut deadline = Deadline::new(start + Duration::from_secs(300));
        deadline.set(start + 20 * MS);
        deadline.expired().await;
        let waited = Instant::now() - start;
        assert!(
            waited >= 20 * MS && waited < Duration::from_secs(10),
            "{waited:?}"
        );
    }

    #[tokio::test]
    async fn an_expired_deadline_can_be_set_again() {
        let start = Instant::now();
        let mut deadline = Deadline::new(start + 10 * MS);
        deadline.expired().await;
        let again = Instant::now() + 30 * MS;
        deadline.set(again);
        deadline.expired().await;
        assert!(Instant::now() >= again);
    }
}
