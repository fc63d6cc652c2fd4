//! The async client against a scripted in-process tokio server, for what
//! real servers cannot show: response injection after `220` to STARTTLS,
//! a 421 mid-transaction, multi-line 5xx replies, partial RCPT acceptance,
//! stalls (each timeout), SIZE refusal, greylisting then success, a dropped
//! connection. Listens on 127.0.0.1 port 0 only.

use std::future::Future;
use std::time::Duration;

use smtp_client::{Client, Envelope, Error, Phase, Timeouts, TlsMode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The server side of one scripted connection.
struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    async fn send(&mut self, text: &str) {
        self.stream
            .get_mut()
            .write_all(text.as_bytes())
            .await
            .unwrap();
    }

    /// Reads one command line and checks how it starts.
    async fn expect(&mut self, prefix: &str) -> String {
        let mut line = String::new();
        self.stream.read_line(&mut line).await.unwrap();
        assert!(
            line.starts_with(prefix),
            "expected {prefix:?}, client sent {line:?}"
        );
        line
    }

    /// Reads DATA content up to the terminator, unstuffed.
    async fn read_data(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        loop {
            let mut line = Vec::new();
            self.stream.read_until(b'\n', &mut line).await.unwrap();
            assert!(!line.is_empty(), "EOF in DATA");
            if line == b".\r\n" {
                return body;
            }
            let line = line.strip_prefix(b".").unwrap_or(&line);
            body.extend_from_slice(line);
        }
    }

    /// Greeting, and an EHLO answer with these keywords.
    async fn hello(&mut self, keywords: &[&str]) {
        self.send("220 scripted.example ESMTP\r\n").await;
        self.expect("EHLO ").await;
        let mut reply = String::new();
        let all: Vec<&str> = std::iter::once("scripted.example")
            .chain(keywords.iter().copied())
            .collect();
        for (i, line) in all.iter().enumerate() {
            let sep = if i + 1 == all.len() { ' ' } else { '-' };
            reply.push_str(&format!("250{sep}{line}\r\n"));
        }
        self.send(&reply).await;
    }

    /// Reads a pipelined one-recipient MAIL, RCPT, DATA group, then answers
    /// it with `replies` in one write.
    async fn pipelined_one(&mut self, replies: &str) {
        self.expect("MAIL FROM:").await;
        self.expect("RCPT TO:").await;
        self.expect("DATA").await;
        self.send(replies).await;
    }

    /// Reads until the client closes, returning the rest of what it sent.
    async fn rest(mut self) -> String {
        let mut rest = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_secs(2), self.stream.read_to_end(&mut rest)).await;
        String::from_utf8_lossy(&rest).into_owned()
    }
}

/// Serves one connection with `script`; returns the port and the script's result.
async fn serve<F, Fut, T>(script: F) -> (u16, JoinHandle<T>)
where
    F: FnOnce(Conn) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send,
    T: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        script(Conn {
            stream: BufReader::new(stream),
        })
        .await
    });
    (port, handle)
}

fn plain(port: u16) -> smtp_client::ClientBuilder {
    Client::builder("127.0.0.1")
        .port(port)
        .tls(TlsMode::None)
        .timeouts(Timeouts::all(Duration::from_secs(5)))
}

fn envelope(recipients: &[&str]) -> Envelope {
    Envelope::new("sender@example.com", recipients.iter().copied()).unwrap()
}

#[tokio::test]
async fn response_injection_after_starttls_220_is_refused() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["STARTTLS", "AUTH PLAIN"]).await;
        c.expect("STARTTLS").await;
        // One write: the 220 and a forged EHLO answer before the handshake.
        c.send("220 2.0.0 go ahead\r\n250-evil.example\r\n250 AUTH PLAIN\r\n")
            .await;
        c.rest().await
    })
    .await;
    let result = Client::builder("127.0.0.1")
        .port(port)
        .tls(TlsMode::StartTlsRequired)
        .credentials(smtp_client::Credentials::password("u", "secret"))
        .timeouts(Timeouts::all(Duration::from_secs(5)))
        .connect()
        .await;
    let error = result.unwrap_err();
    assert!(
        matches!(&error, Error::Protocol(m) if m.contains("injection")),
        "{error}"
    );
    let rest = server.await.unwrap();
    assert!(
        !rest.contains("AUTH"),
        "no credentials after injection: {rest:?}"
    );
}

