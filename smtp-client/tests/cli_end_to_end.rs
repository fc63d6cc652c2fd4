//! `smtp-send` end to end: every exit status, `--json`, `--messages DIR`,
//! envelope from headers with Bcc removed, and `-v` without secrets; against
//! Postfix `smtp-sink` and the scripted server.

mod bulk_scripted_server;
mod peer_process;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use bulk_scripted_server::{Event, ScriptedServer, accept_all};
use peer_process::SmtpSink;

const MESSAGE: &str = "From: Sender <sender@example.com>\r\nTo: one@example.org, Two <two@example.org>\r\nBcc: hidden@example.org\r\nSubject: hello\r\n\r\nHello.\r\n";

/// Runs `smtp-send` with `args` (and `env`) in a blocking thread so the
/// scripted server keeps running on the test's runtime.
async fn smtp_send(args: Vec<String>, env: Vec<(&'static str, &'static str)>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_smtp-send"))
            .args(&args)
            .envs(env)
            .stdin(Stdio::null())
            .output()
            .expect("smtp-send runs")
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn server_args(port: u16, extra: &[&str]) -> Vec<String> {
    let mut all = args(&["--server", &format!("127.0.0.1:{port}"), "--tls", "none"]);
    all.extend(args(extra));
    all
}

fn write_message(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn start_smtp_sink() -> SmtpSink {
    SmtpSink::start(&["-c"], "50")
}

#[tokio::test]
async fn exit_0_when_smtp_sink_accepts_everything_and_json_says_so() {
    let sink = start_smtp_sink();
    let dir = tempfile::tempdir().unwrap();
    let message = write_message(dir.path(), "hello.eml", MESSAGE);
    let output = smtp_send(
        server_args(
            sink.port,
            &["--message", message.to_str().unwrap(), "--json"],
        ),
        vec![],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json = json_of(&output);
    assert_eq!(json["outcome"], "all_accepted");
    assert_eq!(json["exit_status"], 0);
    let recipients: Vec<&str> = json["messages"][0]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recipient"].as_str().unwrap())
        .collect();
    // The envelope came from To: and Bcc: since no --to was given.
    assert_eq!(
        recipients,
        ["one@example.org", "two@example.org", "hidden@example.org"]
    );
    assert_eq!(json["messages"][0]["recipients"][0]["reply"]["code"], 250);
}

#[tokio::test]
async fn a_message_on_standard_input_is_sent() {
    use std::io::Write;
    let sink = start_smtp_sink();
    let argv = server_args(
        sink.port,
        &["--from", "me@example.com", "--to", "you@example.org"],
    );
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smtp-send"))
            .args(&argv)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(MESSAGE.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("stdin: 1/1 recipients accepted"),
        "{stdout}"
    );
}

#[tokio::test]
async fn messages_dir_is_sent_in_bulk_over_reused_connections() {
    let sink = start_smtp_sink();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..6 {
        write_message(dir.path(), &format!("{i:02}.eml"), MESSAGE);
    }
    let output = smtp_send(
        server_args(
            sink.port,
            &[
                "--messages",
                dir.path().to_str().unwrap(),
                "--concurrency",
                "2",
                "--messages-per-connection",
                "3",
                "--rate",
                "100/s",
                "--json",
            ],
        ),
        vec![],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json = json_of(&output);
    assert_eq!(json["totals"]["messages"], 6);
    assert_eq!(json["totals"]["accepted"], 18);
    let connections = json["connections"].as_u64().unwrap();
    assert!((2..=4).contains(&connections), "{connections} connections");
    let ids: Vec<&str> = json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["00.eml", "01.eml", "02.eml", "03.eml", "04.eml", "05.eml"]
    );
}

#[tokio::test]
async fn exit_1_when_a_recipient_is_refused_permanently() {
    let server = ScriptedServer::start(|context, event| match event {
        Event::Rcpt(to) if to == "two@example.org" => "550 5.1.1 No such user here".into(),
        _ => accept_all(context, event),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let message = write_message(dir.path(), "m.eml", MESSAGE);
    let output = smtp_send(
        server_args(server.port(), &["--message", message.to_str().unwrap()]),
        vec![],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line_of = |who: &str| {
        stdout
            .lines()
            .find(|line| line.trim_start().starts_with(who))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line_of("two@"),
        "two@example.org refused 550 5.1.1 No such user here"
    );
    assert_eq!(line_of("one@"), "one@example.org accepted 250 2.1.5 OK");
    // The Bcc: field was not transmitted.
    let data = String::from_utf8_lossy(&server.accepted()[0].data).into_owned();
    assert!(
        data.contains("Subject: hello") && !data.contains("Bcc"),
        "{data}"
    );
}

#[tokio::test]
async fn exit_75_when_transient_failures_remain_after_retries() {
    let server = ScriptedServer::start(|context, event| match event {
        Event::Rcpt(_) => "451 4.7.1 Greylisted, try again later".into(),
        _ => accept_all(context, event),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let message = write_message(dir.path(), "m.eml", MESSAGE);
    let output = smtp_send(
        server_args(
            server.port(),
            &[
                "--message",
                message.to_str().unwrap(),
                "--to",
                "x@example.org",
                "--attempts",
                "2",
                "--retry-delay",
                "0.01",
                "--json",
            ],
        ),
        vec![],
    )
    .await;
    assert_eq!(output.status.code(), Some(75), "{output:?}");
    let json = json_of(&output);
    assert_eq!(json["outcome"], "transient_failure");
    assert_eq!(json["messages"][0]["attempts"], 2);
    assert_eq!(json["messages"][0]["recipients"][0]["status"], "failed");
    assert_eq!(
        json["messages"][0]["recipients"][0]["reply"]["enhanced"],
        "4.7.1"
    );
    assert_eq!(server.transactions(), 2);
}

#[tokio::test]
async fn exit_2_for_usage_and_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    let message = write_message(dir.path(), "m.eml", MESSAGE);
    let no_from = write_message(dir.path(), "no-from.eml", "To: a@example.org\r\n\r\nhi\r\n");
    let message = message.to_str().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (args(&["--message", message]), "--server"),
        (
            server_args(1, &["--message", message, "--rate", "5/fortnight"]),
            "fortnight",
        ),
        (
            server_args(1, &["--message", message, "--user", "me"]),
            "--password-env",
        ),
        (
            server_args(
                1,
                &["--message", message, "--password-env", "SMTP_SEND_TEST_PW"],
            ),
            "--user",
        ),
        (
            server_args(
                1,
                &[
                    "--message",
                    message,
                    "--user",
                    "me",
                    "--password-env",
                    "SMTP_SEND_TEST_UNSET",
                ],
            ),
            "SMTP_SEND_TEST_UNSET",
        ),
        (
            server_args(1, &["--message", no_from.to_str().unwrap()]),
            "From",
        ),
        (
            server_args(1, &["--message", message, "--to", "not an address"]),
            "invalid",
        ),
        (
            server_args(1, &["--message", "/nonexistent/m.eml"]),
            "/nonexistent/m.eml",
        ),
        (
            server_args(
                1,
                &["--messages", dir.path().join("none").to_str().unwrap()],
            ),
            "none",
        ),
        (
            server_args(1, &["--message", message, "--auth", "KERBEROS_V4"]),
            "not supported",
        ),
    ];
    for (argv, expected) in cases {
        let output = smtp_send(argv.clone(), vec![("SMTP_SEND_TEST_PW", "secret")]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{argv:?}: {stderr}");
        assert!(stderr.contains(expected), "{argv:?}: {stderr}");
    }
}

#[tokio::test]
async fn exit_2_when_the_client_settings_cannot_work() {
    let server = ScriptedServer::start(accept_all).await;
    let dir = tempfile::tempdir().unwrap();
    let message = write_message(dir.path(), "m.eml", MESSAGE);
    let ca = write_message(dir.path(), "ca.pem", "this is not a certificate\n");
    let mut argv = args(&[
        "--server",
        &format!("127.0.0.1:{}", server.port()),
        "--tls",
        "implicit",
    ]);
    argv.extend(args(&[
        "--ca-file",
        ca.to_str().unwrap(),
        "--message",
        message.to_str().unwrap(),
    ]));
    let output = smtp_send(argv, vec![]).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("STOPPED: configuration error"), "{stdout}");
    assert!(stdout.contains("ca.pem"), "{stdout}");
}

#[tokio::test]
async fn verbose_output_shows_the_conversation_but_never_the_password() {
    let server = ScriptedServer::start(accept_all).await;
    let dir = tempfile::tempdir().unwrap();
    let message = write_message(dir.path(), "m.eml", MESSAGE);
    let output = smtp_send(
        server_args(
            server.port(),
            &[
                "--message",
                message.to_str().unwrap(),
                "--user",
                "me@example.com",
                "--password-env",
                "SMTP_SEND_TEST_PW",
                "--allow-plaintext-auth",
                "-v",
            ],
        ),
        vec![("SMTP_SEND_TEST_PW", "hunter2-secret")],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("=== Sending 1 message(s)"), "{all}");
    // The conversation is shown, as swaks shows it...
    assert!(all.contains("C: MAIL FROM:<"), "{all}");
    assert!(all.contains("S: 250"), "{all}");
    assert!(all.contains("<redacted>"), "{all}");
    // ...but never the credentials.
    assert!(!all.contains("hunter2-secret"), "{all}");
    // base64 of "\0me@example.com\0hunter2-secret", as AUTH PLAIN sends it.
    let auth = &server.seen.lock().unwrap().auth_lines;
    assert_eq!(auth.len(), 1, "{auth:?}");
    let encoded = auth[0].rsplit(' ').next().unwrap().to_string();
    assert!(!all.contains(&encoded), "{all}");
}
