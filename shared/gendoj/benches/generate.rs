//! Generation rate: 100,000 data rows into `io::sink()`, reported in rows per second.
//!
//! `cargo bench -p cmr-gendoj --bench generate`

use std::hint::black_box;
use std::io;

use cmr_gendoj::{GenConfig, Target, generate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ROWS: u64 = 100_000;

fn bench_generate(c: &mut Criterion) {
    let cfg = GenConfig::new("SACRAMENTO", Target::Rows(ROWS), 1);
    // `Target::Rows` stops between subjects, so the run overshoots by part of a subject: count
    // the rows actually written so the throughput is exact.
    let rows = generate(&cfg, io::sink()).expect("generate").rows;
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows));
    group.bench_function("100k_rows_to_sink", |b| {
        b.iter(|| generate(black_box(&cfg), io::sink()).expect("generate"))
    });
    group.finish();
}

criterion_group!(benches, bench_generate);
criterion_main!(benches);
