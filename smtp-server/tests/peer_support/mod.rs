//! Shared pieces of the binary and real-client tests: finding the peers,
//! starting the `smtp-server` binary on 127.0.0.1:0, TLS material, Maildir reading.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The path of a real peer program, from `PATH`, or from the workspace's
/// `.ci/cache/bin` (where `.ci/install-test-deps` puts its wrappers).
pub fn tool(name: &str) -> PathBuf {
    let workspace_bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/cache/bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(std::iter::once(workspace_bin))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` not found on PATH nor in .ci/cache/bin: run `bash .ci/install-test-deps`"
            )
        })
}

/// `python3` with `aiosmtpd`-era `smtplib` (any Python 3).
pub fn python() -> PathBuf {
    tool("python3")
}

/// The binary under test.
pub fn server_binary() -> &'static str {
    env!("CARGO_BIN_EXE_smtp-server")
}

/// Runs the binary to completion with `args` and `stdin`, bounded in time.
pub fn run_binary(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(server_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start smtp-server");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    wait_output(child, Duration::from_secs(30))
}

/// Waits for `child` with a deadline (killing it if it passes), collecting its output.
pub fn wait_output(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let status = child.wait().unwrap();
            panic!(
                "process did not finish within {limit:?} ({status}); stderr: {}",
                String::from_utf8_lossy(&err_reader.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// A running `smtp-server` process; killed when dropped.
pub struct ServerProcess {
    pub child: Child,
    /// The plain SMTP (STARTTLS) listener, when asked for.
    pub smtp: Option<SocketAddr>,
    /// The implicit-TLS listener, when asked for.
    pub smtps: Option<SocketAddr>,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl ServerProcess {
    /// Starts the binary with `args` (which should include `--listen 127.0.0.1:0`
    /// and/or `--tls-listen 127.0.0.1:0`) and waits for its `listening on` lines.
    pub fn start(args: &[&str]) -> ServerProcess {
        let expected = args
            .iter()
            .filter(|a| **a == "--listen" || **a == "--tls-listen")
            .count();
        let mut child = Command::new(server_binary())
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start smtp-server");
        let stderr_buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        {
            let mut stderr = child.stderr.take().unwrap();
            let sink = std::sync::Arc::clone(&stderr_buf);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
            });
        }
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = ServerProcess {
            child,
            smtp: None,
            smtps: None,
            stderr: stderr_buf,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = 0;
        while seen < expected {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!(
                    "smtp-server did not announce its listeners; stderr: {}",
                    server.stderr_text()
                )
            });
            let Some(rest) = line.strip_prefix("listening on ") else {
                continue;
            };
            let (addr, kind) = rest.split_once(' ').expect("listening line");
            let addr: SocketAddr = addr.parse().expect("listening address");
            match kind {
                "(smtp)" => server.smtp = Some(addr),
                "(smtps)" => server.smtps = Some(addr),
                other => panic!("unknown listener kind {other}"),
            }
            seen += 1;
        }
        server
    }

    pub fn smtp_port(&self) -> u16 {
        self.smtp.expect("no smtp listener").port()
    }

    pub fn smtps_port(&self) -> u16 {
        self.smtps.expect("no smtps listener").port()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA and a server certificate for `localhost` and `127.0.0.1`, as PEM files.
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    pub fn generate(dir: &Path) -> TlsFiles {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "smtp-rs test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
        let files = TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        std::fs::write(&files.ca, ca.pem()).unwrap();
        std::fs::write(&files.cert, cert.pem()).unwrap();
        std::fs::write(&files.key, key.serialize_pem()).unwrap();
        files
    }
}

/// The files in `maildir/new`, sorted by name.
pub fn new_messages(maildir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(maildir.join("new")) {
        Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Waits until `maildir/new` holds `count` files (a client may see `250`
/// before the test reads the directory only by a scheduling hair; never longer).
pub fn wait_for_messages(maildir: &Path, count: usize) -> Vec<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let files = new_messages(maildir);
        if files.len() >= count || Instant::now() > deadline {
            return files;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Splits a stored message into (our trace headers, the message as sent):
/// `Return-Path:` and the folded `Received:` header are the first lines.
pub fn split_trace(stored: &[u8]) -> (String, Vec<u8>) {
    let text = stored;
    let mut end = 0;
    let mut seen_received = false;
    loop {
        let line_end = text[end..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| end + p + 2)
            .expect("header line");
        let line = &text[end..line_end];
        let is_ours = line.starts_with(b"Return-Path: ")
            || (!seen_received && line.starts_with(b"Received: "))
            || (seen_received && line.starts_with(b"\t"));
        if !is_ours {
            break;
        }
        if line.starts_with(b"Received: ") {
            seen_received = true;
        }
        end = line_end;
    }
    (
        String::from_utf8(text[..end].to_vec()).expect("trace headers are UTF-8"),
        text[end..].to_vec(),
    )
}

/// Runs a Python script (the test's smtplib client) with arguments, bounded in time.
pub fn run_python(script: &str, args: &[&str]) -> Output {
    let child = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python3");
    wait_output(child, Duration::from_secs(30))
}

/// Asserts that a peer process succeeded, showing its output otherwise.
pub fn assert_success(what: &str, output: &Output, server: Option<&ServerProcess>) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}\nserver stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.map(ServerProcess::stderr_text).unwrap_or_default()
    );
}

/// Runs a peer program from [`tool`] to completion (stdin closed), bounded in time.
pub fn run_tool(program: &str, args: &[&str]) -> Output {
    let child = Command::new(tool(program))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"));
    wait_output(child, Duration::from_secs(30))
}

/// Starts the binary on 127.0.0.1:0 as `mx.test`, storing into `dir/md`, plus `extra` flags.
pub fn maildir_server(dir: &Path, extra: &[&str]) -> ServerProcess {
    let maildir = dir.join("md");
    let mut args = vec![
        "--listen",
        "127.0.0.1:0",
        "--hostname",
        "mx.test",
        "--maildir",
        maildir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ServerProcess::start(&args)
}

/// Writes `dir/users`: `preamble`, then `user:` and the binary's own hash of `password`.
pub fn users_file(dir: &Path, preamble: &str, user: &str, password: &str) -> PathBuf {
    let hashed = run_binary(&["hash-password"], format!("{password}\n").as_bytes());
    assert!(hashed.status.success());
    let users = dir.join("users");
    std::fs::write(
        &users,
        format!(
            "{preamble}{user}:{}",
            String::from_utf8(hashed.stdout).unwrap()
        ),
    )
    .unwrap();
    users
}

/// `swaks` against 127.0.0.1:`port` as `client.test`, with `args` after that.
pub fn swaks(port: u16, args: &[&str]) -> Output {
    let port = port.to_string();
    let mut all = vec![
        "--server",
        "127.0.0.1",
        "--port",
        &port,
        "--helo",
        "client.test",
    ];
    all.extend_from_slice(args);
    run_tool("swaks", &all)
}

/// `swaks` logging in with `mechanism` after STARTTLS on 127.0.0.1:`port`, then
/// sending one message; `extra` adds the message's options (`--body`, `--header`).
pub fn swaks_auth(
    port: u16,
    mechanism: &str,
    (user, password): (&str, &str),
    (from, to): (&str, &str),
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "--tls",
        "--auth",
        mechanism,
        "--auth-user",
        user,
        "--auth-password",
        password,
        "--from",
        from,
        "--to",
        to,
    ];
    args.extend_from_slice(extra);
    swaks(port, &args)
}
