#!/bin/sh
# RUSTC_WRAPPER of the `spec` target's build (run.sh): coverage of the generator only.
# The crates below are what the target tests (qi-codegen and the name casing it uses), its
# mutator and the target; every other crate is compiled without the coverage pass
# (`-sanitizer-coverage-level=0`, given after cargo-fuzz's flags, wins). The YAML parsers
# and printers, syn and proc-macro2 are run by each input but are not under test: their
# edges were most of the features libFuzzer tracked per run and their compare hooks most
# of the time (docs/RELIABILITY.md, "Throughput").
rustc="$1"
shift
name=
prev=
for a in "$@"; do
    [ "$prev" = --crate-name ] && name="$a"
    prev="$a"
done
case "$name" in
'' | ___ | qi_codegen | qi_fuzz | spec | heck) exec "$rustc" "$@" ;;
*) exec "$rustc" "$@" -Cllvm-args=-sanitizer-coverage-level=0 ;;
esac
