//! Real peer programs for the integration tests: finding them, and Postfix
//! `smtp-sink` on a free port.
#![allow(dead_code, unreachable_pub)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `PATH` first (CI puts `.ci/cache/bin` there), then `<workspace>/.ci/cache/bin`;
/// a missing peer fails the test with the command that installs it.
pub fn find_peer(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.ci/cache/bin");
    on_path
        .into_iter()
        .chain(std::iter::once(workspace))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} not found on PATH or in .ci/cache/bin: run `bash .ci/install-test-deps`")
        })
}

/// A port that was free a moment ago, for peers that take no port 0.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running Postfix `smtp-sink`, killed on drop.
#[derive(Debug)]
pub struct SmtpSink {
    child: Child,
    pub port: u16,
}

impl SmtpSink {
    /// Starts `smtp-sink FLAGS 127.0.0.1:PORT BACKLOG` and waits until it listens.
    pub fn start(flags: &[&str], backlog: &str) -> SmtpSink {
        let port = free_port();
        let mut command = Command::new(find_peer("smtp-sink"));
        // smtp-sink refuses to run as root without a user to switch to.
        if is_root() {
            command.args(["-u", "nobody"]);
        }
        let child = command
            .args(flags)
            .arg(format!("127.0.0.1:{port}"))
            .arg(backlog)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("smtp-sink starts");
        let sink = SmtpSink { child, port };
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "smtp-sink did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        sink
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
