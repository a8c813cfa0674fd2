#!/usr/bin/env bash
# Code size and RAM on a Cortex-M4F (thumbv7em-none-eabihf; release, opt-level "s", fat LTO,
# one codegen unit, panic = abort) of the firmware variants in bench/firmware:
#   empty                the board alone (vector table, reset, serial echo): the floor;
#   full                 every command form, response line and URC of the generated API;
#   subset               eleven socket commands and their URCs, generated API, QiDigester;
#   subset-at-digester   the same with atat's default digester;
#   subset-baseline      the same eleven with atat's derive macros and default digester.
# Needs the target (`rustup target add thumbv7em-none-eabihf`) and a size tool: llvm-size
# (Debian: `apt-get install llvm`), rust-size (`rustup component add llvm-tools` and
# `cargo install cargo-binutils`) or arm-none-eabi-size (`apt-get install binutils-arm-none-eabi`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fw="$here/firmware"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/firmware/target}
out="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release"
size=""
for t in llvm-size rust-size arm-none-eabi-size; do
  if command -v "$t" >/dev/null; then size=$t; break; fi
done
[ -n "$size" ] || { echo "no size tool: see the comment at the top of $0" >&2; exit 1; }

build() { # bin features [name]
  (cd "$fw" && cargo build -q --release --bin "$1" --features "$2")
  cp "$out/$1" "$out/footprint-${3:-$1}"
}
build empty generated
build full generated
build subset generated
build subset generated,at-digester subset-at-digester
build subset-baseline baseline

printf '| variant | .text | .rodata | .data | .bss | flash | RAM |\n|---|---:|---:|---:|---:|---:|---:|\n'
for v in empty full subset subset-at-digester subset-baseline; do
  "$size" -A "$out/footprint-$v" | awk -v v="$v" '
    $1 == ".text" { t = $2 } $1 == ".rodata" { r = $2 } $1 == ".data" { d = $2 } $1 == ".bss" { b = $2 }
    $1 == ".vector_table" { vt = $2 }
    END { printf "| %s | %d | %d | %d | %d | %d | %d |\n", v, t, r, d, b, vt + t + r + d, d + b }'
done
echo "flash = .vector_table + .text + .rodata + .data; RAM = .data + .bss (static buffers included, stack not)"
echo "size tool: $size ($("$size" --version 2>&1 | grep -m1 -i version))"
