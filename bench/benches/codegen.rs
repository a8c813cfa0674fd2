//! Time to load, check and generate the full spec (goal: under 100 ms in all), step by step
//! and end to end through `Builder` (formatted, as `runtime/build.rs` runs it, and not).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn codegen(c: &mut Criterion) {
    let dir = spec_dir();
    let spec = qi_codegen::spec::load(&dir).expect("the spec loads");
    let model = qi_codegen::load_and_check(&dir).expect("the spec is valid");
    let out = std::env::temp_dir().join(format!("qi-bench-codegen-{}.rs", std::process::id()));

    let mut g = c.benchmark_group("codegen");
    g.sample_size(20);
    g.bench_function("load", |b| {
        b.iter(|| qi_codegen::spec::load(black_box(&dir)))
    });
    g.bench_function("check", |b| {
        b.iter(|| qi_codegen::check::check(black_box(&spec)))
    });
    g.bench_function("load_and_check", |b| {
        b.iter(|| qi_codegen::load_and_check(black_box(&dir)))
    });
    g.bench_function("generate_tokens", |b| {
        b.iter(|| qi_codegen::emit::generate(black_box(&model)))
    });
    // What a build script could write instead of formatted code: rustc does not need it.
    g.bench_function("generate_unformatted_string", |b| {
        b.iter(|| qi_codegen::emit::generate(black_box(&model)).to_string())
    });
    g.bench_function("expand_formatted", |b| {
        b.iter(|| qi_codegen::expand(black_box(&model)))
    });
    g.bench_function("builder_end_to_end", |b| {
        b.iter(|| {
            qi_codegen::Builder::new(&dir)
                .out_file(&out)
                .rerun_if_changed(false)
                .generate()
                .expect("generates")
        })
    });
    g.bench_function("builder_end_to_end_unformatted", |b| {
        b.iter(|| {
            qi_codegen::Builder::new(&dir)
                .out_file(&out)
                .rerun_if_changed(false)
                .format(false)
                .generate()
                .expect("generates")
        })
    });
    g.finish();
    let _ = std::fs::remove_file(&out);
}

criterion_group!(benches, codegen);
criterion_main!(benches);
