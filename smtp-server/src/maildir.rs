//! Maildir storage (the qmail `maildir(5)` rules) with an acknowledgement that
//! means "on disk": write to `tmp/`, fsync the file, rename it into `new/`,
//! fsync `new/`, and only then report success.
//!
//! Directory fsyncs are grouped: one background thread runs one `fsync(new/)`
//! for every rename that finished before that fsync started, and wakes all
//! their waiters at once. A delivery waits for a sync that *started after* its
//! own rename, so grouping never weakens the promise; under concurrency the
//! cost of a directory sync is shared by every session that renamed meanwhile.
//!
//! [`MaildirHandler`] is a [`Handler`] whose sessions stream each message from
//! the protocol layer straight into its `tmp/` file, after a `Return-Path:` and
//! a `Received:` header (see [`crate::received`]). Disk errors answer
//! `451 4.3.0` (transient, the client retries); a message that fails half-way
//! is removed from `tmp/` and never appears in `new/`.
//!
//! ```no_run
//! use smtp_server::Server;
//! use smtp_server::maildir::{Maildir, MaildirHandler};
//!
//! # async fn run() -> std::io::Result<()> {
//! let maildir = Maildir::open("maildir", "mx.example.org")?;
//! let server = Server::builder(MaildirHandler::new(maildir, "mx.example.org"))
//!     .hostname("mx.example.org")
//!     .build();
//! server.serve(tokio::net::TcpListener::bind("127.0.0.1:2525").await?).await
//! # }
//! ```

use std::fs::File as StdFile;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use smtp_proto::types::address::{ForwardPath, ReversePath};
use smtp_proto::types::params::{MailParams, RcptParams};
use smtp_proto::types::reply::Reply;
use tokio::io::{AsyncRead, AsyncWriteExt, BufWriter};
use tokio::sync::watch;

use crate::handler::{ConnectionInfo, Handler, Session};
use crate::received::{Protocol, TraceInfo, write_received, write_return_path};

/// Buffer between the body stream and the file: few, large blocking writes.
/// A message that fits in it entirely is stored by one blocking call.
const WRITE_BUFFER: usize = 64 * 1024;

/// A Maildir (`tmp/`, `new/`, `cur/`) that stores messages durably.
///
/// Cheap to clone; clones share the directory-sync thread, which stops when the
/// last clone is dropped.
#[derive(Debug, Clone)]
pub struct Maildir {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    tmp: PathBuf,
    new: PathBuf,
    /// The host part of unique names, with `/` and `:` escaped as maildir(5) says.
    host: String,
    syncer: Arc<DirSyncer>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.syncer.shut_down();
    }
}

