//! In-process catalog search at 10 000 and 100 000 shared synthetic models:
//! (a) keyword only, (b) keyword + family + license + parameter range with facets,
//! (c) facets only (empty query). Run with `cargo bench --bench search`; other sizes with
//! `XERO_BENCH_MODELS=1000000 cargo bench --bench search`.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use xeroctl::catalog::query::CatalogQuery;
use xeroctl::search::SearchIndex;
use xeroctl::search::index::RebuildScale;

mod support;

/// Builds the index as the server's start-up rebuild does at these sizes (a rebuild of its own
/// writer and threads, `RebuildScale::Large`), so the segments are the ones searched in
/// production.
fn build_index(models: usize) -> SearchIndex {
    let index = SearchIndex::in_memory().expect("index");
    let started = Instant::now();
    let count = {
        let rebuild = index.begin_rebuild(RebuildScale::Large).expect("rebuild");
        let mut entries = support::entries(42, models).peekable();
        while entries.peek().is_some() {
            rebuild
                .add_all(entries.by_ref().take(1_000).collect())
                .expect("add");
        }
        rebuild.commit(0).expect("commit")
    };
    eprintln!(
        "built an index of {count} models in {:.2} s ({} segments)",
        started.elapsed().as_secs_f64(),
        index.num_segments()
    );
    index
}

fn query(pairs: &[(&str, &str)]) -> CatalogQuery {
    CatalogQuery::from_pairs(pairs.iter().copied()).expect("valid query")
}

fn search(c: &mut Criterion) {
    let cases = [
        ("a_keyword", query(&[("q", "instruct coder")])),
        (
            "b_keyword_filters_facets",
            query(&[
                ("q", "instruct"),
                ("family", "qwen2"),
                ("family", "llama"),
                ("license", "apache-2.0"),
                ("min_params", "3B"),
                ("max_params", "40B"),
            ]),
        ),
        // (b) with the fit filter on (issue 27): fits, then weights only, one list.
        (
            "h_b_with_fit",
            query(&[
                ("q", "instruct"),
                ("family", "qwen2"),
                ("family", "llama"),
                ("license", "apache-2.0"),
                ("min_params", "3B"),
                ("max_params", "40B"),
                ("fits_memory", "24GB"),
            ]),
        ),
        ("c_facets_only", query(&[])),
        ("g_qwen3_8b", query(&[("q", "qwen3 8b")])),
        (
            "f_filters_only",
            query(&[
                ("family", "llama"),
                ("license", "apache-2.0"),
                ("min_params", "3B"),
                ("max_params", "40B"),
            ]),
        ),
        (
            "d_b_unscored",
            query(&[
                ("q", "instruct"),
                ("family", "qwen2"),
                ("family", "llama"),
                ("license", "apache-2.0"),
                ("min_params", "3B"),
                ("max_params", "40B"),
                ("sort", "newest"),
            ]),
        ),
        (
            "e_b_selective_keyword",
            query(&[
                ("q", "coder"),
                ("family", "qwen2"),
                ("family", "llama"),
                ("license", "apache-2.0"),
                ("min_params", "3B"),
                ("max_params", "40B"),
            ]),
        ),
    ];
    let mut group = c.benchmark_group("search");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    // `XERO_BENCH_MODELS=1000000` measures other sizes (the 1M figures of issue 12).
    let sizes: Vec<usize> = std::env::var("XERO_BENCH_MODELS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    for size in sizes {
        let index = build_index(size);
        for (name, q) in &cases {
            let answer = index.search(q).expect("search");
            eprintln!("{name} at {size}: {} hits", answer.total);
            group.bench_with_input(BenchmarkId::new(*name, size), q, |b, q| {
                b.iter(|| index.search(q).expect("search"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
