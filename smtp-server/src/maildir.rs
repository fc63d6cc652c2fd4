//! Maildir storage (the qmail `maildir(5)` rules) with an acknowledgement that
//! means "on disk": the message's data durable, then its name in `new/`, then
//! that name durable, and only then success.
//!
//! The syncs are grouped (see the private `commit` module): small messages
//! are written by the Maildir's write thread (as anonymous `O_TMPFILE` files
//! where possible, else in `tmp/`), large ones are streamed to `tmp/` by
//! their session; a sync thread runs one `syncfs` per batch, which makes one
//! batch's data and the previous batch's names durable, links each synced
//! file into `new/` and wakes the waiters whose names are durable. The order
//! per message is the same as one delivery at a time, so grouping never
//! weakens the promise; under concurrency one sync serves many messages.
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

mod commit;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use smtp_proto::types::address::{ForwardPath, ReversePath};
use smtp_proto::types::params::{MailParams, RcptParams};
use smtp_proto::types::reply::Reply;
use tokio::io::{AsyncRead, AsyncWriteExt, BufWriter};

use self::commit::Committer;
use crate::handler::{ConnectionInfo, Handler, Session};
use crate::received::{Protocol, TraceInfo, write_received, write_return_path};

/// Buffer between the body stream and the file: few, large blocking writes.
/// A message that fits in it entirely is stored by one blocking call.
const WRITE_BUFFER: usize = 64 * 1024;