/// Why a message could not be stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// Reading the message body failed: the protocol layer refused it (too
    /// big, bare line ending) or the client went away.
    #[error("reading the message failed: {0}")]
    Body(#[source] io::Error),
    /// Writing, syncing or renaming the file failed.
    #[error("storing the message failed: {0}")]
    Disk(#[source] io::Error),
}

impl Maildir {
    /// Opens the Maildir at `root`, creating it and its `tmp/`, `new/` and
    /// `cur/` subdirectories if needed, and starts its directory-sync thread.
    /// `hostname` goes into unique file names.
    pub fn open(root: impl Into<PathBuf>, hostname: &str) -> io::Result<Maildir> {
        let root = root.into();
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        let new = root.join("new");
        let syncer = DirSyncer::start(new.clone())?;
        let host = hostname.replace('/', "\\057").replace(':', "\\072");
        Ok(Maildir {
            inner: Arc::new(Inner {
                tmp: root.join("tmp"),
                new,
                root,
                host,
                syncer,
            }),
        })
    }

    /// The Maildir's root directory.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The `new/` directory, where delivered messages are.
    pub fn new_dir(&self) -> &Path {
        &self.inner.new
    }

    /// A name unique to this delivery: `<secs>.M<micros>P<pid>Q<counter>.<host>`.
    pub fn unique_name(&self) -> String {
        let id = unique_id();
        format!("{}.{}", id.replacen('M', ".M", 1), self.inner.host)
    }

    /// Stores `header` followed by everything `body` yields, as one new
    /// message. Returns the path in `new/` once the file and the `new/`
    /// directory are both on disk. On any error, and if the future is
    /// dropped before the rename, the `tmp/` file is removed.
    pub async fn deliver(
        &self,
        header: &[u8],
        body: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<PathBuf, DeliveryError> {
        self.deliver_named(&self.unique_name(), header, body).await
    }

    /// [`Maildir::deliver`] with a name chosen by the caller (from [`Maildir::unique_name`]).
    async fn deliver_named(
        &self,
        name: &str,
        header: &[u8],
        body: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<PathBuf, DeliveryError> {
        let tmp_path = self.inner.tmp.join(name);
        let new_path = self.inner.new.join(name);

        // Most mail is small: read it whole into the write buffer and store it
        // with one blocking call (create, write, fsync, rename) instead of one
        // blocking-pool round trip per file operation.
        let mut head = Vec::with_capacity(WRITE_BUFFER);
        head.extend_from_slice(header);
        if read_into_spare_capacity(body, &mut head).await? {
            let guard = TmpFileGuard::new(tmp_path.clone());
            let cancelled = guard.cancelled();
            let (tmp, new) = (tmp_path.clone(), new_path.clone());
            tokio::task::spawn_blocking(move || store_whole(&tmp, &new, &head, &cancelled))
                .await
                .map_err(|e| DeliveryError::Disk(io::Error::other(e)))?
                .map_err(DeliveryError::Disk)?;
            guard.disarm();
            return self.sync_new_dir(&new_path).await;
        }

        let guard = TmpFileGuard::new(tmp_path.clone());
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            // Mail is private to the mailbox owner.
            .mode(0o600)
            .open(&tmp_path)
            .await
            .map_err(DeliveryError::Disk)?;
        let mut writer = BufWriter::with_capacity(WRITE_BUFFER, file);
        writer.write_all(&head).await.map_err(DeliveryError::Disk)?;
        drop(head);
        copy_body(body, &mut writer).await?;
        writer.flush().await.map_err(DeliveryError::Disk)?;
        let file = writer.into_inner();
        file.sync_all().await.map_err(DeliveryError::Disk)?;
        drop(file);

        tokio::fs::rename(&tmp_path, &new_path)
            .await
            .map_err(DeliveryError::Disk)?;
        guard.disarm();
        self.sync_new_dir(&new_path).await
    }

    /// Waits for `new/` (holding the renamed `new_path`) to be on disk.
    async fn sync_new_dir(&self, new_path: &Path) -> Result<PathBuf, DeliveryError> {
        if let Err(error) = self.inner.syncer.sync_after_now().await {
            // Not acknowledged, so do not leave it to be delivered twice when
            // the client retries.
            let _ = tokio::fs::remove_file(new_path).await;
            return Err(DeliveryError::Disk(error));
        }
        Ok(new_path.to_path_buf())
    }
}

/// Reads `body` into the spare capacity of `buf`; true if the body ended
/// within it, false if the buffer filled first (there may be more).
async fn read_into_spare_capacity(
    body: &mut (dyn AsyncRead + Unpin + Send),
    buf: &mut Vec<u8>,
) -> Result<bool, DeliveryError> {
    use tokio::io::AsyncReadExt;
    while buf.len() < buf.capacity() {
        let n = body.read_buf(buf).await.map_err(DeliveryError::Body)?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The blocking half of a small delivery: `tmp/` file written and fsynced,
/// then renamed into `new/` unless the delivery was abandoned meanwhile.
fn store_whole(tmp: &Path, new: &Path, message: &[u8], cancelled: &AtomicBool) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        // Mail is private to the mailbox owner.
        .mode(0o600)
        .open(tmp)?;
    file.write_all(message)?;
    file.sync_all()?;
    drop(file);
    if cancelled.load(Ordering::Acquire) {
        // The guard may have run before the file existed: clean up here too.
        let _ = std::fs::remove_file(tmp);
        return Err(io::Error::other("delivery abandoned before the rename"));
    }
    std::fs::rename(tmp, new)
}

/// Copies the body, telling read errors (the protocol refused the message)
/// from write errors (the disk failed).
async fn copy_body(
    body: &mut (dyn AsyncRead + Unpin + Send),
    writer: &mut BufWriter<tokio::fs::File>,
) -> Result<(), DeliveryError> {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = body.read(&mut buf).await.map_err(DeliveryError::Body)?;
        if n == 0 {
            return Ok(());
        }
        writer
            .write_all(&buf[..n])
            .await
            .map_err(DeliveryError::Disk)?;
    }
}

/// Removes a `tmp/` file that never made it to `new/`, whatever the reason
/// (error, reset, the connection's future dropped mid-transfer).
struct TmpFileGuard(Option<PathBuf>, Arc<AtomicBool>);

impl TmpFileGuard {
    fn new(path: PathBuf) -> Self {
        TmpFileGuard(Some(path), Arc::new(AtomicBool::new(false)))
    }

    /// Set when the guard fires: a blocking store still running must not rename.
    fn cancelled(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.1)
    }

    /// The file reached `new/`: nothing to clean up.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for TmpFileGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            self.1.store(true, Ordering::Release);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `<secs>M<micros>P<pid>Q<counter>`: unique in this process (the counter) and
/// across processes (the pid) and restarts (the time). Also an RFC 5322 atom,
/// so it serves as the `Received:` id.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}M{}P{}Q{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        counter
    )
}

/// Groups directory fsyncs: one thread, one `fsync` per batch of waiters.
#[derive(Debug)]
struct DirSyncer {
    /// `new/`, opened once: fsync needs a descriptor, not a path.
    dir: StdFile,
    state: Mutex<SyncState>,
    wake: Condvar,
    done: watch::Sender<SyncProgress>,
}

#[derive(Debug, Default)]
struct SyncState {
    /// The highest sync number any waiter needs.
    wanted: u64,
    /// How many syncs have started.
    started: u64,
    shutting_down: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct SyncProgress {
    /// The number of the last finished sync.
    completed: u64,
    /// The number of the last sync that succeeded.
    succeeded: u64,
}

impl DirSyncer {
    fn start(dir: PathBuf) -> io::Result<Arc<DirSyncer>> {
        let dir = StdFile::open(dir)?;
        let (done, _) = watch::channel(SyncProgress::default());
        let syncer = Arc::new(DirSyncer {
            dir,
            state: Mutex::new(SyncState::default()),
            wake: Condvar::new(),
            done,
        });
        let worker = Arc::clone(&syncer);
        std::thread::Builder::new()
            .name("maildir-fsync".to_owned())
            .spawn(move || worker.run())?;
        Ok(syncer)
    }

    fn lock(&self) -> MutexGuard<'_, SyncState> {
        // The state is three integers that every step leaves consistent, so a
        // panic elsewhere while holding the lock cannot corrupt it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run(&self) {
        loop {
            let number = {
                let mut state = self.lock();
                while state.wanted <= state.started && !state.shutting_down {
                    state = self.wake.wait(state).unwrap_or_else(|e| e.into_inner());
                }
                if state.shutting_down {
                    return;
                }
                state.started += 1;
                state.started
            };
            let ok = self.dir.sync_all().is_ok();
            self.done.send_modify(|progress| {
                progress.completed = number;
                if ok {
                    progress.succeeded = number;
                }
            });
        }
    }

    /// Waits for a directory sync that started after this call.
    async fn sync_after_now(&self) -> io::Result<()> {
        let mut progress = self.done.subscribe();
        let needed = {
            let mut state = self.lock();
            let needed = state.started + 1;
            state.wanted = state.wanted.max(needed);
            needed
        };
        self.wake.notify_one();
        let result = progress
            .wait_for(|p| p.succeeded >= needed || p.completed >= needed)
            .await;
        match result {
            Ok(p) if p.succeeded >= needed => Ok(()),
            Ok(_) => Err(io::Error::other(
                "fsync of the maildir new/ directory failed",
            )),
            Err(_) => Err(io::Error::other("the maildir sync thread has stopped")),
        }
    }

    fn shut_down(&self) {
        self.lock().shutting_down = true;
        self.wake.notify_one();
    }
}

/// A [`Handler`] that stores every accepted message in a [`Maildir`].
#[derive(Debug, Clone)]
pub struct MaildirHandler {
    maildir: Maildir,
    hostname: Arc<str>,
}

impl MaildirHandler {
    /// Stores into `maildir`; `hostname` is this server's name in `Received:` (`by`).
    pub fn new(maildir: Maildir, hostname: impl Into<String>) -> Self {
        MaildirHandler {
            maildir,
            hostname: hostname.into().into(),
        }
    }

    /// The Maildir messages go to.
    pub fn maildir(&self) -> &Maildir {
        &self.maildir
    }
}

impl Handler for MaildirHandler {
    type Session = MaildirSession;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<MaildirSession, Reply<'static>> {
        Ok(MaildirSession {
            maildir: self.maildir.clone(),
            hostname: Arc::clone(&self.hostname),
            from: None,
            smtputf8: false,
            recipients: Vec::new(),
        })
    }
}

