#!/usr/bin/env bash
# The RAM and flash budget of the QEMU firmware: measures the ELFs (`llvm-size -A`,
# `llvm-nm -S --size-sort`) and what the firmwares printed in QEMU (the stack's high-water mark,
# the stack each public call used, the size of every future awaited), prints the measurements,
# and compares them with the [budget] of budget.toml beside this script (and, for information,
# its [goal]s). Fails when a measurement exceeds its budget or is missing. FIRMWARE is the
# measured build (every key but `flash`, `ram_shipped`); SHIPPED the same flows without the
# measuring harness (`flash`, and its static RAM plus its peak stack, `ram_shipped`, held to
# the `ram` budget); TCP_ONLY_ELF the firmware of the TCP path alone (`flash_tcp_only`).
#
#   budget.sh FIRMWARE_ELF QEMU_OUTPUT SHIPPED_ELF SHIPPED_OUTPUT TCP_ONLY_ELF [BUDGET_TOML]
#
# run.sh calls it after a passing run. Needs llvm-nm and llvm-size: rustup's llvm-tools
# component (installed when missing) or the system's (Debian: llvm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 5 ] || {
  echo "usage: budget.sh FIRMWARE_ELF QEMU_OUTPUT SHIPPED_ELF SHIPPED_OUTPUT TCP_ONLY_ELF [BUDGET_TOML]" >&2
  exit 2
}
elf=$1
output=$2
shipped_elf=$3
shipped_output=$4
tcp_only_elf=$5
budget=${6:-$here/budget.toml}

# The LLVM tools of the toolchain that built the firmware, else the system's.
llvm_tool() {
  local sysroot host
  sysroot=$(cd "$here" && rustc --print sysroot)
  host=$(rustc -vV | awk '/^host:/ { print $2 }')
  if [ ! -x "$sysroot/lib/rustlib/$host/bin/$1" ] && ! command -v "$1" >/dev/null; then
    (cd "$here" && rustup component add llvm-tools >&2) || true
  fi
  if [ -x "$sysroot/lib/rustlib/$host/bin/$1" ]; then
    echo "$sysroot/lib/rustlib/$host/bin/$1"
  elif command -v "$1" >/dev/null; then
    command -v "$1"
  else
    echo "budget.sh: no $1 (rustup component add llvm-tools, or apt-get install llvm)" >&2
    return 1
  fi
}
nm=$(llvm_tool llvm-nm)
size=$(llvm_tool llvm-size)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$size" -A "$elf" >"$work/sections"
"$size" -A "$shipped_elf" | sed 's/^/shipped/' >"$work/shipped_sections"
"$size" -A "$tcp_only_elf" | sed 's/^/tcp_only/' >>"$work/shipped_sections"
# Statics: every symbol in .data or .bss, demangled, with its size (decimal), smallest first.
"$nm" -S --size-sort -C --radix=d "$elf" | awk 'NF >= 4 && $3 ~ /^[bBdD]$/' >"$work/symbols"