#[tokio::test]
async fn starttls_required_but_not_offered_sends_no_credentials() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["AUTH PLAIN LOGIN"]).await;
        c.rest().await
    })
    .await;
    let error = Client::builder("127.0.0.1")
        .port(port)
        .credentials(smtp_client::Credentials::password("u", "secret"))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Unsupported(w) if w == "STARTTLS"),
        "{error}"
    );
    assert!(!server.await.unwrap().contains("AUTH"));
}

#[tokio::test]
async fn plaintext_auth_needs_explicit_permission() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["AUTH PLAIN"]).await;
        c.rest().await
    })
    .await;
    let error = plain(port)
        .credentials(smtp_client::Credentials::password("u", "secret"))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unsupported(_)), "{error}");
    assert!(!server.await.unwrap().contains("AUTH"));

    let (port, server) = serve(|mut c| async move {
        c.hello(&["AUTH PLAIN"]).await;
        let line = c.expect("AUTH PLAIN ").await;
        c.send("235 2.7.0 ok\r\n").await;
        c.expect("QUIT").await;
        c.send("221 bye\r\n").await;
        line
    })
    .await;
    let mut client = plain(port)
        .credentials(smtp_client::Credentials::password("u", "secret"))
        .allow_plaintext_auth(true)
        .connect()
        .await
        .unwrap();
    client.quit().await.unwrap();
    assert!(!client.is_connected());
    assert_eq!(server.await.unwrap(), "AUTH PLAIN AHUAc2VjcmV0\r\n");
}

#[tokio::test]
async fn service_closing_421_mid_transaction() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["PIPELINING"]).await;
        c.pipelined_one("250 ok\r\n421 4.7.0 Try again later, closing connection\r\n")
            .await;
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let error = client
        .send(&envelope(&["a@example.net"]), b"hi\r\n")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::ConnectionClosed { reply: Some(r) } if r.code().get() == 421),
        "{error}"
    );
    assert!(error.is_transient());
    assert!(!client.is_connected());
    server.await.unwrap();
    assert!(matches!(
        client.send(&envelope(&["a@example.net"]), b"x").await,
        Err(Error::ConnectionClosed { .. })
    ));
}

#[tokio::test]
async fn multiline_5xx_partial_acceptance_and_reuse() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["PIPELINING", "ENHANCEDSTATUSCODES"]).await;
        // First message: MAIL refused with a multi-line reply.
        c.pipelined_one(
            "550-5.4.5 Daily user sending quota exceeded.\r\n\
             550-5.4.5 To learn more, visit\r\n\
             550 5.4.5 https://support.google.com/mail/?p=UserQuota\r\n\
             503 5.5.1 no sender\r\n503 5.5.1 no recipients\r\n",
        )
        .await;
        c.expect("RSET").await;
        c.send("250 2.0.0 ok\r\n").await;
        // Second message: one of two recipients refused.
        c.expect("MAIL FROM:").await;
        c.expect("RCPT TO:<a@").await;
        c.expect("RCPT TO:<b@").await;
        c.expect("DATA").await;
        c.send("250 ok\r\n250 2.1.5 ok\r\n550-5.1.1 no such\r\n550 5.1.1 user\r\n354 go\r\n")
            .await;
        let body = c.read_data().await;
        c.send("250 2.0.0 OK 1700000000 queued as Q1\r\n").await;
        c.expect("QUIT").await;
        c.send("221 bye\r\n").await;
        body
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let error = client
        .send(&envelope(&["a@example.net"]), b"x\r\n")
        .await
        .unwrap_err();
    let reply = error.reply().unwrap();
    assert_eq!(reply.code().get(), 550);
    assert_eq!(reply.lines().count(), 3);
    assert_eq!(reply.enhanced_status().unwrap().to_string(), "5.4.5");
    assert!(error.is_permanent());
    assert!(client.is_connected());
    let report = client
        .send(
            &envelope(&["a@example.net", "b@example.net"]),
            b"Subject: t\r\n\r\nbody\r\n",
        )
        .await
        .unwrap();
    assert!(!report.all_accepted());
    assert!(report.recipients[0].is_accepted());
    assert_eq!(
        report.recipients[1]
            .outcome
            .as_ref()
            .unwrap_err()
            .lines()
            .count(),
        2
    );
    assert!(report.reply.text().contains("queued as Q1"));
    client.quit().await.unwrap();
    assert_eq!(server.await.unwrap(), b"Subject: t\r\n\r\nbody\r\n");
}

