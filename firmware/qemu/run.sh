#!/usr/bin/env bash
# Runs the QEMU firmware (this crate) against the virtual module: builds the firmware and the
# host tools, starts `qi sim --tcp` and the loopback peers, boots QEMU's mps2-an386 with UART0 on
# the sim's port, and passes when the firmware prints its success line and QEMU exits 0.
# Needs qemu-system-arm (Debian: apt-get install qemu-system-arm) and the thumbv7em-none-eabihf
# target (rustup target add thumbv7em-none-eabihf).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
success="firmware: all flows passed"
# The firmware bounds its own run (60 s); this bounds QEMU if the firmware hangs before that.
qemu_limit=${QEMU_TIMEOUT:-120}

host_target=${CARGO_TARGET_DIR:-$root/target}
fw_target=${CARGO_TARGET_DIR:-$here/target}
(cd "$root" && cargo build -q -p qi-sim --bin qi && cargo build -q -p qi-tests --example qemu_peers)
(cd "$here" && cargo build -q --release)
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
read -r echo_arg http_arg udp_arg <<<"${peers_line#peers: }"
echo "run.sh: sim on port $sim_port; $peers_line"

status=0
timeout "$qemu_limit" qemu-system-arm -M mps2-an386 -nodefaults -display none -monitor none \
  -serial "tcp:127.0.0.1:$sim_port,nodelay=on" \
  -semihosting-config "enable=on,target=native,arg=firmware,arg=$echo_arg,arg=$http_arg,arg=$udp_arg" \
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
echo "run.sh: passed"
