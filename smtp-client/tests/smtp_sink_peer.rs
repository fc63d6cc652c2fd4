//! The async client against Postfix's `smtp-sink`: pipelined transactions,
//! many messages over one connection, and its fault injection (`-f` hard
//! and `-r` soft rejects, `-Q` 421 and disconnect, `-q` silent disconnect).
//!
//! `smtp-sink` comes from `bash .ci/install-test-deps`; it is looked up on
//! `PATH`, then in `<workspace>/.ci/cache/bin`.

mod peer_process;

use std::time::{Duration, Instant};

use peer_process::SmtpSink as Sink;
use smtp_client::{Client, Envelope, Error, Timeouts, TlsMode};

fn start_sink(flags: &[&str]) -> Sink {
    Sink::start(flags, "100")
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

/// Sends [`MESSAGE`] to one recipient through an smtp-sink started with
/// `flags` (a fault injection) and returns the error it must end in, with
/// the sink and the client for the checks that follow.
async fn first_send_fails(flags: &[&str]) -> (Sink, Client, Error) {
    let sink = start_sink(flags);
    let mut client = connect(&sink).await;
    let error = client
        .send(&envelope(&["a@example.net"]), MESSAGE)
        .await
        .unwrap_err();
    (sink, client, error)
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

/// Pipelining makes a message cost two round trips (MAIL+RCPT+DATA, then
/// the body) where a non-pipelining client needs four; the benches measure
/// the rate, this only checks that a long run on one connection holds up.
#[tokio::test]
async fn thousands_of_messages_on_one_connection() {
    let sink = start_sink(&[]);
    let mut client = connect(&sink).await;
    let env = envelope(&["a@example.net"]);
    let started = Instant::now();
    for _ in 0..3000 {
        client.send(&env, MESSAGE).await.unwrap();
    }
    let rate = 3000.0 / started.elapsed().as_secs_f64();
    eprintln!("{rate:.0} messages/s to smtp-sink on one connection");
    client.quit().await.unwrap();
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
    let (_sink, mut client, error) = first_send_fails(&["-r", "MAIL"]).await;
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
    let (_sink, mut client, error) = first_send_fails(&["-f", "DATA"]).await;
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
    let (_sink, client, error) = first_send_fails(&["-Q", "RCPT"]).await;
    assert!(
        matches!(&error, Error::ConnectionClosed { reply: Some(r) } if r.code().get() == 421),
        "{error}"
    );
    assert!(error.is_transient());
    assert!(!client.is_connected());
}

#[tokio::test]
async fn silent_disconnect_is_noticed() {
    let (_sink, client, error) = first_send_fails(&["-q", "DATA"]).await;
    assert!(
        matches!(error, Error::ConnectionClosed { reply: None }),
        "{error}"
    );
    assert!(!client.is_connected());
}
