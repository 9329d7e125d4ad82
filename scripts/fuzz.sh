#!/usr/bin/env bash
# A longer run of the fuzz targets in tests/integration/fuzz.rs (snapshots, keyward.yaml, reports read back,
# policies, Terraform plans) than `cargo test` makes: many more mutated inputs per target, from a fresh seed each
# time unless one is given. A failing input is written to target/fuzz-failures/<target>/, and
# the run prints the seed that replays it.
# Usage: scripts/fuzz.sh [INPUTS_PER_TARGET] [SEED]     (default 20000, a seed from the clock)
set -euo pipefail
cd "$(dirname "$0")/.."
inputs=${1:-20000}
seed=${2:-$(date +%s)}
echo "fuzz.sh: $inputs inputs per target from seed $seed (scripts/fuzz.sh $inputs $seed replays it)" >&2
KEYWARD_FUZZ_ITERATIONS=$inputs KEYWARD_FUZZ_SEED=$seed \
    cargo test --release --locked --test integration fuzz:: -- --nocapture
