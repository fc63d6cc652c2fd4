//! Group commit of Maildir deliveries: batches of written, unsynced files
//! become durable in `new/` with one `syncfs` per batch, however many
//! messages it holds.
//!
//! Two threads per Maildir:
//! - the *write* thread creates and writes small messages, each as an
//!   anonymous file (`O_TMPFILE`, no name yet) where the file system allows
//!   it, else as a `tmp/` file, and queues them (large messages are streamed
//!   to `tmp/` by their session and queued the same way);
//! - the *sync* thread loops: it takes everything queued, runs one `syncfs`
//!   on the Maildir's file system, then links (or renames) that batch into
//!   `new/`. The *next* `syncfs`, which starts after those links, makes the
//!   new directory entries (and the linked inodes' link counts) durable; only
//!   then are that batch's deliveries acknowledged.
//!
//! Per message the order is the one a lone delivery needs: data durable, then
//! the name in `new/` (so `new/` never names a file whose data is not on
//! disk, whatever crashes when), then the name durable, then `250`. Each
//! `syncfs` serves two batches (the data of one, the names of the previous),
//! and deliveries that arrive during a sync form the next batch, so under
//! concurrency one sync serves many messages while a lone session pays the
//! two syncs it always paid.
//!
//! Why `syncfs` and not `fdatasync` of each file: measured here, 3.4 ms for
//! 20 new files against 83 ms for 20 back-to-back `fdatasync`s, and in the
//! server parallel `fdatasync`s (8 threads) cost 230 us of CPU per message
//! against 130 (benches/sessions/RESULTS.md). Why `syncfs` and not
//! `fsync(new/)` for the names: it also writes the linked inodes, whose link
//! count an anonymous file changes; on ext4 without a journal a durable entry
//! to an inode still recorded with no links is removed by `e2fsck`.
//!
//! Waking a task of another thread's runtime costs a system call (tokio's
//! current-thread runtime writes its eventfd for each remote wake-up), so the
//! sync thread wakes one waiter per runtime thread and hands it the others'
//! wakers: it wakes them from its own thread, where that is a queue push.
//!
//! If a sync fails, every delivery it served fails and its file is removed,
//! from `tmp/` or from `new/`: nothing that was not acknowledged stays behind
//! to be delivered twice when the client retries.

use std::fs::File as StdFile;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;

/// One delivery waiting to be committed.
#[derive(Debug)]
struct Pending {
    /// The file's name in `tmp/` (unused for an anonymous file).
    tmp: PathBuf,
    new: PathBuf,
    /// A small message written as an anonymous file (`O_TMPFILE`), linked
    /// into `new/` under its name once its data is durable; `None` when the
    /// file is `tmp`.
    anonymous: Option<StdFile>,
    /// Where the result goes, and the waiter's waker.
    slot: Arc<Slot>,
    /// The thread the delivery waits on: waiters of one thread are woken
    /// together (see the module documentation).
    thread: ThreadId,
}

impl Pending {
    /// A delivery of the calling thread, whose result goes to `slot`.
    fn new(tmp: PathBuf, new: PathBuf, slot: &Arc<Slot>) -> Pending {
        Pending {
            tmp,
            new,
            anonymous: None,
            slot: Arc::clone(slot),
            thread: std::thread::current().id(),
        }
    }
}

/// Small messages waiting for the write thread to create their file.
#[derive(Debug, Default)]
struct Writes {
    messages: Vec<(Pending, Vec<u8>)>,
    shutting_down: bool,
    /// Like [`Queue::asleep`], for the write thread.
    asleep: bool,
}

/// Deliveries waiting for the sync thread.
#[derive(Debug, Default)]
struct Queue {
    pending: Vec<Pending>,
    shutting_down: bool,
    /// The sync thread waits on its condition variable: a delivery must
    /// wake it. While it syncs it needs no wake-up (it looks at the queue
    /// before waiting), which saves a futex call per delivery under load.
    asleep: bool,
}

