#!/usr/bin/env bash
# Line coverage of the hand-written runtime (runtime/src) and the virtual module (sim/src)
# with cargo-llvm-cov, from the tests of quectel-qi, qi-sim, qi-tests (the stack's end to
# end tests, field faults, load) and own-spec-example (the spec-driven digester on a spec with
# framed fields, which quectel-qi's own spec has none of). Installs cargo-llvm-cov and
# llvm-tools when missing.
# Instrumented builds go to target/llvm-cov-target (several GB; removed at the end unless
# KEEP=1). Not part of .ci/run: the instrumented build and run take longer than CI allows.
#
#   .ci/coverage.sh            # summary per file
#   QI_LOAD_SECS=5 .ci/coverage.sh   # a shorter load test (the default is 45 s)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" CARGO_INCREMENTAL=0
rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools-preview
command -v cargo-llvm-cov >/dev/null || cargo install cargo-llvm-cov --locked
cargo llvm-cov clean --workspace
cargo llvm-cov --no-report -p quectel-qi --features host
cargo llvm-cov --no-report -p qi-sim
cargo llvm-cov --no-report -p qi-tests
cargo llvm-cov --no-report -p own-spec-example
# Generated code (OUT_DIR) and the other crates are not counted.
cargo llvm-cov report --summary-only \
    --ignore-filename-regex '(/out/|codegen/|tests/|bench/|\.cargo/registry)' | tee target/coverage.txt
[ "${KEEP:-0}" = 1 ] || rm -rf target/llvm-cov-target
