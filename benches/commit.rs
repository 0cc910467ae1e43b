//! The cost of one group commit on disk (issue 12 point 3): eight new models (eight concurrent
//! shares) applied to an on-disk index of 100 000, then the search that makes them visible.
//! `commit_8` is the everyday path (durable at the next checkpoint); `commit_8_durable` syncs
//! every commit as tantivy's own directory does. Run with `cargo bench --bench commit`;
//! `XERO_BENCH_MODELS` sets the index size.

use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use xeroctl::catalog::query::CatalogQuery;
use xeroctl::search::SearchIndex;
use xeroctl::search::index::IndexChange;

mod support;

fn batch(seed: u64) -> Vec<IndexChange> {
    support::entries(seed, 8)
        .map(|entry| IndexChange::Upsert(Box::new(entry)))
        .collect()
}

fn commit(c: &mut Criterion) {
    let size: usize = std::env::var("XERO_BENCH_MODELS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(100_000);
    // On the project's disk (target/), not a tmpfs: the syncs are what is measured.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let (index, _) = SearchIndex::open(&dir.path().join("index")).expect("index");
    let started = Instant::now();
    index
        .replace_all(support::entries(42, size), 0)
        .expect("build");
    eprintln!(
        "built {size} models in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let browse = CatalogQuery::from_pairs(std::iter::empty::<(&str, &str)>()).expect("query");
    let mut seed = 1_000;
    let mut next = move || {
        seed += 1;
        batch(seed)
    };
    let mut group = c.benchmark_group("commit");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.bench_function("commit_8", |b| {
        b.iter_batched(
            &mut next,
            |changes| index.apply(&changes, 1).expect("apply"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("commit_8_then_browse", |b| {
        b.iter_batched(
            &mut next,
            |changes| {
                index.apply(&changes, 1).expect("apply");
                index.search(&browse).expect("search")
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("commit_8_durable", |b| {
        b.iter_batched(
            &mut next,
            |changes| {
                index.apply(&changes, 1).expect("apply");
                index.checkpoint().expect("checkpoint")
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
    eprintln!("{} segments at the end", index.num_segments());
}

criterion_group!(benches, commit);
criterion_main!(benches);
