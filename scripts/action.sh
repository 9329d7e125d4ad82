#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml), one subcommand each:
#   prepare  the binary to use: KEYWARD_BIN, else the release matching the action's ref (or the
#            version input) downloaded and checked against the release's SHA256SUMS; without a
#            release, where keyward's build goes and the names of its caches
#   install  build keyward from the action's checkout unless a binary of these sources is there
#   scan     collect once, write SARIF, JSON and the job summary, then pass or fail on fail-on
# Every value comes from the environment: GitHub's (GITHUB_*, RUNNER_*), the inputs as INPUT_*
# and earlier steps' outputs, mapped in action.yml. Each subcommand writes step outputs.
set -euo pipefail

# An error annotation on the workflow run, then the step fails like keyward on bad input.
fail() {
    echo "::error title=keyward::$1"
    exit 2
}

# A step output. A newline in a value (a path from an input) would start another output.
output() {
    [[ $2 != *$'\n'* ]] || fail "the $1 output would contain a line break"
    printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"
}

# A multi-line step output: a list of paths for actions/cache.
output_lines() {
    local name=$1 delimiter="keyward_$RANDOM$RANDOM"
    shift
    {
        printf '%s<<%s\n' "$name" "$delimiter"
        printf '%s\n' "$@"
        printf '%s\n' "$delimiter"
    } >> "$GITHUB_OUTPUT"
}

# sha256sum on Linux runners, perl's shasum on macOS runners: the same output format.
if command -v sha256sum > /dev/null; then sha256=(sha256sum); else sha256=(shasum -a 256); fi

# A hash of every file of the action's checkout: the policy pack and the demo snapshot are
# compiled into the binary, so Cargo.toml's version number alone does not name a build.
source_hash() {
    (cd "$GITHUB_ACTION_PATH" &&
        find . \( -path ./.git -o -path ./target \) -prune -o -type f -print0 |
        LC_ALL=C sort -z | xargs -0 "${sha256[@]}") | "${sha256[@]}" | cut -c1-16
}

# Compiled dependencies, kept between builds in the build cache.
target_dir=$RUNNER_TEMP/keyward-target

# The release to download: the version input, else the action's ref when it names a release
# (v1.2.3, or a moving v1 / v1.2 whose checkout's Cargo.toml says which v1.x.y it is). Empty for a
# branch or a commit: the action then builds its own checkout, whose sources no release matches.
# Sets $tag (not printed: a failure here must reach the log and end the step).
release_tag() {
    local semver='^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$' ref=${KEYWARD_ACTION_REF:-} version
    tag=''
    if [ -n "${INPUT_VERSION:-}" ]; then
        version=v${INPUT_VERSION#v}
        [[ $version =~ $semver ]] || fail "version '$INPUT_VERSION' is not a release version such as 1.2.3 or v1.2.3"
        tag=$version
    elif [[ $ref =~ $semver ]]; then
        tag=$ref
    elif [[ $ref =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
        version=v$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
        if [[ $version == "$ref".* ]]; then tag=$version; fi
    fi
}

# The release asset for this runner (the targets .github/workflows/release.yml builds).
release_target() {
    case $RUNNER_OS-$RUNNER_ARCH in
        Linux-X64) echo x86_64-unknown-linux-musl ;;
        Linux-ARM64) echo aarch64-unknown-linux-musl ;;
        macOS-X64) echo x86_64-apple-darwin ;;
        macOS-ARM64) echo aarch64-apple-darwin ;;
        Windows-X64) echo x86_64-pc-windows-msvc ;;
    esac
}

# Downloads $url to $file; prints the HTTP status (000 when no answer came).
fetch() {
    curl --silent --show-error --location --retry 3 --connect-timeout 20 \
        --output "$2" --write-out '%{http_code}' "$1" || true
}