#[tokio::test]
async fn recipients_over_the_servers_limit_get_further_transactions() {
    // A server taking two recipients per transaction (Gmail and Postfix say
    // "452 4.5.3 ... too many recipients" for the excess).
    let (port, server) = serve(|mut c| async move {
        c.hello(&["PIPELINING", "ENHANCEDSTATUSCODES"]).await;
        let mut transactions = Vec::new();
        for recipients in [5, 3, 1] {
            c.expect("MAIL FROM:").await;
            let mut replies = String::from("250 2.1.0 ok\r\n");
            let mut accepted = Vec::new();
            for n in 0..recipients {
                let line = c.expect("RCPT TO:<").await;
                if n < 2 {
                    accepted.push(line.trim_end().to_owned());
                    replies.push_str("250 2.1.5 ok\r\n");
                } else {
                    replies.push_str("452 4.5.3 Too many recipients\r\n");
                }
            }
            c.expect("DATA").await;
            replies.push_str("354 go\r\n");
            c.send(&replies).await;
            let body = c.read_data().await;
            c.send(&format!("250 2.0.0 queued as Q{}\r\n", transactions.len()))
                .await;
            transactions.push((accepted, body));
        }
        c.expect("QUIT").await;
        c.send("221 bye\r\n").await;
        transactions
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let all = [
        "r1@x.example",
        "r2@x.example",
        "r3@x.example",
        "r4@x.example",
        "r5@x.example",
    ];
    let report = client
        .send(&envelope(&all), b"Subject: many\r\n\r\nhello\r\n")
        .await
        .unwrap();
    assert!(report.all_accepted(), "{report:?}");
    let order: Vec<&str> = report
        .recipients
        .iter()
        .map(|r| r.recipient.as_str())
        .collect();
    assert_eq!(order, all, "the report keeps the envelope order");
    assert!(report.reply.text().contains("Q0"));
    let further: Vec<String> = report
        .further_replies
        .iter()
        .map(|r| r.text().into_owned())
        .collect();
    assert_eq!(further.len(), 2);
    assert!(
        further[0].contains("Q1") && further[1].contains("Q2"),
        "{further:?}"
    );
    client.quit().await.unwrap();
    let transactions = server.await.unwrap();
    let delivered: Vec<&str> = transactions
        .iter()
        .flat_map(|(accepted, _)| accepted.iter().map(String::as_str))
        .collect();
    assert_eq!(
        delivered,
        [
            "RCPT TO:<r1@x.example>",
            "RCPT TO:<r2@x.example>",
            "RCPT TO:<r3@x.example>",
            "RCPT TO:<r4@x.example>",
            "RCPT TO:<r5@x.example>"
        ],
        "each recipient accepted exactly once"
    );
    for (_, body) in &transactions {
        assert_eq!(body, b"Subject: many\r\n\r\nhello\r\n");
    }
}

#[tokio::test]
async fn a_452_for_every_further_recipient_ends_the_retries() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["PIPELINING", "ENHANCEDSTATUSCODES"]).await;
        // First transaction: one accepted, one over the limit.
        c.expect("MAIL FROM:").await;
        c.expect("RCPT TO:<a@").await;
        c.expect("RCPT TO:<b@").await;
        c.expect("DATA").await;
        c.send("250 ok\r\n250 ok\r\n452 4.5.3 Too many recipients\r\n354 go\r\n")
            .await;
        c.read_data().await;
        c.send("250 2.0.0 queued\r\n").await;
        // Second: refused again; the client stops there.
        c.pipelined_one("250 ok\r\n452 4.5.3 Too many recipients\r\n554 5.5.1 no recipients\r\n")
            .await;
        c.expect("RSET").await;
        c.send("250 ok\r\n").await;
        c.expect("QUIT").await;
        c.send("221 bye\r\n").await;
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let report = client
        .send(&envelope(&["a@example.net", "b@example.net"]), b"x\r\n")
        .await
        .unwrap();
    assert!(report.recipients[0].is_accepted());
    let refusal = report.recipients[1].outcome.as_ref().unwrap_err();
    assert_eq!(refusal.code().get(), 452);
    assert!(report.further_replies.is_empty());
    client.quit().await.unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn greylisting_then_success_on_second_attempt() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["PIPELINING"]).await;
        c.pipelined_one(
            "250 ok\r\n451 4.7.1 Greylisted, try again in 1 second\r\n554 5.5.1 no recipients\r\n",
        )
        .await;
        c.expect("RSET").await;
        c.send("250 ok\r\n").await;
        c.pipelined_one("250 ok\r\n250 ok\r\n354 go\r\n").await;
        c.read_data().await;
        c.send("250 queued\r\n").await;
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let env = envelope(&["a@example.net"]);
    let error = client.send(&env, b"x").await.unwrap_err();
    assert!(matches!(error, Error::AllRecipientsRefused { .. }));
    assert!(error.is_transient());
    assert_eq!(error.reply().unwrap().code().get(), 451);
    let report = client.send(&env, b"x").await.unwrap();
    assert!(report.all_accepted());
    server.await.unwrap();
}

