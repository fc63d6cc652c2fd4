//! The `smtp-server` command line: usage errors, the open-relay guard and `hash-password`.

mod peer_support;

use peer_support::run_binary;
use smtp_server::users::Users;

#[test]
fn refuses_non_loopback_without_users_or_local_domains() {
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:2525"] {
        let out = run_binary(&["--listen", addr, "--sink"], b"");
        assert_eq!(out.status.code(), Some(2), "{addr}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("refusing to listen"), "{stderr}");
        assert!(
            stderr.contains("--users") && stderr.contains("loopback"),
            "{stderr}"
        );
    }
    // The implicit-TLS listener is held to the same rule (before any file is read).
    let out = run_binary(
        &[
            "--tls-listen",
            "0.0.0.0:0",
            "--tls-cert",
            "/nonexistent",
            "--tls-key",
            "/nonexistent",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_flags_exit_with_status_2() {
    let cases: &[&[&str]] = &[
        &["--no-such-flag"],
        &["--listen", "not-an-address"],
        &["--max-recipients", "many"],
        &["--max-recipients", "0"],
        &["--max-connections", "-1"],
        &["--max-message-size", "big"],
        &["--maildir", "x", "--sink"],
        &["--tls-cert", "cert.pem"],
        &["--tls-key", "key.pem"],
        &["--tls-listen", "127.0.0.1:0"],
        &["hash-password", "--sink"],
    ];
    for args in cases {
        let out = run_binary(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {:?}", out);
        assert!(!out.stderr.is_empty(), "{args:?} says nothing");
    }
}

#[test]
fn unreadable_files_are_runtime_errors() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::write(&users, "alice:not-a-hash\n").unwrap();
    let out = run_binary(
        &[
            "--listen",
            "127.0.0.1:0",
            "--users",
            users.to_str().unwrap(),
            "--sink",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 1"), "{stderr}");

    let out = run_binary(
        &[
            "--listen",
            "127.0.0.1:0",
            "--sink",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/cert.pem"));
}

#[test]
fn hash_password_output_verifies() {
    let out = run_binary(&["hash-password"], b"correct horse\n");
    assert!(out.status.success(), "{out:?}");
    let phc = String::from_utf8(out.stdout).unwrap();
    let phc = phc.trim_end();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    let users = Users::parse(&format!("alice:{phc}\n")).unwrap();
    assert!(users.verify_blocking("alice", "correct horse"));
    assert!(!users.verify_blocking("alice", "correct horse\n"));
    assert!(!users.verify_blocking("alice", "wrong"));

    let empty = run_binary(&["hash-password"], b"\n");
    assert_eq!(empty.status.code(), Some(2));
}
