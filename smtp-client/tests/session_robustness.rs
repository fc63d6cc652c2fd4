//! The session never panics on peer input, keeps its memory bounded, and
//! gives the same result however the server's bytes are split.

use proptest::prelude::*;
use smtp_client::session::{ClientSession, Event, SessionConfig};
use smtp_client::{BodyInfo, Envelope};

/// Feeds a whole pipelined conversation in pieces cut at `cuts`; returns
/// what the client wrote and the final event.
fn run_split(cuts: &[usize]) -> (Vec<u8>, String) {
    let script: &[&[u8]] = &[
        b"220-mx.example\r\n220 ready\r\n",
        b"250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n",
        b"250 2.1.0 ok\r\n550-5.1.1 no\r\n550 5.1.1 user\r\n250 2.1.5 ok\r\n354 go\r\n",
        b"250-2.0.0 queued\r\n250 2.0.0 as X1\r\n",
    ];
    let mut session = ClientSession::new(SessionConfig::default(), true);
    let mut wire = Vec::new();
    let mut last = String::new();
    let envelope = Envelope::new("s@example.com", ["a@example.net", "b@example.net"]).unwrap();
    for (step, bytes) in script.iter().enumerate() {
        let mut start = 0;
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        points.sort_unstable();
        points.push(bytes.len());
        for end in points {
            session.handle_input(&bytes[start..end]).unwrap();
            start = end;
        }
        session.poll_output(&mut wire);
        while let Some(event) = session.poll_event() {
            last = format!("{event:?}");
            if let Event::BodyRequested = event {
                session.send_body(b"hello\n").unwrap();
                session.finish_body().unwrap();
                session.poll_output(&mut wire);
            }
        }
        if step == 1 {
            session
                .send_mail(&envelope, BodyInfo::of(b"hello\n"))
                .unwrap();
            session.poll_output(&mut wire);
        }
    }
    (wire, last)
}

#[test]
fn conversation_split_at_every_byte() {
    let (whole_wire, whole_last) = run_split(&[]);
    assert!(whole_last.starts_with("MessageAccepted"), "{whole_last}");
    for cut in 0..120 {
        for second in [cut + 1, cut + 7] {
            let (wire, last) = run_split(&[cut, second]);
            assert_eq!(wire, whole_wire);
            assert_eq!(last, whole_last);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary server bytes at every stage: an error or progress, never a
    /// panic, and never more than a bounded amount buffered.
    #[test]
    fn arbitrary_server_bytes_never_panic(
        prefix in prop::sample::select(vec![0usize, 1, 2, 3]),
        chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..8),
    ) {
        let mut session = ClientSession::new(SessionConfig::default(), true);
        let steps: [&[u8]; 3] = [
            b"220 ok\r\n",
            b"250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 STARTTLS\r\n",
            b"250 ok\r\n",
        ];
        let mut sink = Vec::new();
        for step in steps.iter().take(prefix) {
            let _ = session.handle_input(step);
        }
        if session.is_ready() {
            let envelope = Envelope::new("s@example.com", ["a@example.net"]).unwrap();
            let _ = session.send_mail(&envelope, BodyInfo::of(b"x"));
        }
        for chunk in &chunks {
            if session.handle_input(chunk).is_err() {
                prop_assert!(!session.is_connected());
                break;
            }
            session.poll_output(&mut sink);
            while let Some(event) = session.poll_event() {
                if let Event::BodyRequested = event {
                    let _ = session.send_body(b"body");
                    let _ = session.finish_body();
                }
            }
            let _ = session.current_timeout();
        }
        prop_assert!(sink.len() < 64 * 1024);
    }
}
