//! Group commit of Maildir deliveries: one thread makes a whole batch of
//! `tmp/` files durable and moves them into `new/` with two disk syncs,
//! however many messages the batch holds.
//!
//! A delivery writes its `tmp/` file without syncing it and queues it here.
//! The committer takes everything queued and, for that batch:
//! 1. `syncfs` on the Maildir's file system: every file's data and inode are
//!    on disk (measured here: 3.4 ms for 20 new files, against 83 ms for 20
//!    back-to-back `fdatasync`s, each of which commits the journal again);
//! 2. renames each file into `new/`, so `new/` never names a file whose data
//!    is not yet durable, whatever crashes when;
//! 3. `fsync(new/)`: the new directory entries are durable;
//! 4. wakes every waiter with its result.
//!
//! Deliveries that arrive during a commit form the next batch, so with many
//! concurrent sessions each pair of syncs is shared by many messages, and a
//! lone session pays the same two syncs it always paid.
//!
//! If a sync fails, every delivery of the batch fails and its file is removed,
//! from `tmp/` or from `new/`: nothing that was not acknowledged stays behind
//! to be delivered twice when the client retries.

use std::fs::File as StdFile;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::oneshot;

/// One delivery waiting to be committed.
#[derive(Debug)]
struct Pending {
    tmp: PathBuf,
    new: PathBuf,
    /// Closed when the delivery was abandoned (its future dropped).
    done: oneshot::Sender<io::Result<()>>,
}

#[derive(Debug, Default)]
struct Queue {
    pending: Vec<Pending>,
    shutting_down: bool,
}

/// The step at which a test makes the next commit fail.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailAt {
    DataSync,
    DirSync,
}

/// The committer thread's shared state: the queue and the two directories.
#[derive(Debug)]
pub(super) struct Committer {
    /// `tmp/`, opened once: `syncfs` takes any descriptor on the file system.
    tmp_dir: StdFile,
    /// `new/`, opened once: a directory fsync needs a descriptor.
    new_dir: StdFile,
    queue: Mutex<Queue>,
    wake: Condvar,
    /// How many batches have been committed (successfully or not).
    commits: AtomicU64,
    /// Set by a test to stop the committer before it takes a batch, so that
    /// a batch forms deterministically.
    #[cfg(test)]
    paused: Mutex<bool>,
    #[cfg(test)]
    resumed: Condvar,
    #[cfg(test)]
    pub(super) fail_at: Mutex<Option<FailAt>>,
}

