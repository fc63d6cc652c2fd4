//! Benchmarks live in `benches/`; this crate has no library API of its own.
#![forbid(unsafe_code)]