# Downloads release $1 for target $2, checks it against the release's SHA256SUMS and unpacks it:
# sets $downloaded to the binary, or leaves it empty when the release has no asset for this
# target (then keyward is built). Anything else that goes wrong fails the step: a binary that
# cannot be checked is never run with the job's credentials.
download_release() {
    local tag=$1 target=$2 base archive dir status expected actual name
    if [ -z "${KEYWARD_RELEASE_URL:-}" ] && [ -z "${KEYWARD_ACTION_REPOSITORY:-}" ]; then
        echo "keyward: the action is not used from a repository (uses: ./...), so it has no releases; building from source"
        return
    fi
    base=${KEYWARD_RELEASE_URL:-https://github.com/$KEYWARD_ACTION_REPOSITORY/releases/download}
    name=keyward-$tag-$target
    archive=$name.tar.gz
    if [[ $target == *windows* ]]; then archive=$name.zip; fi
    dir=$RUNNER_TEMP/keyward-release-$tag-$target
    rm -rf "$dir" && mkdir -p "$dir"
    status=$(fetch "$base/$tag/$archive" "$dir/$archive")
    case $status in
        200) ;;
        404)
            echo "keyward: no release asset $base/$tag/$archive (HTTP 404); building from source instead"
            return
            ;;
        *) fail "downloading $base/$tag/$archive failed (HTTP $status); retry the job, or set the version input to another release" ;;
    esac
    status=$(fetch "$base/$tag/SHA256SUMS" "$dir/SHA256SUMS")
    [ "$status" = 200 ] ||
        fail "release $tag has no SHA256SUMS ($base/$tag/SHA256SUMS: HTTP $status): keyward was not run, since the download cannot be checked"
    expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$dir/SHA256SUMS")
    [ -n "$expected" ] || fail "the SHA256SUMS of release $tag lists no $archive: keyward was not run"
    actual=$("${sha256[@]}" "$dir/$archive" | cut -c1-64)
    [ "$actual" = "$expected" ] ||
        fail "checksum mismatch for $archive of release $tag: SHA256SUMS says $expected, the download is $actual. keyward was not run; the download may be corrupt or tampered with"
    echo "keyward: $archive of release $tag matches its SHA-256 checksum ($actual)"
    if [[ $archive == *.zip ]]; then
        if command -v unzip > /dev/null; then
            unzip -q "$dir/$archive" -d "$dir"
        else # Windows runners have 7-Zip
            7z x -y "-o$dir" "$dir/$archive" > /dev/null
        fi
        downloaded=$dir/$name/keyward.exe
    else
        tar -xzf "$dir/$archive" -C "$dir"
        downloaded=$dir/$name/keyward
    fi
    [ -x "$downloaded" ] || fail "release $tag: $archive holds no $name/$(basename "$downloaded")"
}

prepare() {
    # KEYWARD_BIN: a binary you built or downloaded (the action's tests pass cargo's).
    if [ -n "${KEYWARD_BIN:-}" ]; then
        [ -x "$KEYWARD_BIN" ] || fail "KEYWARD_BIN=$KEYWARD_BIN is not an executable file"
        output bin "$KEYWARD_BIN"
        return
    fi
    local tag target downloaded=''
    release_tag
    target=$(release_target)
    if [ -n "$tag" ] && [ -n "$target" ]; then
        download_release "$tag" "$target"
        if [ -n "$downloaded" ]; then
            output bin "$downloaded"
            output release "$tag"
            return
        fi
    elif [ -n "$tag" ]; then
        echo "keyward: release $tag has no binary for $RUNNER_OS $RUNNER_ARCH; building from source"
    fi
    local sources root platform="$RUNNER_OS-$RUNNER_ARCH" cargo_home=${CARGO_HOME:-$HOME/.cargo}
    sources=$(source_hash)
    # One install root per source version: a binary found there was built from these sources.
    root=$RUNNER_TEMP/keyward-$sources
    if [ -x "$root/bin/keyward" ]; then # an earlier use of the action in this job built it
        output bin "$root/bin/keyward"
        return
    fi
    output root "$root"
    output bin-key "keyward-bin-$platform-$sources"
    # Compiled dependencies change only with Cargo.lock.
    output build-key "keyward-build-$platform-$("${sha256[@]}" < "$GITHUB_ACTION_PATH/Cargo.lock" | cut -c1-16)"
    # What cargo downloads and compiles (the parts of CARGO_HOME the cargo book says to cache).
    output_lines build-paths "$cargo_home/registry/index" "$cargo_home/registry/cache" \
        "$cargo_home/git/db" "$target_dir"
}

install() {
    local bin=$KEYWARD_PREPARED_BIN
    if [ -z "$bin" ]; then
        bin=$KEYWARD_ROOT/bin/keyward
        if [ ! -x "$bin" ]; then # not restored from the cache
            command -v cargo > /dev/null ||
                fail "building keyward needs Rust (cargo) on the runner, or KEYWARD_BIN naming a keyward binary"
            echo "keyward: building from $GITHUB_ACTION_PATH (cached for later runs)"
            # From the action's directory, so that a rust-toolchain file of the calling
            # repository does not choose the compiler.
            (cd "$GITHUB_ACTION_PATH" &&
                CARGO_TARGET_DIR=$target_dir cargo install --locked --path . --root "$KEYWARD_ROOT")
            output built true
        fi
    fi
    output bin "$bin"
}

# Runs keyward and leaves its exit code in $status. Codes 1 (findings) and 3 (incomplete) still
# wrote their file; any other failure leaves nothing to report and ends the step with its code.
run_keyward() {
    status=0
    "$KEYWARD" "$@" || status=$?
    case $status in
        0 | 1 | 3) ;;
        *)
            output exit-code "$status"
            echo "::error title=keyward::keyward $1 failed with exit code $status (message above)"
            exit "$status"
            ;;
    esac
}