/// One connection's transactions for [`MaildirHandler`].
#[derive(Debug)]
pub struct MaildirSession {
    maildir: Maildir,
    hostname: Arc<str>,
    from: Option<ReversePath<'static>>,
    smtputf8: bool,
    recipients: Vec<ForwardPath<'static>>,
}

impl MaildirSession {
    fn clear(&mut self) {
        self.from = None;
        self.smtputf8 = false;
        self.recipients.clear();
    }

    /// `Return-Path:` and `Received:` for the current transaction.
    fn trace_header(&self, info: &ConnectionInfo, id: &str) -> Vec<u8> {
        let mut header = Vec::with_capacity(256 + 40 * self.recipients.len());
        write_return_path(
            &mut header,
            self.from.as_ref().unwrap_or(&ReversePath::Null),
        );
        write_received(
            &mut header,
            &TraceInfo {
                helo_name: info.helo_name.as_deref(),
                peer_ip: info.peer_addr.ip(),
                hostname: &self.hostname,
                protocol: Protocol::of_smtp(info, self.smtputf8),
                id,
                recipients: &self.recipients,
                time: SystemTime::now(),
            },
        );
        header
    }
}

impl Session for MaildirSession {
    async fn mail(
        &mut self,
        _info: &ConnectionInfo,
        from: &ReversePath<'_>,
        params: &MailParams<'_>,
    ) -> Result<(), Reply<'static>> {
        self.clear();
        self.from = Some(from.clone().into_owned());
        self.smtputf8 = params.smtputf8;
        Ok(())
    }

    async fn rcpt(
        &mut self,
        _info: &ConnectionInfo,
        to: &ForwardPath<'_>,
        _params: &RcptParams<'_>,
    ) -> Result<(), Reply<'static>> {
        self.recipients.push(to.clone().into_owned());
        Ok(())
    }

    async fn data(
        &mut self,
        info: &ConnectionInfo,
        body: &mut (dyn AsyncRead + Unpin + Send),
    ) -> Result<(), Reply<'static>> {
        let name = self.maildir.unique_name();
        let id = name.split('.').take(2).collect::<Vec<_>>().join("");
        let header = self.trace_header(info, &id);
        let result = self.maildir.deliver_named(&name, &header, body).await;
        self.clear();
        match result {
            Ok(path) => {
                tracing::debug!(path = %path.display(), "message stored");
                Ok(())
            }
            Err(DeliveryError::Body(error)) => {
                tracing::debug!(%error, "message body refused; nothing stored");
                Err(Reply::LOCAL_ERROR)
            }
            Err(error) => {
                tracing::error!(%error, "cannot store message");
                Err(Reply::LOCAL_ERROR)
            }
        }
    }

    fn reset(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    }

    #[test]
    fn unique_names_follow_the_maildir_pattern() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path().join("md"), "host/x:1").unwrap();
        let a = maildir.unique_name();
        let b = maildir.unique_name();
        assert_ne!(a, b);
        let parts: Vec<&str> = a.splitn(3, '.').collect();
        assert!(parts[0].chars().all(|c| c.is_ascii_digit()), "{a}");
        assert!(parts[1].starts_with('M') && parts[1].contains('P') && parts[1].contains('Q'));
        assert_eq!(parts[2], "host\\057x\\0721");
        for sub in ["tmp", "new", "cur"] {
            assert!(dir.path().join("md").join(sub).is_dir());
        }
    }

    #[tokio::test]
    async fn delivers_header_and_body_into_new() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let mut body: &[u8] = b"Subject: x\r\n\r\nhello\r\n";
        let path = maildir.deliver(b"H: 1\r\n", &mut body).await.unwrap();
        assert_eq!(path.parent().unwrap(), maildir.new_dir());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"H: 1\r\nSubject: x\r\n\r\nhello\r\n"
        );
        assert!(list(&dir.path().join("tmp")).is_empty());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[tokio::test]
    async fn session_writes_trace_headers_and_forgets_the_envelope() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let handler = MaildirHandler::new(maildir.clone(), "mx.test");
        let mut info = ConnectionInfo::new(
            "192.0.2.9:4000".parse().unwrap(),
            "192.0.2.1:25".parse().unwrap(),
        );
        info.helo_name = Some("client.test".into());
        info.esmtp = true;
        let mut session = handler.connect(&info).await.unwrap();
        let from = ReversePath::try_from("<a@client.test>").unwrap();
        let params = MailParams::default();
        session.mail(&info, &from, &params).await.unwrap();
        let rcpt_params = RcptParams::default();
        for to in ["<x@mx.test>", "<y@mx.test>"] {
            let to = ForwardPath::try_from(to).unwrap();
            session.rcpt(&info, &to, &rcpt_params).await.unwrap();
        }
        // RSET: the next transaction starts from nothing.
        session.reset();
        session.mail(&info, &from, &params).await.unwrap();
        let to = ForwardPath::try_from("<z@mx.test>").unwrap();
        session.rcpt(&info, &to, &rcpt_params).await.unwrap();
        let mut body: &[u8] = b"Subject: s\r\n\r\nb\r\n";
        session.data(&info, &mut body).await.unwrap();
        let files = list(maildir.new_dir());
        assert_eq!(files.len(), 1);
        let stored = String::from_utf8(std::fs::read(&files[0]).unwrap()).unwrap();
        let unfolded = stored.replace("\r\n\t", " ");
        assert!(unfolded.starts_with(
            "Return-Path: <a@client.test>\r\nReceived: from client.test ([192.0.2.9]) by mx.test (smtp-rs) with ESMTP id "
        ), "{stored}");
        assert!(unfolded.contains(" for <z@mx.test>; "), "{stored}");
        assert!(!unfolded.contains("x@mx.test"), "{stored}");
        assert!(
            stored.ends_with("+0000\r\nSubject: s\r\n\r\nb\r\n"),
            "{stored}"
        );
    }

    /// A body whose read fails after some bytes, like a client that goes away.
    struct Failing(usize);

    impl AsyncRead for Failing {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            if self.0 == 0 {
                return std::task::Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "gone",
                )));
            }
            let n = self.0.min(buf.remaining());
            buf.put_slice(&vec![b'a'; n]);
            self.0 -= n;
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn failed_body_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let err = maildir
            .deliver(b"H: 1\r\n", &mut Failing(100_000))
            .await
            .unwrap_err();
        assert!(matches!(err, DeliveryError::Body(_)), "{err:?}");
        assert!(list(maildir.new_dir()).is_empty());
        assert!(list(&dir.path().join("tmp")).is_empty());
    }

    #[tokio::test]
    async fn disk_error_is_reported_as_disk() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        std::fs::remove_dir(dir.path().join("tmp")).unwrap();
        let mut body: &[u8] = b"x\r\n";
        let err = maildir.deliver(b"", &mut body).await.unwrap_err();
        assert!(matches!(err, DeliveryError::Disk(_)), "{err:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_deliveries_share_directory_syncs() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let mut tasks = Vec::new();
        for i in 0..64 {
            let maildir = maildir.clone();
            tasks.push(tokio::spawn(async move {
                let text = format!("message {i}\r\n");
                let mut body = text.as_bytes();
                maildir.deliver(b"", &mut body).await.unwrap()
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(list(maildir.new_dir()).len(), 64);
        let progress = *maildir.inner.syncer.done.borrow();
        assert_eq!(progress.completed, progress.succeeded);
        assert!(progress.completed >= 1 && progress.completed <= 64);
    }

    #[tokio::test]
    async fn dropped_delivery_removes_its_tmp_file() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        // A body that never ends: the delivery is cancelled by the timeout.
        let (_keep_open, mut reader) = tokio::io::duplex(64);
        let result = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            maildir.deliver(b"H: 1\r\n", &mut reader),
        )
        .await;
        assert!(result.is_err());
        assert!(list(&dir.path().join("tmp")).is_empty());
        assert!(list(maildir.new_dir()).is_empty());
    }
}
