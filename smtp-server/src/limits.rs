//! Connection limits: how many clients at once, in total and per IP address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use crate::config::ConnectionLimits;

/// Counts open connections; a [`ConnectionGuard`] holds one slot.
#[derive(Debug)]
pub(crate) struct ConnectionLimiter {
    limits: ConnectionLimits,
    counts: Mutex<Counts>,
    idle: Notify,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One open connection; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct ConnectionGuard {
    limiter: Arc<ConnectionLimiter>,
    ip: IpAddr,
}

impl ConnectionLimiter {
    pub(crate) fn new(limits: ConnectionLimits) -> Arc<Self> {
        Arc::new(ConnectionLimiter {
            limits,
            counts: Mutex::new(Counts::default()),
            idle: Notify::new(),
        })
    }

    /// A slot for a connection from `ip`, or `None` when a limit is reached.
    pub(crate) fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionGuard> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let from_ip = counts.per_ip.get(&ip).copied().unwrap_or(0);
        if counts.total >= self.limits.max_connections
            || from_ip >= self.limits.max_connections_per_ip
        {
            return None;
        }
        counts.total += 1;
        counts.per_ip.insert(ip, from_ip + 1);
        Some(ConnectionGuard {
            limiter: Arc::clone(self),
            ip,
        })
    }

    /// Connections open now.
    pub(crate) fn open(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }

    /// Waits until no connection is open.
    pub(crate) async fn wait_idle(&self) {
        loop {
            // Created before the check, so a release in between still wakes it.
            let notified = self.idle.notified();
            if self.open() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut counts = self
            .limiter
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(count) = counts.per_ip.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
        if counts.total == 0 {
            self.limiter.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_ip_and_total_limits() {
        let limiter = ConnectionLimiter::new(ConnectionLimits {
            max_connections: 3,
            max_connections_per_ip: 2,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = limiter.try_acquire(a).unwrap();
        let _second = limiter.try_acquire(a).unwrap();
        assert!(limiter.try_acquire(a).is_none());
        let _third = limiter.try_acquire(b).unwrap();
        assert!(limiter.try_acquire(b).is_none(), "total limit");
        drop(first);
        assert!(limiter.try_acquire(a).is_some());
    }
}