# quectel-qi's statics: its own symbols and the cells the firmware keeps its types in (the
# stack's resources and the stack). Task storage: embassy-executor's POOL of each task. The
# application's buffers: the firmware's statics named APP_BUF (the flows' HTTP and TCP buffer).
awk '
function section(name) { return (name in section_size) ? section_size[name] : 0 }
function group(name) {
  if (name ~ /::POOL$/) return "task"
  if (name ~ /^qi_qemu_firmware::.*APP_BUF$/) return "app"
  if (name ~ /quectel_qi::/ || name == "qi_qemu_firmware::RESOURCES" || name == "qi_qemu_firmware::STACK") return "qi"
  return "other"
}
function cell(n) { return sprintf("%10s", commas(n)) }
function commas(n,   s) {
  s = sprintf("%d", n)
  while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
  return s
}
# The demangled name without its hash (`::h` and 16 hex digits).
function symbol(line,   name, hash, i) {
  hash = "::h"; for (i = 0; i < 16; i++) hash = hash "[0-9a-f]"
  name = line; sub(/^[^ ]+ +[^ ]+ +[^ ]+ +/, "", name); sub(hash, "", name)
  return name
}
# Budget file: [section] headers and key = number lines (TOML subset; _ in numbers allowed).
FILENAME == budget_file {
  line = $0; sub(/#.*/, "", line)
  if (line ~ /^[ \t]*\[[a-z_]+\][ \t]*$/) { gsub(/[][ \t]/, "", line); part = line; next }
  if (line ~ /=/) {
    split(line, kv, "="); key = kv[1]; value = kv[2]
    gsub(/[ \t]/, "", key); gsub(/[ \t_]/, "", value)
    if (value !~ /^[0-9]+$/) { printf "budget.sh: %s: not a number: %s\n", key, kv[2] > "/dev/stderr"; bad = 1 }
    if (part == "budget") limit[key] = value + 0
    else if (part == "goal") goal[key] = value + 0
  }
  next
}
FILENAME == sections_file { if (NF >= 2 && $2 ~ /^[0-9]+$/) section_size[$1] = $2 + 0; next }
FILENAME == shipped_sections_file { if (NF >= 2 && $2 ~ /^[0-9]+$/) section_size[$1] = $2 + 0; next }
FILENAME == shipped_output {
  if ($0 ~ /^firmware: stack used [0-9]+ of [0-9]+ bytes$/) shipped_stack = $4 + 0
  next
}
FILENAME == symbols_file { lines[++nsym] = $0; next }
# QEMU output: the firmware'"'"'s measurements.
/^firmware: stack used [0-9]+ of [0-9]+ bytes$/ { measured["peak_stack"] = $4 + 0; next }
/^firmware: flow .+ stack [0-9]+ from [0-9]+$/ {
  flow = $0; sub(/^firmware: flow /, "", flow); sub(/ stack [0-9]+ from [0-9]+$/, "", flow)
  flows[++nflows] = flow; flow_stack[flow] = $(NF - 2) + 0; flow_base[flow] = $NF + 0
  next
}
/^firmware: call [^ ]+ stack [0-9]+$/ {
  calls[++ncalls] = $3; call_stack[$3] = $5 + 0
  if ($5 + 0 > deepest_call) { deepest_call = $5 + 0; deepest_call_name = $3 }
  next
}
/^firmware: future [^ ]+ [0-9]+$/ {
  futures[++nfutures] = $3; future_size[$3] = $4 + 0
  if ($4 + 0 > largest) { largest = $4 + 0; largest_name = $3 }
  next
}
END {
  for (i = 1; i <= nsym; i++) {
    split(lines[i], f, " ")
    name = symbol(lines[i])
    bytes = f[2] + 0
    sum[group(name)] += bytes
  }
  flash = section(".vector_table") + section(".text") + section(".rodata") + section(".data")
  static_ram = section(".data") + section(".bss") + section(".uninit")
  measured["flash_measured"] = flash
  measured["flash"] = section("shipped.vector_table") + section("shipped.text") \
    + section("shipped.rodata") + section("shipped.data")
  measured["flash_tcp_only"] = section("tcp_only.vector_table") + section("tcp_only.text") \
    + section("tcp_only.rodata") + section("tcp_only.data")
  shipped_static = section("shipped.data") + section("shipped.bss") + section("shipped.uninit")
  if (shipped_stack > 0) measured["ram_shipped"] = shipped_static + shipped_stack
  limit["ram_shipped"] = limit["ram"]
  if ("ram" in goal) goal["ram_shipped"] = goal["ram"]
  measured["static"] = static_ram
  measured["qi_static"] = sum["qi"]
  measured["tasks"] = sum["task"]
  measured["app_static"] = sum["app"] + 0
  if ("peak_stack" in measured) measured["ram"] = static_ram + measured["peak_stack"]
  if (nfutures > 0) measured["largest_future"] = largest
  if (ncalls > 0) measured["largest_call_stack"] = deepest_call

  print "budget: static RAM by symbol (largest first; quectel-qi, task, app, other):"
  shown = 0
  for (i = nsym; i >= 1 && shown < 16; i--) {
    split(lines[i], f, " ")
    if (f[2] + 0 == 0) continue
    name = symbol(lines[i])
    printf "  %s  %-5s  %s\n", cell(f[2]), group(name), name
    shown++
  }
  printf "  %s  quectel-qi, %s tasks, %s application buffers, %s other, of %s static (.data + .bss)\n", \
    commas(sum["qi"]), commas(sum["task"]), commas(sum["app"]), commas(sum["other"]), commas(static_ram)
  print "budget: task storage (embassy-executor POOL per task):"
  for (i = nsym; i >= 1; i--) {
    split(lines[i], f, " ")
    name = symbol(lines[i])
    if (group(name) == "task") printf "  %s  %s\n", cell(f[2]), name
  }
  print "budget: peak stack per flow (depth from the stack'"'"'s top; the flow starts at `base`):"
  printf "  %10s  %10s  %10s  %s\n", "peak", "base", "peak-base", "flow"
  for (i = 1; i <= nflows; i++) {
    f1 = flows[i]
    printf "  %s  %s  %s  %s\n", cell(flow_stack[f1]), cell(flow_base[f1]), cell(flow_stack[f1] - flow_base[f1]), f1
  }
  print "budget: stack per call (the deepest of its polls, below the point it is polled from):"
  for (i = 1; i <= ncalls; i++) printf "  %s  %s\n", cell(call_stack[calls[i]]), calls[i]
  print "budget: futures (size_of_val on thumbv7em):"
  for (i = 1; i <= nfutures; i++) printf "  %s  %s\n", cell(future_size[futures[i]]), futures[i]

  printf "budget: the shipped build: flash %s (.text %s, .rodata %s), static %s, peak stack %s\n", \
    commas(measured["flash"]), commas(section("shipped.text")), commas(section("shipped.rodata")), \
    commas(shipped_static), commas(shipped_stack)
  printf "budget: the TCP path alone (tcp_only): flash %s (.text %s, .rodata %s)\n", \
    commas(measured["flash_tcp_only"]), commas(section("tcp_only.text")), commas(section("tcp_only.rodata"))
  n = split("qi_static static tasks app_static peak_stack ram ram_shipped flash flash_measured flash_tcp_only largest_future largest_call_stack", keys, " ")
  print "budget: measured vs budget (bytes):"
  printf "  %-18s %10s %10s %6s %10s %s\n", "", "measured", "budget", "", "goal", ""
  for (i = 1; i <= n; i++) {
    k = keys[i]
    if (!(k in limit)) { printf "budget.sh: no budget for %s in %s\n", k, budget_file > "/dev/stderr"; bad = 1; continue }
    if (!(k in measured)) { printf "budget.sh: nothing measured for %s (did the firmware print it?)\n", k > "/dev/stderr"; bad = 1; continue }
    verdict = measured[k] <= limit[k] ? "ok" : "OVER"
    if (verdict == "OVER") bad = 1
    goal_text = (k in goal) ? cell(goal[k]) : sprintf("%10s", "-")
    met = (k in goal) ? (measured[k] <= goal[k] ? "goal met" : "goal not met") : ""
    printf "  %-18s %s %s %6s %s %s\n", k, cell(measured[k]), cell(limit[k]), verdict, goal_text, met
  }
  if (nfutures > 0) printf "  (largest future: %s)\n", largest_name
  if (ncalls > 0) printf "  (deepest call: %s)\n", deepest_call_name
  if (bad) { print "budget: FAILED"; exit 1 }
  print "budget: within budget"
}
' budget_file="$budget" sections_file="$work/sections" symbols_file="$work/symbols" \
  shipped_sections_file="$work/shipped_sections" shipped_output="$shipped_output" \
  "$budget" "$work/sections" "$work/symbols" "$output" "$work/shipped_sections" "$shipped_output"