/// A Maildir (`tmp/`, `new/`, `cur/`) that stores messages durably.
///
/// Cheap to clone; clones share the commit thread, which stops when the last
/// clone is dropped.
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
    committer: Arc<Committer>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.committer.shut_down();
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
    /// `cur/` subdirectories if needed, and starts its commit thread.
    /// `hostname` goes into unique file names.
    pub fn open(root: impl Into<PathBuf>, hostname: &str) -> io::Result<Maildir> {
        Maildir::open_with(root.into(), hostname, true)
    }

    /// [`Maildir::open`]; `anonymous_files: false` keeps small messages on
    /// the `tmp/` path too (tests use it to cover that path everywhere).
    fn open_with(root: PathBuf, hostname: &str, anonymous_files: bool) -> io::Result<Maildir> {
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        let (tmp, new) = (root.join("tmp"), root.join("new"));
        let committer = Committer::start(&tmp, &new, anonymous_files)?;
        let host = hostname.replace('/', "\\057").replace(':', "\\072");
        Ok(Maildir {
            inner: Arc::new(Inner {
                tmp,
                new,
                root,
                host,
                committer,
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

        // Most mail is small: read it whole into the write buffer and hand it
        // to the committer's write thread, which creates and writes the file
        // and passes it straight on to the sync thread: one hand-off instead
        // of a round trip through the blocking pool before the commit.
        // Writing on the connection's own thread measured slower: file
        // creation waits for blocks a running `syncfs` is writing, which
        // stalls every session of that thread (benches/sessions/RESULTS.md).
        let mut head = Vec::with_capacity(WRITE_BUFFER);
        head.extend_from_slice(header);
        if read_into_spare_capacity(body, &mut head).await? {
            self.inner
                .committer
                .write_and_commit(tmp_path, new_path.clone(), head)
                .await
                .map_err(DeliveryError::Disk)?;
            return Ok(new_path);
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
        // Closing the file hands its last write to the blocking pool; wait
        // for it so the committer syncs complete data.
        writer.into_inner().into_std().await;
        self.commit(guard, new_path).await
    }

    /// Hands the written `tmp/` file to the committer and waits until it is
    /// durable in `new/` (or removed, on error).
    async fn commit(
        &self,
        guard: TmpFileGuard,
        new_path: PathBuf,
    ) -> Result<PathBuf, DeliveryError> {
        // From here the committer owns the file's clean-up, also when this
        // future is dropped.
        let tmp_path = guard.disarm();
        self.inner
            .committer
            .commit(tmp_path, new_path.clone())
            .await
            .map_err(DeliveryError::Disk)?;
        Ok(new_path)
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

/// Removes a `tmp/` file that never reached the committer, whatever the
/// reason (error, reset, the connection's future dropped mid-transfer).
struct TmpFileGuard {
    path: PathBuf,
    /// Cleared once the committer owns the file.
    armed: bool,
}

impl TmpFileGuard {
    fn new(path: PathBuf) -> Self {
        TmpFileGuard { path, armed: true }
    }

    /// Someone else (the committer) now owns the file: returns its path.
    fn disarm(mut self) -> PathBuf {
        self.armed = false;
        std::mem::take(&mut self.path)
    }
}

impl Drop for TmpFileGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `<secs>M<micros>P<pid>Q<counter>`: unique in this process (the counter) and
/// across processes (the pid) and restarts (the time). Also an RFC 5322 atom,
/// so it serves as the `Received:` id.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Read once: `getpid` is a system call, and a process keeps its id.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}M{}P{}Q{}",
        now.as_secs(),
        now.subsec_micros(),
        PID.get_or_init(std::process::id),
        counter
    )
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

    /// Delivers a small message and checks it: in `new/`, byte for byte,
    /// readable by its owner only, nothing left in `tmp/`.
    async fn delivers_a_small_message(maildir: &Maildir, root: &Path) {
        let mut body: &[u8] = b"Subject: x\r\n\r\nhello\r\n";
        let path = maildir.deliver(b"H: 1\r\n", &mut body).await.unwrap();
        assert_eq!(path.parent().unwrap(), maildir.new_dir());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"H: 1\r\nSubject: x\r\n\r\nhello\r\n"
        );
        assert!(list(&root.join("tmp")).is_empty());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[tokio::test]
    async fn delivers_header_and_body_into_new() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        delivers_a_small_message(&maildir, dir.path()).await;
    }

    /// Without anonymous files (a file system without `O_TMPFILE`), small
    /// messages go through `tmp/` and a rename, with the same result.
    #[tokio::test]
    async fn small_message_through_tmp_when_anonymous_files_are_off() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open_with(dir.path().to_owned(), "h", false).unwrap();
        assert!(!maildir.inner.committer.anonymous_files());
        delivers_a_small_message(&maildir, dir.path()).await;
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
        // Small messages (anonymous files or not) and a streamed large one.
        for (anonymous_files, size) in [(true, 3), (false, 3), (true, 100_000)] {
            let dir = tempfile::tempdir().unwrap();
            let maildir = Maildir::open_with(dir.path().to_owned(), "h", anonymous_files).unwrap();
            // Neither a file in tmp/ nor a name in new/ can be created.
            std::fs::remove_dir(dir.path().join("tmp")).unwrap();
            std::fs::remove_dir(dir.path().join("new")).unwrap();
            let text = vec![b'x'; size];
            let mut body = text.as_slice();
            let err = maildir.deliver(b"", &mut body).await.unwrap_err();
            assert!(matches!(err, DeliveryError::Disk(_)), "{err:?}");
        }
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
        let commits = maildir.inner.committer.commits();
        assert!((1..=64).contains(&commits), "{commits}");
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

    /// Runs `count` deliveries that all join one batch: the committer is
    /// paused until every one of them is queued.
    async fn deliver_as_one_batch(
        maildir: &Maildir,
        count: usize,
    ) -> Vec<Result<PathBuf, DeliveryError>> {
        let committer = &maildir.inner.committer;
        committer.pause();
        let mut tasks = Vec::new();
        for i in 0..count {
            let maildir = maildir.clone();
            tasks.push(tokio::spawn(async move {
                let text = format!("Subject: {i}\r\n\r\nmessage {i}\r\n");
                let mut body = text.as_bytes();
                maildir.deliver(b"H: 1\r\n", &mut body).await
            }));
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while committer.queued() < count {
            assert!(
                std::time::Instant::now() < deadline,
                "deliveries never queued"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        committer.resume();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_deliveries_complete_with_one_commit() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let before = maildir.inner.committer.commits();
        let results = deliver_as_one_batch(&maildir, 8).await;
        assert_eq!(maildir.inner.committer.commits() - before, 1);
        let mut bodies = Vec::new();
        for result in results {
            let path = result.unwrap();
            assert_eq!(path.parent().unwrap(), maildir.new_dir());
            bodies.push(String::from_utf8(std::fs::read(&path).unwrap()).unwrap());
        }
        bodies.sort();
        let mut expected: Vec<String> = (0..8)
            .map(|i| format!("H: 1\r\nSubject: {i}\r\n\r\nmessage {i}\r\n"))
            .collect();
        expected.sort();
        assert_eq!(bodies, expected);
        assert_eq!(list(maildir.new_dir()).len(), 8);
        assert!(list(&dir.path().join("tmp")).is_empty());
    }

    /// Every waiter on one thread: the batch wakes one of them from the link
    /// thread and that one wakes the others.
    #[tokio::test(flavor = "current_thread")]
    async fn one_batch_on_one_thread_wakes_every_delivery() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let before = maildir.inner.committer.commits();
        let results = deliver_as_one_batch(&maildir, 8).await;
        assert_eq!(maildir.inner.committer.commits() - before, 1);
        for result in results {
            result.unwrap();
        }
        assert_eq!(list(maildir.new_dir()).len(), 8);
        assert!(list(&dir.path().join("tmp")).is_empty());
    }

    async fn assert_failing_commit_fails_its_whole_batch(step: commit::FailAt) {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        *maildir.inner.committer.fail_at.lock().unwrap() = Some(step);
        let results = deliver_as_one_batch(&maildir, 6).await;
        for result in results {
            let err = result.unwrap_err();
            assert!(matches!(err, DeliveryError::Disk(_)), "{err:?}");
        }
        assert!(list(maildir.new_dir()).is_empty(), "{step:?}");
        assert!(list(&dir.path().join("tmp")).is_empty(), "{step:?}");

        // The failure is not sticky: the next batch commits.
        *maildir.inner.committer.fail_at.lock().unwrap() = None;
        let mut body: &[u8] = b"x\r\n";
        let path = maildir.deliver(b"", &mut body).await.unwrap();
        assert_eq!(list(maildir.new_dir()), vec![path]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failed_data_sync_fails_the_batch_and_leaves_nothing() {
        assert_failing_commit_fails_its_whole_batch(commit::FailAt::DataSync).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failed_new_dir_sync_fails_the_batch_and_empties_new() {
        assert_failing_commit_fails_its_whole_batch(commit::FailAt::DirSync).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failed_commit_answers_451_in_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        *maildir.inner.committer.fail_at.lock().unwrap() = Some(commit::FailAt::DirSync);
        let handler = MaildirHandler::new(maildir.clone(), "mx.test");
        let info = ConnectionInfo::new(
            "192.0.2.9:4000".parse().unwrap(),
            "192.0.2.1:25".parse().unwrap(),
        );
        let mut session = handler.connect(&info).await.unwrap();
        let from = ReversePath::try_from("<a@client.test>").unwrap();
        session
            .mail(&info, &from, &MailParams::default())
            .await
            .unwrap();
        let to = ForwardPath::try_from("<z@mx.test>").unwrap();
        session
            .rcpt(&info, &to, &RcptParams::default())
            .await
            .unwrap();
        let mut body: &[u8] = b"Subject: s\r\n\r\nb\r\n";
        let reply = session.data(&info, &mut body).await.unwrap_err();
        assert_eq!(reply, Reply::LOCAL_ERROR);
        assert!(list(maildir.new_dir()).is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn delivery_dropped_while_queued_is_not_delivered() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let committer = &maildir.inner.committer;
        committer.pause();
        let task = {
            let maildir = maildir.clone();
            tokio::spawn(async move {
                let mut body: &[u8] = b"x\r\n";
                maildir.deliver(b"", &mut body).await
            })
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while committer.queued() < 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "delivery never queued"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        committer.resume();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while committer.commits() < 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "batch never committed"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(list(maildir.new_dir()).is_empty());
        assert!(list(&dir.path().join("tmp")).is_empty());
    }

    #[tokio::test]
    async fn large_message_is_streamed_and_committed() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path(), "h").unwrap();
        let text: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let mut body = text.as_slice();
        let path = maildir.deliver(b"H: 1\r\n", &mut body).await.unwrap();
        let stored = std::fs::read(&path).unwrap();
        assert_eq!(&stored[..6], b"H: 1\r\n");
        assert_eq!(&stored[6..], text.as_slice());
        assert!(list(&dir.path().join("tmp")).is_empty());
    }
}
