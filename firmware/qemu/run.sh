#!/usr/bin/env bash
# Runs the QEMU firmware (this crate) against the virtual module: checks that the README's
# firmware example is this crate's, builds the firmware, the README example and the host tools,
# starts `qi sim --tcp` and the loopback peers, boots QEMU's mps2-an386 with UART0 on the sim's
# port, and passes when the firmware prints its success line, QEMU exits 0 and what the firmware
# measured is within budget.toml (budget.sh).
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
(cd "$root" && cargo build -q -p qi-sim --bin qi && cargo build -q -p qi-tests --example qemu_peers)
(cd "$here" && cargo build -q --release --bins)
firmware="$fw_target/thumbv7em-none-eabihf/release/qi-qemu-firmware"

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

# Both print their line after their sockets listen, so the ports accept from then on.
"$host_target/debug/qi" sim --tcp 127.0.0.1:0 >"$work/sim.out" 2>&1 &
pids+=($!)
"$host_target/debug/examples/qemu_peers" --for $((qemu_limit + 30)) >"$work/peers.out" 2>&1 &
pids+=($!)
sim_line=$(first_line "$work/sim.out" "tcp: ")
sim_port=${sim_line##*:}
peers_line=$(first_line "$work/peers.out" "peers: ")
# Every KEY=VALUE of the peers' line goes to the firmware as a semihosting argument.
read -r -a peer_args <<<"${peers_line#peers: }"
semihosting="enable=on,target=native,arg=firmware$(printf ',arg=%s' "${peer_args[@]}")"
echo "run.sh: sim on port $sim_port; $peers_line"

status=0
timeout "$qemu_limit" qemu-system-arm -M mps2-an386 -nodefaults -display none -monitor none \
  -serial "tcp:127.0.0.1:$sim_port,nodelay=on" \
  -semihosting-config "$semihosting" \
  -kernel "$firmware" >"$work/qemu.out" 2>&1 || status=$?
cat "$work/qemu.out"
if [ "$status" -eq 124 ]; then
  echo "run.sh: QEMU did not finish within $qemu_limit s" >&2
  exit 1
fi
if [ "$status" -ne 0 ] || ! grep -qx "$success" "$work/qemu.out"; then
  echo "run.sh: the firmware failed (QEMU exit status $status)" >&2
  exit 1
fi
# RAM and flash against budget.toml: the ELF's statics and what the firmware measured.
"$here/budget.sh" "$firmware" "$work/qemu.out"
echo "run.sh: passed"
