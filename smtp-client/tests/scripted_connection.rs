//! Connection-level behaviour against a scripted in-process server:
//! opportunistic STARTTLS falling back to plaintext, reconnecting after the
//! server closed, and the types a bulk sender moves between tasks.

use std::time::Duration;

use smtp_client::{Client, Credentials, Envelope, Error, SendReport, Timeouts, TlsMode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Serves `connections` connections; each says hello (without STARTTLS),
/// answers one NOOP with 421 on the first connection and 250 after.
async fn server(connections: usize) -> (u16, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let mut seen = Vec::new();
        for n in 0..connections {
            let (stream, _) = listener.accept().await.unwrap();
            let mut stream = BufReader::new(stream);
            stream
                .get_mut()
                .write_all(b"220 scripted ESMTP\r\n")
                .await
                .unwrap();
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await.unwrap() == 0 {
                    break;
                }
                seen.push(line.clone());
                let reply: &[u8] = if line.starts_with("EHLO") {
                    b"250-scripted\r\n250 AUTH PLAIN\r\n"
                } else if line.starts_with("NOOP") && n == 0 {
                    b"421 4.4.2 idle too long\r\n"
                } else if line.starts_with("QUIT") {
                    b"221 bye\r\n"
                } else {
                    b"250 ok\r\n"
                };
                stream.get_mut().write_all(reply).await.unwrap();
                if reply.starts_with(b"421") || reply.starts_with(b"221") {
                    break;
                }
            }
        }
        seen
    });
    (port, handle)
}

#[tokio::test]
async fn opportunistic_starttls_falls_back_to_plaintext_without_credentials() {
    let (port, handle) = server(1).await;
    let error = Client::builder("127.0.0.1")
        .port(port)
        .tls(TlsMode::StartTlsOpportunistic)
        .credentials(Credentials::password("u", "p"))
        .timeouts(Timeouts::all(Duration::from_secs(5)))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unsupported(_)), "{error}");
    drop(error);
    let (port2, handle2) = server(1).await;
    let mut client = Client::builder("127.0.0.1")
        .port(port2)
        .tls(TlsMode::StartTlsOpportunistic)
        .timeouts(Timeouts::all(Duration::from_secs(5)))
        .connect()
        .await
        .unwrap();
    assert!(!client.is_tls());
    client.quit().await.unwrap();
    handle2.await.unwrap();
    handle.abort();
}

#[tokio::test]
async fn reconnect_after_421() {
    let (port, handle) = server(2).await;
    let mut client = Client::builder("127.0.0.1")
        .port(port)
        .tls(TlsMode::None)
        .timeouts(Timeouts::all(Duration::from_secs(5)))
        .connect()
        .await
        .unwrap();
    let error = client.noop().await.unwrap_err();
    assert!(matches!(error, Error::ConnectionClosed { reply: Some(_) }));
    assert!(!client.is_connected());
    client.reconnect().await.unwrap();
    assert!(client.is_connected());
    client.noop().await.unwrap();
    client.quit().await.unwrap();
    let seen = handle.await.unwrap();
    assert_eq!(seen.iter().filter(|l| l.starts_with("EHLO")).count(), 2);
}

#[test]
fn types_move_between_tasks() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Client>();
    send_sync::<Envelope>();
    send_sync::<Error>();
    send_sync::<SendReport>();
    // The futures of `send` and `send_reader` can be spawned: checked at
    // compile time, the closure never runs.
    let check = |client: &mut Client, envelope: &Envelope| {
        send(&client.send(envelope, b"x".to_vec()));
        send(&client.send_reader(envelope, &b"x"[..], None));
    };
    let _ = check;
}