/// The step at which a test makes the next commit fail.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailAt {
    /// The `syncfs` that makes a batch's data durable.
    DataSync,
    /// The `syncfs` that makes a linked batch's names in `new/` durable.
    DirSync,
}

/// The commit threads' shared state: the two queues and the two directories.
#[derive(Debug)]
pub(super) struct Committer {
    /// `tmp/`, opened once: `syncfs` takes any descriptor on the file system.
    tmp_dir: StdFile,
    /// `new/`, opened once: anonymous files are created in it and linked into it.
    new_dir: StdFile,
    /// How anonymous files are linked, or `None` when this file system (or
    /// kernel) has no `O_TMPFILE`: small messages then go through `tmp/` too.
    anonymous_link: Option<AnonymousLink>,
    writes: Mutex<Writes>,
    written: Condvar,
    queue: Mutex<Queue>,
    queued: Condvar,
    /// How many batches the sync thread has taken (committed or failed).
    commits: AtomicU64,
    /// Set by a test to stop the sync thread before it takes a batch, so
    /// that a batch forms deterministically.
    #[cfg(test)]
    paused: Mutex<bool>,
    #[cfg(test)]
    resumed: Condvar,
    #[cfg(test)]
    pub(super) fail_at: Mutex<Option<FailAt>>,
}

impl Committer {
    /// Starts the commit threads for a Maildir whose subdirectories are
    /// `tmp_dir` and `new_dir`. With `anonymous_files`, small messages are
    /// written as anonymous files where the file system allows it.
    pub(super) fn start(
        tmp_dir: &Path,
        new_dir: &Path,
        anonymous_files: bool,
    ) -> io::Result<Arc<Committer>> {
        let tmp_dir = StdFile::open(tmp_dir)?;
        let new_dir = StdFile::open(new_dir)?;
        let anonymous_link = if anonymous_files {
            AnonymousLink::probe(&new_dir, &tmp_dir)
        } else {
            None
        };
        let committer = Arc::new(Committer {
            tmp_dir,
            new_dir,
            anonymous_link,
            writes: Mutex::new(Writes::default()),
            written: Condvar::new(),
            queue: Mutex::new(Queue::default()),
            queued: Condvar::new(),
            commits: AtomicU64::new(0),
            #[cfg(test)]
            paused: Mutex::new(false),
            #[cfg(test)]
            resumed: Condvar::new(),
            #[cfg(test)]
            fail_at: Mutex::new(None),
        });
        let syncer = Arc::clone(&committer);
        std::thread::Builder::new()
            .name("maildir-sync".to_owned())
            .spawn(move || syncer.run_sync())?;
        let writer = Arc::clone(&committer);
        let started = std::thread::Builder::new()
            .name("maildir-write".to_owned())
            .spawn(move || writer.run_write());
        if let Err(error) = started {
            // Let the other threads end instead of waiting forever.
            committer.stop_sync();
            return Err(error);
        }
        Ok(committer)
    }

    fn lock_writes(&self) -> MutexGuard<'_, Writes> {
        self.writes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Every step leaves the queues consistent (a push or a take), so a
        // panic elsewhere while holding the lock cannot corrupt them.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the written (not yet synced) file `tmp` durable as `new`.
    /// On success the message is in `new/` and on disk; on error nothing of it
    /// is left. If this future is dropped before the sync thread reaches the
    /// file, the file is removed instead of delivered.
    pub(super) async fn commit(&self, tmp: PathBuf, new: PathBuf) -> io::Result<()> {
        let slot = Arc::new(Slot::default());
        let pending = Pending::new(tmp, new, &slot);
        if let Err(pending) = self.enqueue(vec![pending]) {
            for pending in pending {
                pending.discard();
            }
            return Err(stopped());
        }
        Outcome { slot }.await
    }