#[tokio::test]
async fn size_refusal_before_anything_is_sent() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["SIZE 100", "PIPELINING"]).await;
        c.rest().await
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let error = client
        .send(&envelope(&["a@example.net"]), vec![b'x'; 200])
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::MessageTooLarge {
            size: 202, // with the final CRLF the client adds
            limit: 100
        }
    ));
    assert!(client.is_connected());
    drop(client);
    assert_eq!(server.await.unwrap(), "", "no MAIL was sent");
}

#[tokio::test]
async fn dropped_connection_mid_data() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&[]).await;
        c.expect("MAIL").await;
        c.send("250 ok\r\n").await;
        c.expect("RCPT").await;
        c.send("250 ok\r\n").await;
        c.expect("DATA").await;
        c.send("354 go\r\n").await;
        c.read_data().await;
        // Closes without the final reply.
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let error = client
        .send(&envelope(&["a@example.net"]), b"x\r\n")
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::ConnectionClosed { reply: None }),
        "{error}"
    );
    assert!(error.is_transient());
    assert!(!client.is_connected());
    server.await.unwrap();
}

#[tokio::test]
async fn early_refusal_during_data_is_reported_instead_of_the_broken_pipe() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["PIPELINING"]).await;
        c.pipelined_one("250 ok\r\n250 ok\r\n354 go\r\n").await;
        // Reads a little of the body, refuses the message, and closes
        // with the rest unread (the kernel answers the client with RST).
        let mut start = vec![0; 16 * 1024];
        c.stream.read_exact(&mut start).await.unwrap();
        c.send("552 5.3.4 Message too big for this server\r\n")
            .await;
    })
    .await;
    let mut client = plain(port).connect().await.unwrap();
    let line = [b'x'; 1022];
    let message: Vec<u8> = line
        .iter()
        .copied()
        .chain(*b"\r\n")
        .cycle()
        .take(16 * 1024 * 1024)
        .collect();
    let error = client
        .send(&envelope(&["a@example.net"]), &message)
        .await
        .unwrap_err();
    server.await.unwrap();
    match &error {
        Error::Reply { command, reply } => {
            assert_eq!(*command, "DATA");
            assert_eq!(reply.code().get(), 552);
        }
        other => panic!("expected the server's 552, got {other}"),
    }
    assert!(!error.is_transient(), "a 5xx refusal is permanent");
    assert!(!client.is_connected());
}

/// A server that stops answering at the given point; the client must
/// report a timeout naming that phase.
async fn stall_at(step: &'static str) -> Error {
    let (port, _server) = serve(move |mut c| async move {
        if step == "greeting" {
            tokio::time::sleep(Duration::from_secs(5)).await;
            return;
        }
        c.hello(&[]).await;
        c.expect("MAIL").await;
        if step == "mail" {
            tokio::time::sleep(Duration::from_secs(5)).await;
            return;
        }
        c.send("250 ok\r\n").await;
        c.expect("RCPT").await;
        if step == "rcpt" {
            tokio::time::sleep(Duration::from_secs(5)).await;
            return;
        }
        c.send("250 ok\r\n").await;
        c.expect("DATA").await;
        if step == "data" {
            tokio::time::sleep(Duration::from_secs(5)).await;
            return;
        }
        c.send("354 go\r\n").await;
        c.read_data().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let timeouts = Timeouts::all(Duration::from_millis(150));
    let builder = plain(port).timeouts(timeouts);
    let mut client = match builder.connect().await {
        Ok(client) => client,
        Err(error) => return error,
    };
    let error = client
        .send(&envelope(&["a@example.net"]), b"x\r\n")
        .await
        .unwrap_err();
    assert!(
        !client.is_connected(),
        "a timed-out connection is not reused"
    );
    error
}

#[tokio::test]
async fn every_phase_times_out() {
    for (step, phase) in [
        ("greeting", Phase::Greeting),
        ("mail", Phase::Mail),
        ("rcpt", Phase::Rcpt),
        ("data", Phase::DataInitiation),
        ("end", Phase::DataTermination),
    ] {
        let started = std::time::Instant::now();
        let error = stall_at(step).await;
        assert!(
            matches!(error, Error::Timeout { phase: p } if p == phase),
            "{step}: {error}"
        );
        assert!(error.is_transient());
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}

#[tokio::test]
async fn connect_timeout() {
    // A listener that never accepts, with a backlog of one: once its queue
    // is full the kernel drops further SYNs, so a connect hangs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    let mut timed_out = false;
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(100), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => {
                timed_out = true;
                break;
            }
        }
    }
    assert!(timed_out, "the backlog never filled");
    let started = std::time::Instant::now();
    let error = Client::builder("127.0.0.1")
        .port(addr.port())
        .tls(TlsMode::None)
        .connect_timeout(Duration::from_millis(200))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                phase: Phase::Connect
            }
        ),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(listener);
}