impl Committer {
    /// Starts the committer thread for a Maildir whose subdirectories are
    /// `tmp_dir` and `new_dir`.
    pub(super) fn start(tmp_dir: PathBuf, new_dir: PathBuf) -> io::Result<Arc<Committer>> {
        let committer = Arc::new(Committer {
            tmp_dir: StdFile::open(tmp_dir)?,
            new_dir: StdFile::open(new_dir)?,
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            commits: AtomicU64::new(0),
            #[cfg(test)]
            paused: Mutex::new(false),
            #[cfg(test)]
            resumed: Condvar::new(),
            #[cfg(test)]
            fail_at: Mutex::new(None),
        });
        let worker = Arc::clone(&committer);
        std::thread::Builder::new()
            .name("maildir-commit".to_owned())
            .spawn(move || worker.run())?;
        Ok(committer)
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Every step leaves the queue consistent (a push or a take), so a
        // panic elsewhere while holding the lock cannot corrupt it.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the written (not yet synced) file `tmp` durable as `new`.
    /// On success the message is in `new/` and on disk; on error nothing of it
    /// is left. If this future is dropped before the committer reaches the
    /// file, the file is removed instead of delivered.
    pub(super) async fn commit(&self, tmp: PathBuf, new: PathBuf) -> io::Result<()> {
        let (done, result) = oneshot::channel();
        {
            let mut queue = self.lock();
            if queue.shutting_down {
                drop(queue);
                let _ = std::fs::remove_file(&tmp);
                return Err(stopped());
            }
            queue.pending.push(Pending { tmp, new, done });
        }
        self.wake.notify_one();
        result.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// How many batches have been committed so far.
    #[cfg(test)]
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    /// How many deliveries wait for the next batch.
    #[cfg(test)]
    pub(super) fn queued(&self) -> usize {
        self.lock().pending.len()
    }

    /// Stops the thread once the queue is empty.
    pub(super) fn shut_down(&self) {
        self.lock().shutting_down = true;
        self.wake.notify_one();
    }

    fn run(&self) {
        loop {
            {
                let mut queue = self.lock();
                while queue.pending.is_empty() && !queue.shutting_down {
                    queue = self.wake.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
            }
            #[cfg(test)]
            self.wait_while_paused();
            let batch = {
                let mut queue = self.lock();
                if queue.pending.is_empty() {
                    if queue.shutting_down {
                        return;
                    }
                    continue;
                }
                std::mem::take(&mut queue.pending)
            };
            tracing::trace!(messages = batch.len(), "maildir group commit");
            self.commit_batch(batch);
            self.commits.fetch_add(1, Ordering::AcqRel);
        }
    }

    fn commit_batch(&self, batch: Vec<Pending>) {
        let (abandoned, batch): (Vec<_>, Vec<_>) =
            batch.into_iter().partition(|p| p.done.is_closed());
        for pending in abandoned {
            let _ = std::fs::remove_file(&pending.tmp);
        }
        if batch.is_empty() {
            return;
        }

        if let Err(error) = self.sync_data() {
            tracing::error!(%error, "maildir: syncing message files failed");
            fail_all(batch, |p| &p.tmp, &error);
            return;
        }

        let mut renamed = Vec::with_capacity(batch.len());
        for pending in batch {
            match std::fs::rename(&pending.tmp, &pending.new) {
                Ok(()) => renamed.push(pending),
                Err(error) => {
                    // Only this message: the others are fine.
                    let _ = std::fs::remove_file(&pending.tmp);
                    let _ = pending.done.send(Err(error));
                }
            }
        }
        if renamed.is_empty() {
            return;
        }

        if let Err(error) = self.sync_new_dir() {
            tracing::error!(%error, "maildir: syncing new/ failed");
            fail_all(renamed, |p| &p.new, &error);
            return;
        }
        for pending in renamed {
            let _ = pending.done.send(Ok(()));
        }
    }

    /// Every queued file's data and inode on disk, with one call.
    fn sync_data(&self) -> io::Result<()> {
        #[cfg(test)]
        self.injected_failure(FailAt::DataSync)?;
        rustix::fs::syncfs(&self.tmp_dir).map_err(io::Error::from)
    }

    fn sync_new_dir(&self) -> io::Result<()> {
        #[cfg(test)]
        self.injected_failure(FailAt::DirSync)?;
        self.new_dir.sync_all()
    }

    /// Holds the committer before its next batch until [`Committer::resume`].
    #[cfg(test)]
    pub(super) fn pause(&self) {
        *self.paused.lock().unwrap() = true;
    }

    #[cfg(test)]
    pub(super) fn resume(&self) {
        *self.paused.lock().unwrap() = false;
        self.resumed.notify_all();
    }

    #[cfg(test)]
    fn wait_while_paused(&self) {
        let mut paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        while *paused {
            paused = self.resumed.wait(paused).unwrap_or_else(|e| e.into_inner());
        }
    }

    #[cfg(test)]
    fn injected_failure(&self, step: FailAt) -> io::Result<()> {
        let fail_at = self.fail_at.lock().unwrap_or_else(|e| e.into_inner());
        if *fail_at == Some(step) {
            return Err(io::Error::other(format!("injected failure at {step:?}")));
        }
        Ok(())
    }
}

/// Fails every delivery of `batch` with `error`, removing the file each has
/// at `path` (in `tmp/` or `new/`, depending on how far the commit went).
fn fail_all(batch: Vec<Pending>, path: impl Fn(&Pending) -> &PathBuf, error: &io::Error) {
    for pending in batch {
        let _ = std::fs::remove_file(path(&pending));
        let _ = pending
            .done
            .send(Err(io::Error::new(error.kind(), error.to_string())));
    }
}

fn stopped() -> io::Error {
    io::Error::other("the maildir commit thread has stopped")
}
