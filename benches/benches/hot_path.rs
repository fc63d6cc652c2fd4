//! Criterion benchmarks of the parsing hot path: every case of
//! `smtp_benches::all_cases`, one criterion group per input, each
//! competitor verified once before it is timed.
//!
//! `cargo bench -p smtp-benches --bench hot_path -- --warm-up-time 1 --measurement-time 3`
//! (add a filter such as `commands/` to run one kind).
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smtp_benches::all_cases;

fn hot_path(c: &mut Criterion) {
    let mut cases = all_cases();
    // `all_cases` lists each group's cases together.
    for cases in cases.chunk_by_mut(|a, b| a.group == b.group) {
        let mut group = c.benchmark_group(cases[0].group);
        for case in cases {
            // Outside the timed loop: a competitor that fails or does less
            // must not be measured at all.
            if let Err(e) = case.verify() {
                panic!("{e}");
            }
            group.throughput(Throughput::Bytes(case.bytes));
            group.bench_function(case.competitor, |b| b.iter(|| case.run()));
        }
        group.finish();
    }
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
