#!/usr/bin/env bash
# Runs the QEMU firmware (this crate) against the virtual module: checks that the README's
# firmware example is this crate's, builds the firmware, the README example and the host tools,
# starts the loopback peers and, for each of the two builds of the firmware (the shipped one,
# without the measuring harness, and the measured one), `qi sim --tcp` and QEMU's mps2-an386
# with UART0 on the sim's port; passes when both print their success line, QEMU exits 0 and
# what they measured is within budget.toml (budget.sh). Then the same for `tcp_only`, the
# TCP path alone (context, connect, send, read back), whose flash budget.sh also checks.
# Needs qemu-system-arm (Debian: apt-get install qemu-system-arm) and the thumbv7em-none-eabihf
# target (rustup target add thumbv7em-none-eabihf).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
success="firmware: all flows passed"
# The firmware bounds its own run (60 s); this bounds QEMU if the firmware hangs before that.
qemu_limit=${QEMU_TIMEOUT:-120}

# The README shows src/bin/readme/main.rs as it is, and the dependencies of this Cargo.toml
# (quectel-qi from crates.io instead of the path).
readme_block() { # the fenced block after the line "<!-- $1 -->" in the README
  awk -v marker="<!-- $1 -->" '$0 == marker { on = 1; next }
    on == 1 && /^```/ { on = 2; next } on == 2 && /^```/ { exit } on == 2 { print }' "$root/README.md"
}
if ! readme_block "firmware/qemu/src/bin/readme/main.rs" | diff -u - "$here/src/bin/readme/main.rs"; then
  echo "run.sh: the README's firmware program differs from src/bin/readme/main.rs (above)" >&2
  exit 1
fi
deps=$(readme_block "firmware/qemu/Cargo.toml" | awk '/^\[/ { on = ($0 == "[dependencies]"); next } on && NF && !/^#/')
[ -n "$deps" ] || { echo "run.sh: no firmware Cargo.toml in the README" >&2; exit 1; }
while IFS= read -r line; do
  case "$line" in quectel-qi\ =*) continue ;; esac
  grep -qxF "$line" "$here/Cargo.toml" \
    || { echo "run.sh: the README's firmware dependency '$line' is not in Cargo.toml" >&2; exit 1; }
done <<<"$deps"

host_target=${CARGO_TARGET_DIR:-$root/target}
fw_target=${CARGO_TARGET_DIR:-$here/target}
release="$fw_target/thumbv7em-none-eabihf/release"
(cd "$root" && cargo build -q -p qi-sim --bin qi && cargo build -q -p qi-tests --example qemu_peers)
# The shipped firmware (the same flows without the measuring harness: the `flash` budget)
# first, kept beside the measured one, which the second build puts in its place.
(cd "$here" && cargo build -q --release --no-default-features --bin qi-qemu-firmware)
cp "$release/qi-qemu-firmware" "$release/qi-qemu-firmware-shipped"
(cd "$here" && cargo build -q --release --bins)
firmware="$release/qi-qemu-firmware"
shipped="$release/qi-qemu-firmware-shipped"
tcp_only="$release/tcp_only"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (10 s at most) for a line starting with $2 in file $1, and prints it.
first_line() {
  local line
  for _ in $(seq 200); do
    line=$(grep -m1 "^$2" "$1" || true)
    if [ -n "$line" ]; then echo "$line"; return 0; fi
    sleep 0.05
  done
  echo "run.sh: no '$2' line from ${1##*/}" >&2
  cat "$1" >&2
  return 1
}

# The peers serve both runs; each prints its line after its sockets listen, so the ports
# accept from then on.
"$host_target/debug/examples/qemu_peers" --for $((2 * qemu_limit + 60)) >"$work/peers.out" 2>&1 &
pids+=($!)
peers_line=$(first_line "$work/peers.out" "peers: ")
# Every KEY=VALUE of the peers' line goes to the firmware as a semihosting argument.
read -r -a peer_args <<<"${peers_line#peers: }"
semihosting="enable=on,target=native,arg=firmware$(printf ',arg=%s' "${peer_args[@]}")"

# Runs firmware $1 in QEMU against a sim of its own (a fresh module), its output in $2; fails
# unless it prints the success line and QEMU exits 0.
run_firmware() {
  local elf=$1 out=$2 sim_out sim_line sim_port status=0
  sim_out="$out.sim"
  "$host_target/debug/qi" sim --tcp 127.0.0.1:0 >"$sim_out" 2>&1 &
  local sim=$!
  pids+=("$sim")
  sim_line=$(first_line "$sim_out" "tcp: ")
  sim_port=${sim_line##*:}
  echo "run.sh: ${elf##*/}: sim on port $sim_port; $peers_line"
  timeout "$qemu_limit" qemu-system-arm -M mps2-an386 -nodefaults -display none -monitor none \
    -serial "tcp:127.0.0.1:$sim_port,nodelay=on" \
    -semihosting-config "$semihosting" \
    -kernel "$elf" >"$out" 2>&1 || status=$?
  kill "$sim" 2>/dev/null || true
  wait "$sim" 2>/dev/null || true
  cat "$out"
  if [ "$status" -eq 124 ]; then
    echo "run.sh: ${elf##*/}: QEMU did not finish within $qemu_limit s" >&2
    return 1
  fi
  if [ "$status" -ne 0 ] || ! grep -qx "$success" "$out"; then
    echo "run.sh: ${elf##*/}: the firmware failed (QEMU exit status $status)" >&2
    return 1
  fi
}

run_firmware "$shipped" "$work/shipped.out"
run_firmware "$firmware" "$work/qemu.out"
run_firmware "$tcp_only" "$work/tcp_only.out"
# RAM and flash against budget.toml: the ELFs' statics and what the firmwares measured.
"$here/budget.sh" "$firmware" "$work/qemu.out" "$shipped" "$work/shipped.out" "$tcp_only"
echo "run.sh: passed"
