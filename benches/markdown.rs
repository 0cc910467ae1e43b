//! Markdown rendering cost (RELIABILITY T39): every description of the hostile corpus (fixed
//! shapes and seeded random mixes, each ~64 KiB) and a normal model card, rendered uncached.
//! Run with `cargo bench --bench markdown`; prints the slowest shape first.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use xeroctl::markdown::{self, corpus};

const CARD: &str = include_str!("../tests/data/model-card.md");

fn worst_case(c: &mut Criterion) {
    let corpus = corpus::hostile_corpus(64);
    let mut timings: Vec<(Duration, &str)> = corpus
        .iter()
        .map(|(name, text)| {
            let started = Instant::now();
            std::hint::black_box(markdown::render(text));
            (started.elapsed(), name.as_str())
        })
        .collect();
    timings.sort_by_key(|t| std::cmp::Reverse(t.0));
    for (elapsed, name) in timings.iter().take(5) {
        println!("slowest: {name:24} {:.2} ms", elapsed.as_secs_f64() * 1e3);
    }
    let (_, worst) = timings[0];
    let text = &corpus.iter().find(|(n, _)| n == worst).expect("worst").1;
    let mut group = c.benchmark_group("markdown");
    group.sample_size(20);
    group.bench_function(format!("worst hostile ({worst})"), |b| {
        b.iter(|| markdown::render(text))
    });
    group.bench_function("normal model card", |b| b.iter(|| markdown::render(CARD)));
    group.finish();
}

criterion_group!(benches, worst_case);
criterion_main!(benches);
