//! `swaks`, `curl` and `openssl s_client` against the `smtp-server` binary.

mod peer_support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use peer_support::{
    TlsFiles, assert_success, maildir_server, run_tool as run, split_trace, swaks, swaks_auth,
    tool, users_file, wait_for_messages, wait_output,
};

/// The body stored in the only file of `new/`.
fn stored_body(dir: &Path) -> (String, Vec<u8>) {
    let files = wait_for_messages(&dir.join("md"), 1);
    assert_eq!(files.len(), 1, "{files:?}");
    split_trace(&std::fs::read(&files[0]).unwrap())
}

#[test]
fn swaks_pipelining() {
    let dir = tempfile::tempdir().unwrap();
    let server = maildir_server(dir.path(), &[]);
    let data = dir.path().join("data.eml");
    std::fs::write(
        &data,
        "Subject: pipelined\r\nMessage-ID: <swaks-pipe@client.test>\r\n\r\nbody\r\n.dot\r\n",
    )
    .unwrap();
    let out = swaks(
        server.smtp_port(),
        &[
            "--from",
            "a@client.test",
            "--to",
            "b@example.org,c@example.org",
            "--pipeline",
            "--data",
            data.to_str().unwrap(),
        ],
    );
    assert_success("swaks --pipeline", &out, Some(&server));
    let transcript = String::from_utf8_lossy(&out.stdout);
    assert!(transcript.contains("PIPELINING"), "{transcript}");
    let (trace, body) = stored_body(dir.path());
    // swaks always sends CRLF "." CRLF after the data, so a file that ends
    // with CRLF arrives with one more empty line.
    let mut expected = std::fs::read(&data).unwrap();
    expected.extend_from_slice(b"\r\n");
    assert_eq!(body, expected);
    assert!(
        trace
            .replace("\r\n\t", " ")
            .contains("(envelope recipients <b@example.org>, <c@example.org>)"),
        "{trace}"
    );
}

#[test]
fn swaks_auth_plain_and_login_over_starttls() {
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsFiles::generate(dir.path());
    let users = users_file(dir.path(), "", "bob", "pa55word");
    let server = maildir_server(
        dir.path(),
        &[
            "--tls-cert",
            tls.cert.to_str().unwrap(),
            "--tls-key",
            tls.key.to_str().unwrap(),
            "--users",
            users.to_str().unwrap(),
            "--local-domain",
            "mx.test",
        ],
    );
    for (mechanism, password, ok) in [
        ("PLAIN", "pa55word", true),
        ("LOGIN", "pa55word", true),
        ("PLAIN", "wrong", false),
        ("LOGIN", "wrong", false),
    ] {
        let out = swaks_auth(
            server.smtp_port(),
            mechanism,
            ("bob", password),
            ("bob@mx.test", "someone@example.org"),
            &["--body", "relayed after AUTH"],
        );
        let transcript = String::from_utf8_lossy(&out.stdout);
        if ok {
            assert_success(&format!("swaks AUTH {mechanism}"), &out, Some(&server));
            assert!(transcript.contains("235 2.7.0"), "{transcript}");
        } else {
            assert!(!out.status.success(), "{transcript}");
            assert!(transcript.contains("535 5.7.8"), "{transcript}");
        }
    }
    let files = wait_for_messages(&dir.path().join("md"), 2);
    assert_eq!(files.len(), 2);
    for file in files {
        let (trace, _) = split_trace(&std::fs::read(file).unwrap());
        assert!(
            trace.replace("\r\n\t", " ").contains(" with ESMTPSA id "),
            "{trace}"
        );
    }
}

#[test]
fn curl_upload() {
    let dir = tempfile::tempdir().unwrap();
    let server = maildir_server(dir.path(), &[]);
    let message = b"From: a@client.test\r\nSubject: curl\r\n\r\nline one\r\n.starts with a dot\r\n";
    let file = dir.path().join("curl.eml");
    std::fs::write(&file, message).unwrap();
    let url = format!("smtp://127.0.0.1:{}/client.test", server.smtp_port());
    let out = run(
        "curl",
        &[
            "-sS",
            &url,
            "--mail-from",
            "a@client.test",
            "--mail-rcpt",
            "b@example.org",
            "--upload-file",
            file.to_str().unwrap(),
        ],
    );
    assert_success("curl smtp://", &out, Some(&server));
    let (trace, body) = stored_body(dir.path());
    assert_eq!(body, message);
    assert!(trace.contains("for <b@example.org>"), "{trace}");
}

#[test]
fn openssl_s_client_starttls_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsFiles::generate(dir.path());
    let server = maildir_server(
        dir.path(),
        &[
            "--tls-cert",
            tls.cert.to_str().unwrap(),
            "--tls-key",
            tls.key.to_str().unwrap(),
        ],
    );
    let connect = format!("127.0.0.1:{}", server.smtp_port());
    let mut child = Command::new(tool("openssl"))
        .args([
            "s_client",
            "-starttls",
            "smtp",
            "-connect",
            &connect,
            "-CAfile",
            tls.ca.to_str().unwrap(),
            "-verify_return_error",
            "-quiet",
            "-crlf",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start openssl");
    let mut stdin = child.stdin.take().unwrap();
    // One command at a time: the server must answer each before the next.
    for line in [
        "EHLO client.test\n",
        "MAIL FROM:<a@client.test>\n",
        "RCPT TO:<b@example.org>\n",
        "DATA\n",
        "Subject: through s_client\n\nsecret body\n.\n",
        "QUIT\n",
    ] {
        std::thread::sleep(Duration::from_millis(300));
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    // -quiet implies -ign_eof: closing stdin does not cut the session short.
    drop(stdin);
    let out = wait_output(child, Duration::from_secs(20));
    let transcript = String::from_utf8_lossy(&out.stdout);
    assert!(
        transcript.contains("250 2.0.0"),
        "{transcript}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(transcript.contains("221"), "{transcript}");
    let (trace, body) = stored_body(dir.path());
    assert_eq!(body, b"Subject: through s_client\r\n\r\nsecret body\r\n");
    assert!(
        trace.replace("\r\n\t", " ").contains(" with ESMTPS id "),
        "{trace}"
    );
}