#[tokio::test]
async fn streamed_message_is_normalised_and_dot_stuffed() {
    let (port, server) = serve(|mut c| async move {
        c.hello(&["PIPELINING", "8BITMIME"]).await;
        c.expect("MAIL FROM:<sender@example.com> BODY=8BITMIME\r\n")
            .await;
        c.expect("RCPT").await;
        c.expect("DATA").await;
        c.send("250 ok\r\n250 ok\r\n354 go\r\n").await;
        let body = c.read_data().await;
        c.send("250 queued\r\n").await;
        body
    })
    .await;
    let mut message = Vec::new();
    for i in 0..20_000 {
        message.extend_from_slice(format!(".line {i}\n").as_bytes());
    }
    let mut client = plain(port).connect().await.unwrap();
    let report = client
        .send_reader(&envelope(&["a@example.net"]), message.as_slice(), None)
        .await
        .unwrap();
    assert!(report.all_accepted());
    let received = server.await.unwrap();
    let expected: Vec<u8> = String::from_utf8(message)
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    assert_eq!(received.len(), expected.len());
    assert!(received == expected);
}

/// Reads BDAT chunks until `LAST`; returns the message and the chunk count.
async fn read_bdat(c: &mut Conn) -> (Vec<u8>, usize) {
    let mut message = Vec::new();
    let mut chunks = 0;
    loop {
        let line = c.expect("BDAT ").await;
        let mut words = line.trim_end().split(' ').skip(1);
        let size: usize = words.next().unwrap().parse().unwrap();
        let last = words.next() == Some("LAST");
        let mut chunk = vec![0; size];
        c.stream.read_exact(&mut chunk).await.unwrap();
        message.extend_from_slice(&chunk);
        chunks += 1;
        if last {
            c.send("250 2.0.0 message accepted\r\n").await;
            return (message, chunks);
        }
        c.send(&format!("250 2.0.0 {size} octets received\r\n"))
            .await;
    }
}

#[tokio::test]
async fn chunking_streams_a_large_message_in_bdat_chunks() {
    for pipelining in [true, false] {
        let (port, server) = serve(move |mut c| async move {
            let mut keywords = vec!["CHUNKING", "8BITMIME", "SIZE 10000000"];
            if pipelining {
                keywords.push("PIPELINING");
            }
            c.hello(&keywords).await;
            let mail = c.expect("MAIL FROM:").await;
            if !pipelining {
                c.send("250 ok\r\n").await;
            }
            c.expect("RCPT TO:").await;
            if pipelining {
                c.send("250 ok\r\n250 ok\r\n").await;
            } else {
                c.send("250 ok\r\n").await;
            }
            let (message, chunks) = read_bdat(&mut c).await;
            (mail, message, chunks)
        })
        .await;
        let mut message = Vec::new();
        for i in 0..30_000 {
            message.extend_from_slice(format!(".line {i} caf\u{e9}\n").as_bytes());
        }
        let mut client = plain(port).connect().await.unwrap();
        let report = client
            .send(&envelope(&["a@example.net"]), &message)
            .await
            .unwrap();
        assert!(report.all_accepted());
        let (mail, received, chunks) = server.await.unwrap();
        let expected = String::from_utf8(message).unwrap().replace('\n', "\r\n");
        assert!(mail.contains("BODY=8BITMIME"), "{mail}");
        assert!(mail.contains(&format!("SIZE={}", expected.len())), "{mail}");
        assert!(chunks > 3, "{chunks} chunks");
        assert!(received == expected.as_bytes(), "no dot-stuffing in BDAT");
    }
}
