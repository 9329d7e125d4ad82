#!/usr/bin/env bash
# Judges a synthetic 5,000-resource Terraform plan (benches/terraform_plan.rs) with a release
# build and prints the time of each step, with the pack's evaluation of the same account as the
# baseline. The target: converted and judged in under a second on the project's 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked --bench terraform_plan
