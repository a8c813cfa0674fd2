#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) from a seed corpus the generator writes
# (`qi-codegen corpus`), one target at a time on one core, without sanitizers (the code has
# no unsafe of its own; ASan would slow it several times). Needs cargo-fuzz (installed when
# missing) and preferably nightly. A crash stops it with the input under fuzz/artifacts/<target>/.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(commands lines digester round_trip decode spec module)
fi
# Nightly when it is there or can be installed; else the stable toolchain, which builds the
# targets as well without a sanitizer (`-s none` passes no unstable flag).
toolchain=+nightly
if ! rustup toolchain list | grep -q '^nightly' \
    && ! rustup toolchain install nightly --profile minimal; then
    echo "fuzz: no nightly toolchain; building with $(rustc --version)" >&2
    toolchain=
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# The seeds: one valid line per form, response line and URC, written from the spec.
rm -rf target/seeds
cargo run -q --manifest-path ../Cargo.toml -p qi-codegen -- corpus ../spec -o target/seeds
cargo $toolchain fuzz build -s none -O
# `spec` is built apart: coverage of the generator only (spec-rustc.sh) and without
# trace-compares, in its own target directory (its flags differ from the other targets').
spec_build=(-s none -O --no-trace-compares --target-dir target/spec)
build_of() {
    case "$1" in
    spec) echo "${spec_build[@]}" ;;
    *) echo "-s none -O" ;;
    esac
}
user_wrapper="${RUSTC_WRAPPER:-}"
export_wrapper_of() {
    if [ "$1" = spec ]; then
        export RUSTC_WRAPPER="$PWD/spec-rustc.sh"
    elif [ -n "$user_wrapper" ]; then
        export RUSTC_WRAPPER="$user_wrapper"
    else
        unset RUSTC_WRAPPER
    fi
}
# libFuzzer options of one target. `spec`: entropic scheduling re-weighs the whole corpus by
# its features after each new input, and each of its inputs has tens of thousands (load,
# check, emit): 3.7 times the CPU time per run with it (docs/RELIABILITY.md).
options_of() {
    case "$1" in
    spec) echo "-entropic=0" ;;
    esac
}
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    cp -n target/seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
    # The inputs of crashes found and fixed stay in the corpus.
    for r in regressions/"$t"-*; do [ -e "$r" ] && cp "$r" "corpus/$t/"; done
    echo "fuzz: $t for ${seconds}s"
    rc=0
    export_wrapper_of "$t"
    # shellcheck disable=SC2046 # the options are words
    cargo $toolchain fuzz run $(build_of "$t") "$t" "corpus/$t" -- $(options_of "$t") \
        -max_total_time="$seconds" -timeout=30 -print_final_stats=1 >"target/$t.log" 2>&1 || rc=$?
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)|panicked|SUMMARY|Test unit written' \
        "target/$t.log" || true
    [ "$rc" -eq 0 ] || { echo "fuzz: $t crashed (fuzz/target/$t.log, fuzz/artifacts/$t)" >&2; exit 1; }
done
