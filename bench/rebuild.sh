#!/usr/bin/env bash
# Incremental rebuild time of quectel-qi after a one-line spec edit.
#
# Works in a scratch copy of the committed tree (never touches the checkout), builds once, then
# times `cargo build -p quectel-qi` after each of two edits, flipped before every run:
#   doc:     the title of AT+QIRD (the generated code changes: doc comments);
#   comment: a YAML comment (the build script reruns, the generated file stays the same).
# Needs hyperfine (Debian: `apt-get install hyperfine`); RUNS sets the number of runs (default 5).
# PROFILE=release times `--release` builds instead of debug ones.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
runs=${RUNS:-5}
profile=${PROFILE:-dev}
work=$(mktemp -d /tmp/qi-rebuild.XXXXXX)
trap 'rm -rf "$work"' EXIT
git -C "$root" archive HEAD | tar -xf - -C "$work"
export CARGO_TARGET_DIR="$work/target"
build="cargo build -q -p quectel-qi --profile $profile --manifest-path $work/Cargo.toml"
file="$work/spec/commands/qird.yaml"
grep -q '^title: Retrieve received data$' "$file"
echo "scratch copy: $work; first build (not timed)..." >&2
$build

flip_doc="if grep -q '^title: Retrieve received data\$' $file; then sed -i 's/^title: Retrieve received data\$/title: Retrieve the received data/' $file; else sed -i 's/^title: Retrieve the received data\$/title: Retrieve received data/' $file; fi"
flip_comment="if grep -q '^# bench edit\$' $file; then sed -i '/^# bench edit\$/d' $file; else echo '# bench edit' >> $file; fi"

hyperfine --style basic --runs "$runs" \
  --command-name "no edit (nothing to do)" --prepare true "$build" \
  --command-name "one-line doc edit (generated code changes)" --prepare "$flip_doc" "$build" \
  --command-name "one-line comment edit (generated code unchanged)" --prepare "$flip_comment" "$build"
