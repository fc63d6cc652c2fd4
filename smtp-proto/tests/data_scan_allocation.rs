//! The DATA decoder's scans do not allocate, not even the first time the
//! `<LF>.` searcher is built (it is built lazily, once per process): this
//! binary holds a single test so that the first use is the measured one.

use allocation_counter::measure;
use smtp_proto::DataDecoder;

#[test]
fn first_decode_of_dot_dense_text_does_not_allocate() {
    // Many dots inside lines make the decoder switch from `memchr` to `memmem`.
    let mut wire = b"see example.org, a.b.c.d.e.f.g.h and 1.2.3.4 here\r\n".repeat(40);
    wire.extend_from_slice(b"..stuffed\r\nend\r\n.\r\n");
    let mut body = Vec::with_capacity(wire.len());
    let mut decoder = DataDecoder::new();
    let counts = measure(|| {
        assert!(decoder.decode(&wire, &mut body).done);
    });
    assert_eq!(counts.count_total, 0);
    assert!(body.ends_with(b".stuffed\r\nend\r\n"));
    assert_eq!(decoder.bare_line_ending(), None);
}
