//! Postfix's `smtp-source` (the benchmark peer) delivering to the binary's
//! Maildir over concurrent sessions: every message is stored, complete.

mod peer_support;

use peer_support::{assert_success, maildir_server, run_tool, wait_for_messages};

#[test]
fn smtp_source_concurrent_sessions_are_all_stored() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("md");
    let server = maildir_server(dir.path(), &[]);
    let target = format!("127.0.0.1:{}", server.smtp_port());
    // 5 sessions, 60 messages of 2 KiB, several messages per connection (-d).
    let out = run_tool(
        "smtp-source",
        &[
            "-s",
            "5",
            "-m",
            "60",
            "-l",
            "2048",
            "-d",
            "-f",
            "src@client.test",
            "-t",
            "dst@example.org",
            &target,
        ],
    );
    assert_success("smtp-source", &out, Some(&server));
    let files = wait_for_messages(&maildir, 60);
    assert_eq!(files.len(), 60);
    for file in files {
        let stored = std::fs::read(&file).unwrap();
        let (trace, body) = peer_support::split_trace(&stored);
        assert!(
            trace.starts_with("Return-Path: <src@client.test>\r\n"),
            "{trace}"
        );
        assert!(trace.contains("for <dst@example.org>;"), "{trace}");
        // smtp-source sends its headers and a body of -l bytes in lines.
        assert!(
            body.len() >= 2048,
            "{} bytes in {}",
            body.len(),
            file.display()
        );
        assert!(body.ends_with(b"\r\n"));
    }
}
