#!/usr/bin/env bash
# The whole test suite, on a fresh machine or an old one: installs what the tests need under
# .tools/ (git-ignored) when it is missing, then runs cargo's tests.
#   - moto (AWS API emulator, server mode) in a Python venv: the live-collection tests start it
#     on a free loopback port; boto3 comes with it and seeds the emulated accounts;
#   - Microsoft's SARIF Multitool and the SARIF 2.1.0 JSON schema, from the npm registry: the
#     SARIF tests validate every fixture's report with them.
#   - insta snapshots (tests/integration/snapshots/) are compared, never written: a missing or
#     changed snapshot fails the run, in CI and on a developer's machine alike. To accept
#     changed output, run with INSTA_UPDATE=always and review `git diff` (docs/testing.md).
# Usage: scripts/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
tools="$root/.tools"
moto_version="5.2.5"
multitool_version="5.7.0"

if ! "$tools/moto/bin/python" -c "import moto, boto3; assert moto.__version__ == '$moto_version'" 2>/dev/null; then
    echo "test.sh: installing moto[server]==$moto_version into $tools/moto" >&2
    python3 -m venv "$tools/moto"
    "$tools/moto/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi

multitool_dir="$tools/sarif/node_modules/@microsoft/sarif-multitool-linux"
if [ ! -f "$multitool_dir/Sarif.Multitool" ]; then
    echo "test.sh: installing @microsoft/sarif-multitool@$multitool_version into $tools/sarif" >&2
    mkdir -p "$tools/sarif"
    npm install --silent --no-audit --no-fund --prefix "$tools/sarif" "@microsoft/sarif-multitool@$multitool_version"
fi
chmod +x "$multitool_dir/Sarif.Multitool"

export KEYWARD_MOTO_SERVER="$tools/moto/bin/moto_server"
export KEYWARD_PYTHON="$tools/moto/bin/python"
export KEYWARD_SARIF_MULTITOOL="$multitool_dir/Sarif.Multitool"
export KEYWARD_SARIF_SCHEMA="$(find "$multitool_dir" -name 'sarif-2.1.0.json' -print -quit)"
# The Multitool is a .NET program: without ICU on the machine it needs invariant mode.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
# insta's default ("auto") writes .snap.new files outside CI, and a CI that does not set CI=true
# would not be recognised: "no" says it for every machine; INSTA_UPDATE=always still overrides.
export INSTA_UPDATE="${INSTA_UPDATE:-no}"
# Two cores: build with both, and let tests that start moto share them.
cargo test --locked "$@"
