//! Python `smtplib` against the `smtp-server` binary: plain, STARTTLS,
//! implicit TLS, AUTH LOGIN right and wrong, many recipients and SMTPUTF8;
//! every stored file checked byte for byte.

mod peer_support;

use std::path::Path;

use peer_support::{
    ServerProcess, TlsFiles, assert_success, maildir_server, run_python, split_trace, users_file,
    wait_for_messages,
};

const CLIENT: &str = include_str!("peer_support/smtplib_client.py");

/// A JSON string literal (the inputs are the test's own, possibly UTF-8).
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Send<'a> {
    port: u16,
    mode: &'a str,
    ca: Option<&'a Path>,
    login: Option<(&'a str, &'a str)>,
    from: &'a str,
    to: Vec<String>,
    message: &'a [u8],
    mail_options: &'a [&'a str],
}

impl<'a> Send<'a> {
    /// The common case: [`MESSAGE`] from `a@client.test` to one recipient,
    /// without login or MAIL options.
    fn one(port: u16, mode: &'a str, ca: Option<&'a Path>, to: &str) -> Self {
        Send {
            port,
            mode,
            ca,
            login: None,
            from: "a@client.test",
            to: vec![to.into()],
            message: MESSAGE,
            mail_options: &[],
        }
    }

    fn run(&self, server: &ServerProcess) -> String {
        let to: Vec<String> = self.to.iter().map(|t| json_str(t)).collect();
        let options: Vec<String> = self.mail_options.iter().map(|o| json_str(o)).collect();
        let config = format!(
            "{{\"port\": {}, \"mode\": {}, \"ca\": {}, \"helo\": \"client.test\", \"login\": {}, \
             \"from\": {}, \"to\": [{}], \"message_hex\": \"{}\", \"mail_options\": [{}]}}",
            self.port,
            json_str(self.mode),
            self.ca
                .map(|p| json_str(p.to_str().unwrap()))
                .unwrap_or_else(|| "null".into()),
            self.login
                .map(|(u, p)| format!("[{}, {}]", json_str(u), json_str(p)))
                .unwrap_or_else(|| "null".into()),
            json_str(self.from),
            to.join(", "),
            hex(self.message),
            options.join(", "),
        );
        let out = run_python(CLIENT, &[&config]);
        assert_success("python smtplib", &out, Some(server));
        String::from_utf8(out.stdout).unwrap()
    }
}

/// A message with a leading-dot line (dot-stuffed on the wire) and CRLF ends.
const MESSAGE: &[u8] = b"From: a@client.test\r\nTo: b@example.org\r\nSubject: hi\r\n\
Message-ID: <plain@client.test>\r\n\r\nHello.\r\n.leading dot\r\n..two dots\r\nbye\r\n";

/// Checks one stored message: our trace headers, then exactly `message`.
fn check_stored(dir: &Path, message: &[u8], with: &str, expect_in_received: &[&str]) {
    let files = wait_for_messages(dir, 1);
    assert_eq!(files.len(), 1, "{files:?}");
    let stored = std::fs::read(&files[0]).unwrap();
    let (trace, body) = split_trace(&stored);
    assert_eq!(
        body,
        message,
        "stored body differs:\n{}",
        String::from_utf8_lossy(&body)
    );
    assert!(trace.starts_with("Return-Path: <"), "{trace}");
    let received = trace.split_once("\r\nReceived: ").expect("Received").1;
    let unfolded = received.replace("\r\n\t", " ");
    assert!(
        unfolded.starts_with("from client.test ([127.0.0.1]) by mx.test (smtp-rs)"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains(&format!(" with {with} id ")),
        "{unfolded}"
    );
    for needle in expect_in_received {
        assert!(unfolded.contains(needle), "{needle} not in {unfolded}");
    }
    assert!(unfolded.trim_end().ends_with("+0000"), "{unfolded}");
    for line in trace.split("\r\n") {
        assert!(line.len() <= 78, "unfolded trace line {line:?}");
    }
}

fn tls_server(dir: &Path, extra: &[&str]) -> (ServerProcess, TlsFiles) {
    let tls = TlsFiles::generate(dir);
    let mut args = vec![
        "--tls-listen",
        "127.0.0.1:0",
        "--tls-cert",
        tls.cert.to_str().unwrap(),
        "--tls-key",
        tls.key.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (maildir_server(dir, &args), tls)
}

#[test]
fn plain_delivery_is_stored_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("md");
    let server = maildir_server(dir.path(), &[]);
    let out = Send::one(server.smtp_port(), "plain", None, "b@example.org").run(&server);
    assert!(out.contains("\"sent\": true"), "{out}");
    assert!(out.contains("\"refused\": {}"), "{out}");
    check_stored(&maildir, MESSAGE, "ESMTP", &["for <b@example.org>;"]);
    let stored = std::fs::read(&wait_for_messages(&maildir, 1)[0]).unwrap();
    assert!(stored.starts_with(b"Return-Path: <a@client.test>\r\nReceived: "));
}

#[test]
fn starttls_and_implicit_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (server, tls) = tls_server(dir.path(), &[]);
    let maildir = dir.path().join("md");
    let out = Send::one(
        server.smtp_port(),
        "starttls",
        Some(&tls.ca),
        "b@example.org",
    )
    .run(&server);
    assert!(out.contains("\"sent\": true"), "{out}");
    check_stored(&maildir, MESSAGE, "ESMTPS", &["for <b@example.org>;"]);
    std::fs::remove_file(&wait_for_messages(&maildir, 1)[0]).unwrap();

    let out = Send::one(server.smtps_port(), "ssl", Some(&tls.ca), "c@example.org").run(&server);
    assert!(out.contains("\"sent\": true"), "{out}");
    check_stored(&maildir, MESSAGE, "ESMTPS", &["for <c@example.org>;"]);
}