# The number of open (unwaived) findings in a JSON report.
open_findings() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["open_total"])' "$1"
}

scan() {
    # The list inputs (policies, snapshot, regions) are split on whitespace: no glob expansion.
    set -f
    local work sarif=$INPUT_OUTPUT json markdown dir file region
    work=$(mktemp -d "$RUNNER_TEMP/keyward.XXXXXX") # apart from other uses of the action
    json=$work/keyward.json
    markdown=$work/keyward.md

    # One evaluation time for the three reports, so that they agree (empty means now).
    local evaluate=(--as-of "${INPUT_AS_OF:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}")
    if [ -n "$INPUT_CONFIG" ]; then evaluate+=(--config "$INPUT_CONFIG"); fi
    # With a baseline, only new findings fail the gate; SARIF marks results new or unchanged.
    if [ -n "${INPUT_BASELINE:-}" ]; then evaluate+=(--baseline "$INPUT_BASELINE"); fi
    for dir in $INPUT_POLICIES; do evaluate+=(--policy "$dir"); done

    # A plan is judged before it is applied: alone (no AWS access needed, as in a pull request),
    # or applied to the account of the snapshot input.
    if [ -n "${INPUT_TERRAFORM_PLAN:-}" ]; then
        evaluate+=(--terraform-plan "$INPUT_TERRAFORM_PLAN" --terraform-dir "${INPUT_TERRAFORM_DIR:-.}")
    fi
    if [[ $INPUT_SNAPSHOT =~ [^[:space:]] ]]; then
        for file in $INPUT_SNAPSHOT; do evaluate+=(--snapshot "$file"); done
    elif [ -n "${INPUT_TERRAFORM_PLAN:-}" ]; then
        : # the plan alone
    else
        # Collect once: the three reports then judge the same state of the account, and the
        # snapshot can be kept as an artifact.
        local collect=(--output "$work/snapshot.json")
        for region in $INPUT_REGIONS; do collect+=(--region "$region"); done
        run_keyward snapshot "${collect[@]}"
        evaluate+=(--snapshot "$work/snapshot.json")
        output snapshot "$work/snapshot.json"
    fi

    # The gate first: a bad fail-on value stops here, before any report is written.
    run_keyward scan "${evaluate[@]}" --format json --fail-on "$INPUT_FAIL_ON" --output "$json"
    local gate=$status
    # A compliance report per framework asked for, before the other reports, so that an unknown
    # framework stops the step before any of them is written.
    local framework format compliance=''
    if [[ ${INPUT_COMPLIANCE:-} =~ [^[:space:]] ]]; then
        compliance=$work/compliance
        mkdir -p "$compliance"
        for framework in $INPUT_COMPLIANCE; do
            [[ $framework =~ ^[A-Za-z0-9._-]+$ ]] || fail "compliance: '$framework' is not a framework id"
            for format in json markdown; do
                run_keyward scan "${evaluate[@]}" --compliance "$framework" --format "$format" \
                    --fail-on none --output "$compliance/$framework.${format/markdown/md}"
            done
        done
    fi
    mkdir -p "$(dirname "$sarif")"
    # GitHub does not read SARIF suppressions: a waived finding would be an open alert.
    run_keyward scan "${evaluate[@]}" --format sarif --waived omit --fail-on none \
        --sarif-category "$INPUT_SARIF_CATEGORY" --output "$sarif"
    run_keyward scan "${evaluate[@]}" --format markdown --fail-on none --output "$markdown"
    cat "$markdown" >> "$GITHUB_STEP_SUMMARY"
    # The compliance reports follow the findings in the summary.
    for framework in $INPUT_COMPLIANCE; do
        printf '\n' >> "$GITHUB_STEP_SUMMARY"
        cat "$compliance/$framework.md" >> "$GITHUB_STEP_SUMMARY"
    done

    output sarif "$sarif"
    output json "$json"
    output markdown "$markdown"
    output open-findings "$(open_findings "$json")"
    output compliance "$compliance"
    output exit-code "$gate"

    # Only now, with every report written, does the step fail. An incomplete scan fails too
    # (a missing permission must not pass as clean) unless fail-on is none.
    local incomplete="some checks were not evaluated because their data could not be collected (see the job summary)"
    case $gate:$INPUT_FAIL_ON in
        1:*)
            echo "::error title=keyward::open findings at or above $INPUT_FAIL_ON (see the job summary)"
            exit 1
            ;;
        3:none) echo "::warning title=keyward::$incomplete" ;;
        3:*)
            echo "::error title=keyward::$incomplete"
            exit 3
            ;;
    esac
}

case ${1:-} in
    prepare | install | scan) "$1" ;;
    *)
        echo "usage: $0 prepare|install|scan" >&2
        exit 2
        ;;
esac
