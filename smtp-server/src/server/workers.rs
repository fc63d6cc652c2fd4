//! Spreading accepted connections over several runtimes.
//!
//! A server on N cores runs best as N single-threaded runtimes whose
//! connections never change thread (no cross-thread wake-ups per command).
//! Letting every runtime accept on the same socket does not spread the load:
//! a burst of connections is accepted by whichever thread wakes first, which
//! drains the whole backlog, so one core can end up with every connection.
//! [`Workers`] instead gives each accepted connection to the runtime with the
//! fewest open connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::Handle;

/// The runtimes a server runs its connections on (see
/// [`crate::Server::serve_on`]). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Workers {
    workers: Arc<[Worker]>,
}

#[derive(Debug)]
struct Worker {
    handle: Handle,
    open: AtomicUsize,
}

impl Workers {
    /// Workers on these runtimes, typically one current-thread runtime per
    /// core, each driven by its own thread. `None` when `handles` is empty.
    pub fn new(handles: impl IntoIterator<Item = Handle>) -> Option<Workers> {
        let workers: Arc<[Worker]> = handles
            .into_iter()
            .map(|handle| Worker {
                handle,
                open: AtomicUsize::new(0),
            })
            .collect();
        if workers.is_empty() {
            None
        } else {
            Some(Workers { workers })
        }
    }

    /// Open connections on each runtime, in the order given to [`Workers::new`].
    pub fn open_connections(&self) -> Vec<usize> {
        self.workers
            .iter()
            .map(|worker| worker.open.load(Ordering::Relaxed))
            .collect()
    }

    /// Runs the future `connection` makes on the runtime with the fewest open
    /// connections (the first of them on a tie), counting it as open until
    /// the [`OpenConnection`] it is given is dropped.
    ///
    /// The future holds that guard itself rather than being wrapped in
    /// another future: an async block that awaits a future it captured keeps
    /// room for it twice, which doubled the memory of every idle connection.
    pub(crate) fn spawn<F>(&self, connection: impl FnOnce(OpenConnection) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let index = self
            .workers
            .iter()
            .enumerate()
            .min_by_key(|(_, worker)| worker.open.load(Ordering::Relaxed))
            .map_or(0, |(index, _)| index);
        let worker = &self.workers[index];
        worker.open.fetch_add(1, Ordering::Relaxed);
        let open = OpenConnection {
            workers: self.clone(),
            index,
        };
        worker.handle.spawn(connection(open));
    }
}

/// Counts a connection as open on its runtime; uncounts it when dropped,
/// also when the runtime shuts down and drops the task unfinished.
#[derive(Debug)]
pub(crate) struct OpenConnection {
    workers: Workers,
    index: usize,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        if let Some(worker) = self.workers.workers.get(self.index) {
            worker.open.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn no_runtime_is_no_workers() {
        assert!(Workers::new(Vec::new()).is_none());
    }

    #[test]
    fn connections_go_to_the_least_busy_runtime_and_are_uncounted_when_done() {
        let (a, b) = (runtime(), runtime());
        let workers = Workers::new([a.handle().clone(), b.handle().clone()]).unwrap();
        let (release, released) = tokio::sync::watch::channel(false);
        for _ in 0..5 {
            let mut released = released.clone();
            workers.spawn(|open| async move {
                let _ = released.wait_for(|done| *done).await;
                drop(open);
            });
        }
        assert_eq!(workers.open_connections(), vec![3, 2]);
        release.send_replace(true);
        // Each runtime runs its tasks while its thread blocks on it.
        for rt in [&a, &b] {
            rt.block_on(async {
                for _ in 0..100 {
                    tokio::task::yield_now().await;
                }
            });
        }
        assert_eq!(workers.open_connections(), vec![0, 0]);
    }

    #[test]
    fn a_connection_dropped_by_a_shut_down_runtime_is_uncounted() {
        let a = runtime();
        let workers = Workers::new([a.handle().clone()]).unwrap();
        workers.spawn(|open| async move {
            std::future::pending::<()>().await;
            drop(open);
        });
        assert_eq!(workers.open_connections(), vec![1]);
        drop(a);
        assert_eq!(workers.open_connections(), vec![0]);
    }
}