    /// Writes `content` as the new file `tmp`, then commits it like
    /// [`Committer::commit`]. The write thread does it: a hand-off to a
    /// thread that passes the file straight on to the sync thread, instead
    /// of a round trip through the blocking pool. If this future is dropped
    /// before the write thread reaches it, nothing is written.
    pub(super) async fn write_and_commit(
        &self,
        tmp: PathBuf,
        new: PathBuf,
        content: Vec<u8>,
    ) -> io::Result<()> {
        let slot = Arc::new(Slot::default());
        {
            let mut writes = self.lock_writes();
            if writes.shutting_down {
                return Err(stopped());
            }
            let pending = Pending::new(tmp, new, &slot);
            writes.messages.push((pending, content));
            if writes.asleep {
                writes.asleep = false;
                drop(writes);
                self.written.notify_one();
            }
        }
        Outcome { slot }.await
    }

    /// Queues written files for the sync thread; gives them back if it has stopped.
    fn enqueue(&self, mut files: Vec<Pending>) -> Result<(), Vec<Pending>> {
        let mut queue = self.lock();
        if queue.shutting_down {
            return Err(files);
        }
        queue.pending.append(&mut files);
        if queue.asleep {
            queue.asleep = false;
            drop(queue);
            self.queued.notify_one();
        }
        Ok(())
    }

    /// How many batches have been committed so far.
    #[cfg(test)]
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    /// Whether small messages are written as anonymous files.
    #[cfg(test)]
    pub(super) fn anonymous_files(&self) -> bool {
        self.anonymous_link.is_some()
    }

    /// How many deliveries wait for the next batch.
    #[cfg(test)]
    pub(super) fn queued(&self) -> usize {
        self.lock().pending.len()
    }

    /// Stops the threads once every queued delivery is committed.
    pub(super) fn shut_down(&self) {
        self.lock_writes().shutting_down = true;
        self.written.notify_one();
    }

    /// Lets the sync thread stop once its queue is empty.
    fn stop_sync(&self) {
        self.lock().shutting_down = true;
        self.queued.notify_one();
    }

    /// The write thread: creates and writes small messages' files and
    /// queues them for the sync thread.
    fn run_write(&self) {
        loop {
            let messages = {
                let mut writes = self.lock_writes();
                while writes.messages.is_empty() && !writes.shutting_down {
                    writes.asleep = true;
                    writes = self.written.wait(writes).unwrap_or_else(|e| e.into_inner());
                }
                writes.asleep = false;
                if writes.messages.is_empty() {
                    break;
                }
                std::mem::take(&mut writes.messages)
            };
            let mut written = Vec::with_capacity(messages.len());
            let mut failed = Vec::new();
            for (mut pending, content) in messages {
                if pending.slot.is_abandoned() {
                    continue;
                }
                let result = match self.anonymous_link {
                    Some(_) => write_anonymous_file(&self.new_dir, &content)
                        .map(|file| pending.anonymous = Some(file)),
                    None => write_new_file(&pending.tmp, &content),
                };
                match result {
                    Ok(()) => written.push(pending),
                    // Only this message: the others are fine.
                    Err(error) => failed.push((pending, Err(error))),
                }
            }
            complete(failed);
            if let Err(refused) = self.enqueue(written) {
                // Not reached: the sync thread stops only after this one.
                let refused = refused
                    .into_iter()
                    .map(|pending| {
                        pending.discard();
                        (pending, Err(stopped()))
                    })
                    .collect();
                complete(refused);
            }
        }
        self.stop_sync();
    }

