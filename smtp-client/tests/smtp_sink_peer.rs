//! The async client against Postfix's `smtp-sink`: pipelined transactions,
//! many messages over one connection, and its fault injection (`-f` hard
//! and `-r` soft rejects, `-Q` 421 and disconnect, `-q` silent disconnect).
//!
//! `smtp-sink` comes from `bash .ci/install-test-deps`; it is looked up on
//! `PATH`, then in `<workspace>/.ci/cache/bin`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use smtp_client::{Client, Envelope, Error, Timeouts, TlsMode};

fn find_peer(name: &str) -> PathBuf {
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

/// A running smtp-sink, killed on drop.
struct Sink {
    child: Child,
    port: u16,
}

impl Drop for Sink {
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

fn start_sink(flags: &[&str]) -> Sink {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(find_peer("smtp-sink"));
    if is_root() {
        command.args(["-u", "nobody"]);
    }
    command
        .args(flags)
        .arg(format!("127.0.0.1:{port}"))
        .arg("100")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = command.spawn().expect("smtp-sink starts");
    let sink = Sink { child, port };
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "smtp-sink did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    sink
}

async fn connect(sink: &Sink) -> Client {
    Client::builder("127.0.0.1")
        .port(sink.port)
        .tls(TlsMode::None)
        .timeouts(Timeouts::all(Duration::from_secs(5)))
        .connect()
        .await
        .unwrap()
}

fn envelope(recipients: &[&str]) -> Envelope {
    Envelope::new("sender@example.com", recipients.iter().copied()).unwrap()
}

const MESSAGE: &[u8] =
    b"From: a@example.com\r\nTo: b@example.net\r\nSubject: sink\r\n\r\n.dot line\r\nbody\r\n";

#[tokio::test]
async fn many_pipelined_messages_over_one_connection() {
    let sink = start_sink(&[]);
    let mut client = connect(&sink).await;
    let caps = client.capabilities().unwrap();
    assert!(caps.has_pipelining());
    assert!(caps.has_dsn());
    let env = envelope(&["a@example.net", "b@example.net", "c@example.net"]);
    for _ in 0..200 {
        let report = client.send(&env, MESSAGE).await.unwrap();
        assert!(report.all_accepted());
        assert_eq!(report.recipients.len(), 3);
        assert_eq!(report.reply.code().get(), 250);
    }
    client.noop().await.unwrap();
    client.quit().await.unwrap();
    assert!(!client.is_connected());
}

#[tokio::test]
async fn hard_rejected_recipients_keep_the_connection_usable() {
    // -f implies no PIPELINING: the sequential path.
    let sink = start_sink(&["-f", "RCPT"]);
    let mut client = connect(&sink).await;
    assert!(!client.capabilities().unwrap().has_pipelining());
    let env = envelope(&["a@example.net", "b@example.net"]);
    for _ in 0..3 {
        let error = client.send(&env, MESSAGE).await.unwrap_err();
        let Error::AllRecipientsRefused { recipients } = &error else {
            panic!("{error}")
        };
        assert_eq!(recipients.len(), 2);
        assert_eq!(error.reply().unwrap().code().get(), 500);
        assert!(error.is_permanent());
        assert!(client.is_connected());
    }
    client.quit().await.unwrap();
}

#[tokio::test]
async fn soft_rejected_mail_is_transient() {
    let sink = start_sink(&["-r", "MAIL"]);
    let mut client = connect(&sink).await;
    let error = client
        .send(&envelope(&["a@example.net"]), MESSAGE)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Reply {
                command: "MAIL",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.is_transient());
    assert_eq!(
        error
            .reply()
            .unwrap()
            .enhanced_status()
            .unwrap()
            .to_string(),
        "4.3.0"
    );
    client.noop().await.unwrap();
}

#[tokio::test]
async fn hard_rejected_data_resets() {
    let sink = start_sink(&["-f", "DATA"]);
    let mut client = connect(&sink).await;
    let error = client
        .send(&envelope(&["a@example.net"]), MESSAGE)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Reply {
                command: "DATA",
                ..
            }
        ),
        "{error}"
    );
    assert!(client.is_connected());
    client.noop().await.unwrap();
}

#[tokio::test]
async fn service_closing_421_is_noticed() {
    let sink = start_sink(&["-Q", "RCPT"]);
    let mut client = connect(&sink).await;
    let error = client
        .send(&envelope(&["a@example.net"]), MESSAGE)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::ConnectionClosed { reply: Some(r) } if r.code().get() == 421),
        "{error}"
    );
    assert!(error.is_transient());
    assert!(!client.is_connected());
}

#[tokio::test]
async fn silent_disconnect_is_noticed() {
    let sink = start_sink(&["-q", "DATA"]);
    let mut client = connect(&sink).await;
    let error = client
        .send(&envelope(&["a@example.net"]), MESSAGE)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::ConnectionClosed { reply: None }),
        "{error}"
    );
    assert!(!client.is_connected());
}
