//! STARTTLS and implicit TLS with an rcgen certificate, and AUTH over TLS
//! with every mechanism, against a real server.

mod socket_common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustls::pki_types::ServerName;
use smtp_proto::sasl::cram_md5::cram_md5_response;
use smtp_proto::sasl::scram::{ScramClient, ScramClientOutcome};
use socket_common::{Client, code, start, test_config, tls_pair};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

fn challenge(reply: &str) -> Vec<u8> {
    STANDARD
        .decode(reply.trim_end().strip_prefix("334 ").unwrap())
        .unwrap()
}

/// Connects, runs STARTTLS and EHLO again; returns the client and the EHLO reply under TLS.
async fn starttls_client(
    addr: std::net::SocketAddr,
    connector: &tokio_rustls::TlsConnector,
) -> (Client<TlsStream<TcpStream>>, String) {
    let mut plain = Client::connect(addr).await;
    plain.reply().await;
    let ehlo = plain.command("EHLO c.test").await;
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(
        !ehlo.contains("AUTH"),
        "AUTH is not offered before TLS: {ehlo}"
    );
    assert_eq!(
        code(&plain.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==").await),
        "538"
    );
    assert!(plain.command("STARTTLS").await.starts_with("220 2.0.0"));
    let tls = connector
        .connect(
            ServerName::try_from("localhost").unwrap(),
            plain.into_inner(),
        )
        .await
        .unwrap();
    let mut client = Client::new(tls);
    let ehlo = client.command("EHLO c.test").await;
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    (client, ehlo)
}

#[tokio::test]
async fn starttls_then_transaction_and_auth_plain() {
    let (server_tls, connector) = tls_pair();
    let server = start(test_config(), Some(server_tls), false).await;
    let (mut client, ehlo) = starttls_client(server.addr, &connector).await;
    assert!(
        ehlo.contains("AUTH SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN"),
        "{ehlo}"
    );
    let wrong = client
        .command(&format!("AUTH PLAIN {}", b64(b"\0alice\0nope")))
        .await;
    assert!(wrong.starts_with("535 5.7.8"), "{wrong}");
    let ok = client
        .command(&format!("AUTH PLAIN {}", b64(b"\0alice\0secret")))
        .await;
    assert!(ok.starts_with("235 2.7.0"), "{ok}");
    client.command("MAIL FROM:<alice@example.org>").await;
    assert_eq!(
        code(&client.command("RCPT TO:<far@relay.example>").await),
        "250",
        "authenticated relay"
    );
    assert_eq!(code(&client.command("DATA").await), "354");
    client.write(b"over tls\r\n.\r\n").await;
    assert_eq!(code(&client.reply().await), "250");
    let log = server.log.lock().unwrap();
    assert_eq!(log.messages, vec![b"over tls\r\n".to_vec()]);
    assert_eq!(log.identities, vec![Some("alice".to_owned())]);
}

#[tokio::test]
async fn starttls_injection_drops_the_connection() {
    let (server_tls, _) = tls_pair();
    let server = start(test_config(), Some(server_tls), false).await;
    let mut client = Client::connect(server.addr).await;
    client.reply().await;
    client.command("EHLO c.test").await;
    client.write(b"STARTTLS\r\nRSET\r\n").await;
    assert!(client.reply().await.starts_with("220 2.0.0"));
    assert_eq!(client.reply().await, "", "closed, RSET never answered");
}

#[tokio::test]
async fn implicit_tls() {
    let (server_tls, connector) = tls_pair();
    let server = start(test_config(), Some(server_tls), true).await;
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let mut client = Client::new(tls);
    assert!(client.reply().await.starts_with("220 mx.test"));
    let ehlo = client.command("EHLO c.test").await;
    assert!(
        !ehlo.contains("STARTTLS") && ehlo.contains("AUTH "),
        "{ehlo}"
    );
    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    // The BDAT reply comes after the chunk.
    client.write(b"BDAT 5 LAST\r\nhello").await;
    assert_eq!(code(&client.reply().await), "250");
    assert_eq!(server.log.lock().unwrap().messages, vec![b"hello".to_vec()]);
}

#[tokio::test]
async fn auth_login_cram_md5_and_scram_over_tls() {
    let (server_tls, connector) = tls_pair();
    let server = start(test_config(), Some(server_tls), false).await;

    let (mut client, _) = starttls_client(server.addr, &connector).await;
    assert_eq!(challenge(&client.command("AUTH LOGIN").await), b"Username:");
    assert_eq!(
        challenge(&client.command(&b64(b"alice")).await),
        b"Password:"
    );
    assert!(client.command(&b64(b"secret")).await.starts_with("235"));

    let (mut client, _) = starttls_client(server.addr, &connector).await;
    let text = challenge(&client.command("AUTH CRAM-MD5").await);
    let response = cram_md5_response("alice", b"secret", &text).unwrap();
    assert!(
        client
            .command(&b64(response.expose()))
            .await
            .starts_with("235")
    );

    let (mut client, _) = starttls_client(server.addr, &connector).await;
    let scram = ScramClient::new("alice", "secret", "clientnonceclientnonce").unwrap();
    let first = client
        .command(&format!(
            "AUTH SCRAM-SHA-256 {}",
            b64(scram.client_first_message())
        ))
        .await;
    let scram = scram.handle_server_first(&challenge(&first)).unwrap();
    let last = client.command(&b64(scram.client_final_message())).await;
    assert_eq!(
        scram.handle_server_final(&challenge(&last)),
        Ok(ScramClientOutcome::Verified)
    );
    assert!(client.command("").await.starts_with("235"));
}
