//! A real server on 127.0.0.1:0: transactions, limits, slow-loris, shutdown.

mod socket_common;

use std::time::Duration;

use socket_common::{Client, code, start, test_config};
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn full_transaction() {
    let server = start(test_config(), None, false).await;
    let mut client = Client::connect(server.addr).await;
    assert!(client.reply().await.starts_with("220 mx.test"));
    assert!(client.command("EHLO c.test").await.contains("250 HELP"));
    client
        .write(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n")
        .await;
    assert_eq!(code(&client.reply().await), "250");
    assert_eq!(code(&client.reply().await), "250");
    assert_eq!(code(&client.reply().await), "354");
    client.write(b"Subject: t\r\n\r\n..hello\r\n.\r\n").await;
    assert_eq!(client.reply().await, "250 2.0.0 Message accepted\r\n");
    assert_eq!(code(&client.command("QUIT").await), "221");
    assert_eq!(
        server.log.lock().unwrap().messages,
        vec![b"Subject: t\r\n\r\n.hello\r\n".to_vec()]
    );
}

#[tokio::test]
async fn large_message_is_streamed() {
    let server = start(test_config(), None, false).await;
    let mut client = Client::in_transaction(server.addr).await;
    assert_eq!(code(&client.command("DATA").await), "354");
    let line = format!("{}\r\n", "x".repeat(998));
    let mut body = String::new();
    for _ in 0..1000 {
        body.push_str(&line);
    }
    client.write(body.as_bytes()).await;
    client.write(b".\r\n").await;
    assert_eq!(code(&client.reply().await), "250");
    assert_eq!(server.log.lock().unwrap().messages[0].len(), body.len());
}

#[tokio::test]
async fn client_disconnecting_mid_data_acknowledges_nothing() {
    let server = start(test_config(), None, false).await;
    let mut client = Client::in_transaction(server.addr).await;
    client.command("DATA").await;
    client.write(b"Subject: half\r\n\r\nand then").await;
    drop(client);
    for _ in 0..100 {
        if server.log.lock().unwrap().body_errors == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log = server.log.lock().unwrap();
    assert_eq!(log.body_errors, 1, "the handler was told");
    assert!(log.messages.is_empty());
}

#[tokio::test]
async fn slow_loris_is_cut_off() {
    let mut config = test_config();
    config.timeouts.min_data_rate = 1000;
    config.timeouts.data_rate_grace = Duration::from_millis(300);
    let server = start(config, None, false).await;
    let mut client = Client::in_transaction(server.addr).await;
    client.command("DATA").await;
    let started = std::time::Instant::now();
    let mut reply = String::new();
    for _ in 0..50 {
        client.write(b"x").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), async {
            let mut buf = [0u8; 128];
            client
                .stream
                .read(&mut buf)
                .await
                .inspect(|&n| reply.push_str(&String::from_utf8_lossy(&buf[..n])))
        })
        .await
        {
            if n > 0 {
                break;
            }
        }
    }
    assert!(reply.starts_with("421 4.4.2"), "{reply:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(server.log.lock().unwrap().messages.is_empty());
}

#[tokio::test]
async fn command_timeout_closes_with_421() {
    let mut config = test_config();
    config.timeouts.command = Duration::from_millis(200);
    let server = start(config, None, false).await;
    let mut client = Client::connect(server.addr).await;
    client.reply().await;
    client.write(b"NO").await;
    assert!(client.reply().await.starts_with("421 4.4.2"));
    assert_eq!(client.reply().await, "", "closed");
}

#[tokio::test]
async fn per_ip_connection_limit() {
    let mut config = test_config();
    config.connections.max_connections_per_ip = 2;
    let server = start(config, None, false).await;
    let mut first = Client::connect(server.addr).await;
    let mut second = Client::connect(server.addr).await;
    assert_eq!(code(&first.reply().await), "220");
    assert_eq!(code(&second.reply().await), "220");
    let mut third = Client::connect(server.addr).await;
    assert!(third.reply().await.starts_with("421 4.7.0"));
    first.command("QUIT").await;
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut fourth = Client::connect(server.addr).await;
    assert_eq!(code(&fourth.reply().await), "220");
}

#[tokio::test]
async fn graceful_shutdown_lets_the_transaction_finish() {
    let server = start(test_config(), None, false).await;
    let mut busy = Client::in_transaction(server.addr).await;
    let mut idle = Client::connect(server.addr).await;
    idle.reply().await;

    server.shutdown.shutdown();
    assert!(idle.reply().await.starts_with("421 4.3.2"));
    assert_eq!(code(&busy.command("DATA").await), "354");
    busy.write(b"last words\r\n.\r\n").await;
    assert_eq!(code(&busy.reply().await), "250");
    assert!(busy.reply().await.starts_with("421 4.3.2"));
    tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("serve returns after shutdown")
        .unwrap()
        .unwrap();
    assert_eq!(server.log.lock().unwrap().messages.len(), 1);
}

#[tokio::test]
async fn smuggling_over_a_socket_is_refused() {
    let server = start(test_config(), None, false).await;
    let mut client = Client::in_transaction(server.addr).await;
    client.command("DATA").await;
    client
        .write(b"a\r\n\n.\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<v@example.net>\r\nDATA\r\nx\r\n.\r\n")
        .await;
    assert!(client.reply().await.starts_with("550 5.6.0"));
    assert_eq!(code(&client.command("NOOP").await), "250");
    let log = server.log.lock().unwrap();
    assert!(log.messages.is_empty());
}

#[tokio::test]
async fn handler_refusing_early_gets_the_body_drained() {
    let server = start(test_config(), None, false).await;
    server.log.lock().unwrap().reject_data_early = true;
    let mut client = Client::in_transaction(server.addr).await;
    client.command("DATA").await;
    let body = "y".repeat(100_000);
    client.write(body.as_bytes()).await;
    client.write(b"\r\n.\r\n").await;
    assert!(client.reply().await.starts_with("554 5.5.0"));
    assert_eq!(
        code(&client.command("NOOP").await),
        "250",
        "resynchronised after the terminator"
    );
}

#[tokio::test]
async fn bdat_chunks_over_a_socket() {
    let server = start(test_config(), None, false).await;
    let mut client = Client::connect(server.addr).await;
    client.reply().await;
    client.command("EHLO c.test").await;
    client
        .command("MAIL FROM:<a@example.org> BODY=BINARYMIME")
        .await;
    client.command("RCPT TO:<b@example.net>").await;
    client.write(b"BDAT 3\r\nabc").await;
    assert_eq!(code(&client.reply().await), "250");
    client.write(b"BDAT 4\r\n\r\n.\r").await;
    assert_eq!(code(&client.reply().await), "250");
    client.write(b"BDAT 0 LAST\r\n").await;
    assert_eq!(code(&client.reply().await), "250");
    assert_eq!(code(&client.command("BDAT 1 LAST\r\nz").await), "503");
    assert_eq!(
        server.log.lock().unwrap().messages,
        vec![b"abc\r\n.\r".to_vec()]
    );
}

#[tokio::test]
async fn shutdown_grace_bounds_a_running_transaction() {
    let mut config = test_config();
    config.timeouts.shutdown_grace = Duration::from_millis(300);
    let server = start(config, None, false).await;
    let mut client = Client::in_transaction(server.addr).await;
    client.command("DATA").await;
    client.write(b"never finished\r\n").await;
    server.shutdown.shutdown();
    let started = std::time::Instant::now();
    assert!(client.reply().await.starts_with("421 4.3.2"));
    assert!(started.elapsed() < Duration::from_secs(3));
    tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(server.log.lock().unwrap().messages.is_empty());
}

#[tokio::test]
async fn lmtp_replies_per_recipient() {
    let mut config = test_config();
    config.lmtp = true;
    let server = start(config, None, false).await;
    let mut client = Client::connect(server.addr).await;
    assert!(client.reply().await.contains("LMTP"));
    assert!(client.command("LHLO c.test").await.starts_with("250-"));
    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    client.command("RCPT TO:<c@example.net>").await;
    client.command("DATA").await;
    client.write(b"hi\r\n.\r\n").await;
    assert_eq!(code(&client.reply().await), "250");
    assert_eq!(code(&client.reply().await), "250");
    assert_eq!(code(&client.command("NOOP").await), "250");
}
