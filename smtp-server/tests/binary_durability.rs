//! The binary's promise: every message that got a `250` is complete in
//! `new/`, even when the server is SIGKILLed under load; SIGTERM is a clean exit.

mod peer_support;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use peer_support::{ServerProcess, maildir_server, new_messages};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The last line of every test message: a file without it is partial.
const TRAILER: &str = "END-OF-MESSAGE";

/// Reads one (possibly multi-line) reply and returns its code.
async fn reply(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> std::io::Result<u16> {
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line.len() < 4 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        if line.as_bytes()[3] != b'-' {
            return line[..3]
                .parse()
                .map_err(|_| std::io::ErrorKind::InvalidData.into());
        }
    }
}

async fn expect(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    code: u16,
) -> std::io::Result<()> {
    let got = reply(reader).await?;
    if got == code {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("expected {code}, got {got}")))
    }
}

/// One client: sends messages on one connection until the server goes away,
/// recording the Message-ID of each one acknowledged with `250`.
async fn client(addr: SocketAddr, n: usize, acked: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    expect(&mut reader, 220).await?;
    write.write_all(b"EHLO load.test\r\n").await?;
    expect(&mut reader, 250).await?;
    // A body of a few KiB so that writes are not trivially small.
    let filler = "x".repeat(76);
    for seq in 0.. {
        let id = format!("<c{n}-m{seq}@load.test>");
        write
            .write_all(b"MAIL FROM:<load@load.test>\r\nRCPT TO:<sink@example.org>\r\nDATA\r\n")
            .await?;
        expect(&mut reader, 250).await?;
        expect(&mut reader, 250).await?;
        expect(&mut reader, 354).await?;
        let mut body = format!("Message-ID: {id}\r\nSubject: load\r\n\r\n");
        for _ in 0..40 {
            body.push_str(&filler);
            body.push_str("\r\n");
        }
        body.push_str(TRAILER);
        body.push_str("\r\n.\r\n");
        write.write_all(body.as_bytes()).await?;
        expect(&mut reader, 250).await?;
        acked.lock().unwrap().push(id);
    }
    Ok(())
}

fn message_id(stored: &str) -> Option<&str> {
    stored
        .lines()
        .find_map(|line| line.strip_prefix("Message-ID: "))
}

#[test]
fn acknowledged_messages_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("md");
    let mut server = maildir_server(dir.path(), &[]);
    let addr = server.smtp.unwrap();
    let acked = Arc::new(Mutex::new(Vec::new()));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|n| runtime.spawn(client(addr, n, Arc::clone(&acked))))
        .collect();

    // Let the load run, then kill the server without warning.
    let started = Instant::now();
    while acked.lock().unwrap().len() < 50 && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    server.kill_hard();

    runtime.block_on(async {
        for task in tasks {
            // Every client ends with an error: its server is gone.
            let result = tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("client hung after the server died")
                .unwrap();
            assert!(result.is_err());
        }
    });

    let acked: Vec<String> = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 50,
        "only {} messages acknowledged",
        acked.len()
    );
    let mut on_disk = HashSet::new();
    for file in new_messages(&maildir) {
        let stored = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
        assert!(
            stored.ends_with(&format!("{TRAILER}\r\n")),
            "partial file in new/: {}",
            file.display()
        );
        assert!(stored.starts_with("Return-Path: <load@load.test>\r\nReceived: "));
        on_disk.insert(message_id(&stored).expect("Message-ID").to_owned());
    }
    for id in &acked {
        assert!(on_disk.contains(id), "acknowledged {id} is not in new/");
    }
    check_tmp_only_holds_leftovers(&maildir);
}

/// Files in `tmp/` are allowed after a crash (never acknowledged, never in new/).
fn check_tmp_only_holds_leftovers(maildir: &Path) {
    let new: HashSet<_> = new_messages(maildir)
        .into_iter()
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    for entry in std::fs::read_dir(maildir.join("tmp")).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(!new.contains(&name), "{name:?} both in tmp/ and new/");
    }
}

#[test]
fn sigterm_lets_the_transaction_finish_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("md");
    let mut server = ServerProcess::start(&[
        "--listen",
        "127.0.0.1:0",
        "--maildir",
        maildir.to_str().unwrap(),
    ]);
    let addr = server.smtp.unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut reader, mut write) = runtime.block_on(async {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        expect(&mut reader, 220).await.unwrap();
        write
            .write_all(b"EHLO t\r\nMAIL FROM:<a@t>\r\nRCPT TO:<b@t>\r\nDATA\r\n")
            .await
            .unwrap();
        for code in [250, 250, 250, 354] {
            expect(&mut reader, code).await.unwrap();
        }
        write
            .write_all(b"Subject: in flight\r\n\r\n")
            .await
            .unwrap();
        (reader, write)
    });
    // SIGTERM while the message is half sent: the transaction may finish.
    let pid = server.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    runtime.block_on(async {
        write.write_all(b"done\r\n.\r\n").await.unwrap();
        expect(&mut reader, 250).await.unwrap();
    });
    let status = server.terminate();
    assert_eq!(status.code(), Some(0), "{}", server.stderr_text());
    let files = new_messages(&maildir);
    assert_eq!(files.len(), 1);
    assert!(
        std::fs::read_to_string(&files[0])
            .unwrap()
            .ends_with("Subject: in flight\r\n\r\ndone\r\n")
    );
    // And it no longer accepts connections.
    assert!(std::net::TcpStream::connect(addr).is_err());
}
