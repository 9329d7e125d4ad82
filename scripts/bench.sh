#!/usr/bin/env bash
# The performance benchmark (issue 5), one command: prints tables and writes
# target/bench/results.json. Not a test: nothing here runs under `cargo test`.
#   1. policy evaluation alone: `cargo bench --bench policy_eval` (benches/policy_eval.rs), the
#      built-in pack over synthetic snapshots (keyward::synthetic, src/synthetic/) of 1,000 to
#      10,000 users and secrets, per rule;
#   2. live collection: `keyward scan` (release build) against moto in server mode, seeded
#      through the AWS API with accounts of the same generator (examples/synthetic_account.rs
#      prints them) at several sizes, one and twenty accounts (scripts/bench_moto.py).
# Installs moto under .tools/ like scripts/test.sh when it is missing. Loopback only.
# Usage: scripts/bench.sh [--quick]   (--quick: fewer iterations and only the smallest sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
tools="$root/.tools"
moto_version="5.2.5"

quick=()
for arg in "$@"; do
    case "$arg" in
        --quick) quick=(--quick) ;;
        *) echo "usage: scripts/bench.sh [--quick]" >&2; exit 2 ;;
    esac
done

if ! "$tools/moto/bin/python" -c "import moto, boto3; assert moto.__version__ == '$moto_version'" 2>/dev/null; then
    echo "bench.sh: installing moto[server]==$moto_version into $tools/moto" >&2
    python3 -m venv "$tools/moto"
    "$tools/moto/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi

mkdir -p target/bench
echo "bench.sh: building keyward and the synthetic account generator (release)" >&2
cargo build --release --locked --quiet --bin keyward --example synthetic_account

echo "bench.sh: policy evaluation (cargo bench --bench policy_eval)" >&2
cargo bench --locked --quiet --bench policy_eval -- "${quick[@]}" --json target/bench/policy_eval.json

echo "bench.sh: live collection against moto" >&2
"$tools/moto/bin/python" scripts/bench_moto.py "${quick[@]}" \
    --keyward target/release/keyward \
    --moto-server "$tools/moto/bin/moto_server" \
    --synthetic-account target/release/examples/synthetic_account \
    --policy-json target/bench/policy_eval.json \
    --out target/bench/results.json \
    --command "scripts/bench.sh"