#[test]
fn login_right_and_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let users = users_file(dir.path(), "# test users\n", "alice", "open sesame");
    let (server, tls) = tls_server(
        dir.path(),
        &[
            "--users",
            users.to_str().unwrap(),
            "--local-domain",
            "mx.test",
        ],
    );
    let maildir = dir.path().join("md");

    let starttls_far = || {
        Send::one(
            server.smtp_port(),
            "starttls",
            Some(&tls.ca),
            "far@example.org",
        )
    };
    let wrong = Send {
        login: Some(("alice", "open says me")),
        from: "alice@mx.test",
        ..starttls_far()
    }
    .run(&server);
    assert!(wrong.contains("\"login\": 535"), "{wrong}");

    // Unauthenticated: relaying to a foreign domain is refused, local delivery works.
    let anonymous = Send {
        from: "x@client.test",
        ..starttls_far()
    }
    .run(&server);
    assert!(anonymous.contains("\"all_refused\""), "{anonymous}");
    assert!(anonymous.contains("550"), "{anonymous}");

    let right = Send {
        login: Some(("alice", "open sesame")),
        from: "alice@mx.test",
        ..starttls_far()
    }
    .run(&server);
    assert!(right.contains("\"login\": 235"), "{right}");
    assert!(right.contains("\"sent\": true"), "{right}");
    check_stored(&maildir, MESSAGE, "ESMTPSA", &["for <far@example.org>;"]);
}

#[test]
fn many_recipients_and_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("md");
    let server = maildir_server(dir.path(), &[]);
    let mut to: Vec<String> = (0..40).map(|i| format!("user{i}@example.org")).collect();
    to.push("josé@exämple.org".into());
    let message = "From: Zoë <zoë@client.test>\r\nTo: undisclosed-recipients:;\r\n\
Subject: Grüße – ünïcödé ✉\r\nMessage-ID: <utf8@client.test>\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
Ça va? 日本語のテキスト\r\n\u{00ff}\u{00fe}\r\n"
        .as_bytes();
    let out = Send {
        from: "zoë@client.test",
        to,
        message,
        mail_options: &["SMTPUTF8", "BODY=8BITMIME"],
        ..Send::one(server.smtp_port(), "plain", None, "")
    }
    .run(&server);
    assert!(out.contains("\"sent\": true"), "{out}");
    assert!(out.contains("\"refused\": {}"), "{out}");
    let mut expected: Vec<String> = (0..40).map(|i| format!("<user{i}@example.org>")).collect();
    expected.push("<josé@exämple.org>)".into());
    let needles: Vec<&str> = std::iter::once("(envelope recipients <user0@example.org>,")
        .chain(expected.iter().map(String::as_str))
        .collect();
    check_stored(&maildir, message, "UTF8SMTP", &needles);
    let stored = std::fs::read(&wait_for_messages(&maildir, 1)[0]).unwrap();
    assert!(stored.starts_with("Return-Path: <zoë@client.test>\r\n".as_bytes()));
}