    /// The sync thread: each `syncfs` makes durable both the data of the
    /// files queued since the last one, which it then links into `new/`, and
    /// the directory entries it made after the last one, whose deliveries
    /// are then acknowledged.
    fn run_sync(&self) {
        // Linked into `new/` since the last sync: acknowledged after the next.
        let mut linked = Vec::new();
        loop {
            {
                let mut queue = self.lock();
                while queue.pending.is_empty() && linked.is_empty() && !queue.shutting_down {
                    queue.asleep = true;
                    queue = self.queued.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
                queue.asleep = false;
            }
            #[cfg(test)]
            self.wait_while_paused();
            let (took, batch) = {
                let mut queue = self.lock();
                if queue.pending.is_empty() && linked.is_empty() {
                    if queue.shutting_down {
                        return;
                    }
                    continue;
                }
                let batch = std::mem::take(&mut queue.pending);
                (!batch.is_empty(), batch)
            };
            let (abandoned, batch): (Vec<_>, Vec<_>) =
                batch.into_iter().partition(|p| p.slot.is_abandoned());
            let batch = abandoned_removed(abandoned, batch);
            if !batch.is_empty() || !linked.is_empty() {
                tracing::trace!(
                    messages = batch.len(),
                    linked = linked.len(),
                    "maildir group commit"
                );
                linked = self.sync_and_link(batch, std::mem::take(&mut linked));
            }
            if took {
                self.commits.fetch_add(1, Ordering::AcqRel);
            }
        }
    }

    /// One `syncfs` for `batch` (written, not linked) and `linked` (linked
    /// into `new/`): acknowledges `linked` and links `batch`, returning it;
    /// if the sync fails, fails both and removes their files.
    fn sync_and_link(&self, batch: Vec<Pending>, linked: Vec<Pending>) -> Vec<Pending> {
        let synced = rustix::fs::syncfs(&self.tmp_dir).map_err(io::Error::from);
        #[cfg(test)]
        let (data, entries) = (
            synced.as_ref().map_err(copy_error).and_then(|()| {
                if batch.is_empty() {
                    Ok(())
                } else {
                    self.injected_failure(FailAt::DataSync)
                }
            }),
            synced.as_ref().map_err(copy_error).and_then(|()| {
                if linked.is_empty() {
                    Ok(())
                } else {
                    self.injected_failure(FailAt::DirSync)
                }
            }),
        );
        #[cfg(not(test))]
        let (data, entries) = (synced.as_ref().map_err(copy_error).copied(), synced);
        match entries {
            Ok(()) => complete(linked.into_iter().map(|p| (p, Ok(()))).collect()),
            Err(error) => {
                tracing::error!(%error, "maildir: syncing new/ failed");
                complete(
                    linked
                        .into_iter()
                        .map(|pending| {
                            let _ = std::fs::remove_file(&pending.new);
                            (pending, Err(copy_error(&error)))
                        })
                        .collect(),
                );
            }
        }
        if let Err(error) = data {
            if !batch.is_empty() {
                tracing::error!(%error, "maildir: syncing message files failed");
            }
            complete(
                batch
                    .into_iter()
                    .map(|pending| {
                        pending.discard();
                        (pending, Err(copy_error(&error)))
                    })
                    .collect(),
            );
            return Vec::new();
        }
        self.link_batch(batch)
    }

    /// Links (or renames) every file of `batch` into `new/`; returns those
    /// that made it, and fails the others.
    fn link_batch(&self, batch: Vec<Pending>) -> Vec<Pending> {
        let mut failed = Vec::new();
        let mut linked = Vec::with_capacity(batch.len());
        for pending in batch {
            let moved = match (&pending.anonymous, self.anonymous_link) {
                (Some(file), Some(method)) => method.link(file, &self.new_dir, &pending.new),
                _ => std::fs::rename(&pending.tmp, &pending.new),
            };
            match moved {
                Ok(()) => linked.push(Pending {
                    // Linked: the descriptor is no longer needed.
                    anonymous: None,
                    ..pending
                }),
                Err(error) => {
                    // Only this message: the others are fine.
                    pending.discard();
                    failed.push((pending, Err(error)));
                }
            }
        }
        complete(failed);
        linked
    }

    /// Holds the sync thread before its next batch until [`Committer::resume`].
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

/// Where a committer thread leaves one delivery's result.
#[derive(Debug, Default)]
struct Slot {
    state: Mutex<SlotState>,
}

#[derive(Debug, Default)]
struct SlotState {
    result: Option<io::Result<()>>,
    /// The waiting task, once it has been polled.
    waker: Option<Waker>,
    /// Other waiters of the same thread, to wake when this one wakes.
    also_wake: Vec<Waker>,
    /// The waiting future was dropped: nobody will read the result.
    abandoned: bool,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_abandoned(&self) -> bool {
        self.lock().abandoned
    }
}

/// Removes the files of abandoned deliveries (nobody waits for them); returns `kept`.
fn abandoned_removed(abandoned: Vec<Pending>, kept: Vec<Pending>) -> Vec<Pending> {
    for pending in abandoned {
        pending.discard();
    }
    kept
}

impl Pending {
    /// Removes the not yet linked file: the `tmp/` entry, if it has one (an
    /// anonymous file disappears with its descriptor).
    fn discard(&self) {
        if self.anonymous.is_none() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Stores every result and wakes the waiters: per thread, one waiter is
/// woken from here and wakes the others itself (see the module documentation).
fn complete(results: Vec<(Pending, io::Result<()>)>) {
    /// One thread's waiters, with their results.
    type Group = Vec<(Arc<Slot>, io::Result<()>)>;
    let mut groups: Vec<(ThreadId, Group)> = Vec::new();
    for (pending, result) in results {
        match groups
            .iter_mut()
            .find(|(thread, _)| *thread == pending.thread)
        {
            Some((_, group)) => group.push((pending.slot, result)),
            None => groups.push((pending.thread, vec![(pending.slot, result)])),
        }
    }
    for (_, group) in groups {
        let mut members = group.into_iter();
        let Some((leader, leader_result)) = members.next() else {
            continue;
        };
        let mut wakers = Vec::new();
        for (slot, result) in members {
            let mut state = slot.lock();
            state.result = Some(result);
            wakers.extend(state.waker.take());
        }
        let mut state = leader.lock();
        state.result = Some(leader_result);
        match state.waker.take() {
            // The leader's future is gone or never waited: wake each directly.
            _ if state.abandoned => {
                drop(state);
                wakers.into_iter().for_each(Waker::wake);
            }
            Some(waker) => {
                state.also_wake = wakers;
                drop(state);
                waker.wake();
            }
            // Not polled yet: its first poll finds the result and wakes the others.
            None => state.also_wake = wakers,
        }
    }
}

/// The future a delivery awaits: its result, once a committer thread stored it.
#[derive(Debug)]
struct Outcome {
    slot: Arc<Slot>,
}

impl Future for Outcome {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut state = self.slot.lock();
        match state.result.take() {
            Some(result) => {
                let others = std::mem::take(&mut state.also_wake);
                drop(state);
                // On this thread, waking a task of its runtime is a queue push.
                others.into_iter().for_each(Waker::wake);
                Poll::Ready(result)
            }
            None => {
                if !state
                    .waker
                    .as_ref()
                    .is_some_and(|waker| waker.will_wake(cx.waker()))
                {
                    state.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

impl Drop for Outcome {
    fn drop(&mut self) {
        let mut state = self.slot.lock();
        state.abandoned = true;
        state.waker = None;
        let others = std::mem::take(&mut state.also_wake);
        drop(state);
        // Waiters handed to this one must not wait for a wake-up that will not come.
        others.into_iter().for_each(Waker::wake);
    }
}

/// Writes `content` to a new anonymous file (`O_TMPFILE`) of `new_dir`'s
/// file system, not synced. It has no name until linked: a crash or an error
/// leaves nothing behind, and `tmp/` is not touched at all.
fn write_anonymous_file(new_dir: &StdFile, content: &[u8]) -> io::Result<StdFile> {
    use rustix::fs::{Mode, OFlags};
    use std::io::Write;
    let fd = rustix::fs::openat(
        new_dir,
        ".",
        OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
        // Mail is private to the mailbox owner.
        Mode::from_raw_mode(0o600),
    )?;
    let mut file = StdFile::from(fd);
    file.write_all(content)?;
    Ok(file)
}

/// How an anonymous file gets its name in `new/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnonymousLink {
    /// `linkat(fd, "", ..., AT_EMPTY_PATH)`: needs `CAP_DAC_READ_SEARCH`.
    EmptyPath,
    /// `linkat` of `/proc/self/fd/N` with `AT_SYMLINK_FOLLOW`: needs `/proc`.
    ProcFd,
}

impl AnonymousLink {
    /// Finds a way to create and link anonymous files here, by linking one
    /// into `tmp/` (never `new/`, which readers watch) and removing it.
    fn probe(new_dir: &StdFile, tmp_dir: &StdFile) -> Option<AnonymousLink> {
        let file = write_anonymous_file(new_dir, b"").ok()?;
        let name = PathBuf::from(format!(".probe-{}", super::unique_id()));
        for method in [AnonymousLink::EmptyPath, AnonymousLink::ProcFd] {
            if method.link(&file, tmp_dir, &name).is_ok() {
                let _ = rustix::fs::unlinkat(tmp_dir, &name, rustix::fs::AtFlags::empty());
                return Some(method);
            }
        }
        None
    }

    /// Gives `file` the name `name`'s last component in `dir`.
    fn link(self, file: &StdFile, dir: &StdFile, name: &Path) -> io::Result<()> {
        use rustix::fs::AtFlags;
        let name = name
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
        match self {
            AnonymousLink::EmptyPath => {
                rustix::fs::linkat(file, "", dir, name, AtFlags::EMPTY_PATH)?;
            }
            AnonymousLink::ProcFd => {
                use std::os::fd::AsRawFd;
                let path = format!("/proc/self/fd/{}", file.as_raw_fd());
                rustix::fs::linkat(
                    rustix::fs::CWD,
                    path.as_str(),
                    dir,
                    name,
                    AtFlags::SYMLINK_FOLLOW,
                )?;
            }
        }
        Ok(())
    }
}

/// Creates `path` (which must not exist) with `content`, not synced. On error
/// nothing is left.
fn write_new_file(path: &Path, content: &[u8]) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        // Mail is private to the mailbox owner.
        .mode(0o600)
        .open(path)?;
    if let Err(error) = file.write_all(content) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(error);
    }
    Ok(())
}

/// The same error for every delivery of a failed batch.
fn copy_error(error: &io::Error) -> io::Error {
    io::Error::new(error.kind(), error.to_string())
}

fn stopped() -> io::Error {
    io::Error::other("the maildir commit thread has stopped")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    /// A waker that counts its wake-ups.
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Counter>, Waker) {
        let counter = Arc::new(Counter(AtomicUsize::new(0)));
        (Arc::clone(&counter), Waker::from(counter))
    }

    fn count(counter: &Counter) -> usize {
        counter.0.load(Ordering::SeqCst)
    }

    /// A delivery of the current thread, already waiting (polled once) with its own waker.
    fn waiting() -> (Pending, Outcome, Arc<Counter>) {
        let slot = Arc::new(Slot::default());
        let mut outcome = Outcome {
            slot: Arc::clone(&slot),
        };
        let (counter, waker) = counter();
        let polled = Pin::new(&mut outcome).poll(&mut Context::from_waker(&waker));
        assert!(polled.is_pending());
        let pending = Pending {
            tmp: PathBuf::new(),
            new: PathBuf::new(),
            anonymous: None,
            slot,
            thread: std::thread::current().id(),
        };
        (pending, outcome, counter)
    }

    fn poll(outcome: &mut Outcome) -> Poll<io::Result<()>> {
        let (_, waker) = counter();
        Pin::new(outcome).poll(&mut Context::from_waker(&waker))
    }

    #[test]
    fn one_remote_wake_per_thread_and_the_leader_wakes_the_rest() {
        let (a, mut outcome_a, woken_a) = waiting();
        let (b, mut outcome_b, woken_b) = waiting();
        let (c, mut outcome_c, woken_c) = waiting();
        complete(vec![
            (a, Ok(())),
            (b, Err(io::Error::other("b failed"))),
            (c, Ok(())),
        ]);
        assert_eq!(
            (count(&woken_a), count(&woken_b), count(&woken_c)),
            (1, 0, 0)
        );
        assert!(matches!(poll(&mut outcome_a), Poll::Ready(Ok(()))));
        assert_eq!((count(&woken_b), count(&woken_c)), (1, 1));
        assert!(matches!(poll(&mut outcome_b), Poll::Ready(Err(_))));
        assert!(matches!(poll(&mut outcome_c), Poll::Ready(Ok(()))));
    }

    #[test]
    fn waiters_of_different_threads_are_each_woken() {
        let (a, _outcome_a, woken_a) = waiting();
        let (mut b, _outcome_b, woken_b) = waiting();
        b.thread = std::thread::spawn(|| std::thread::current().id())
            .join()
            .unwrap();
        complete(vec![(a, Ok(())), (b, Ok(()))]);
        assert_eq!((count(&woken_a), count(&woken_b)), (1, 1));
    }

    #[test]
    fn abandoned_leader_does_not_strand_the_others() {
        let (a, outcome_a, woken_a) = waiting();
        let (b, _outcome_b, woken_b) = waiting();
        drop(outcome_a);
        complete(vec![(a, Ok(())), (b, Ok(()))]);
        assert_eq!((count(&woken_a), count(&woken_b)), (0, 1));
    }

    #[test]
    fn leader_dropped_before_its_poll_wakes_the_others() {
        let (a, outcome_a, woken_a) = waiting();
        let (b, mut outcome_b, woken_b) = waiting();
        complete(vec![(a, Ok(())), (b, Ok(()))]);
        assert_eq!((count(&woken_a), count(&woken_b)), (1, 0));
        drop(outcome_a);
        assert_eq!(count(&woken_b), 1);
        assert!(matches!(poll(&mut outcome_b), Poll::Ready(Ok(()))));
    }

    /// Each way of naming an anonymous file gives it its content under the
    /// new name, or fails cleanly (`AT_EMPTY_PATH` needs a capability).
    #[test]
    fn anonymous_files_are_linked_with_their_content() {
        let dir = tempfile::tempdir().unwrap();
        let dir_file = StdFile::open(dir.path()).unwrap();
        let Ok(file) = write_anonymous_file(&dir_file, b"Subject: a\r\n\r\nbody\r\n") else {
            // No O_TMPFILE here: the Maildir uses tmp/ and rename instead,
            // which the other tests cover.
            assert_eq!(AnonymousLink::probe(&dir_file, &dir_file), None);
            return;
        };
        let probed = AnonymousLink::probe(&dir_file, &dir_file);
        assert!(probed.is_some());
        // The probe leaves nothing behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        for (method, name) in [
            (AnonymousLink::ProcFd, "by-proc"),
            (AnonymousLink::EmptyPath, "by-empty-path"),
        ] {
            match method.link(&file, &dir_file, Path::new(name)) {
                Ok(()) => {
                    let stored = std::fs::read(dir.path().join(name)).unwrap();
                    assert_eq!(stored, b"Subject: a\r\n\r\nbody\r\n");
                }
                Err(error) => {
                    assert_eq!(method, AnonymousLink::EmptyPath, "{error}");
                    assert_eq!(probed, Some(AnonymousLink::ProcFd));
                }
            }
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("by-proc"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
