#!/usr/bin/env bash
# Memory on big snapshots (issue 14, item 8): `keyward scan --snapshot` of synthetic accounts
# (keyward::synthetic through examples/synthetic_account.rs) from 50,000 to 334,000 users, peak
# resident memory (GNU time's maximum RSS) against the snapshot file's size, in one run. The
# target: peak memory under 4 times the snapshot's size. Not a test: it prints figures.
#
# Usage: scripts/bench_memory.sh [--quick] [--sizes I,J] [--repeat N] [--baseline BIN] [--formats json,sarif,...]
#   --quick      only the smallest size
#   --sizes      comma-separated indexes into the size list below (0-based), e.g. 0,2
#   --repeat     run each scan N times (default 3): peak and wall are the median, with the minimum
#                beside (the machine may be shared; the peak RSS varies little, the wall time does)
#   --baseline   another keyward binary (e.g. an older build) measured on the same files, same run
#   --formats    report formats to measure (default json,table: the JSON report holds every
#                finding, the table is the default output)
# Writes target/bench/memory.json beside the table. Snapshots are generated into
# target/bench/memory/ (about 450 MB at full size) and kept for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
only=""
repeat=3
baseline=""
formats="json,table"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --sizes) only="$2"; shift ;;
        --repeat) repeat="$2"; shift ;;
        --baseline) baseline="$2"; shift ;;
        --formats) formats="$2"; shift ;;
        *) echo "usage: scripts/bench_memory.sh [--quick] [--sizes I,J] [--repeat N] [--baseline BIN] [--formats F,...]" >&2; exit 2 ;;
    esac
    shift
done
if [ ! -x /usr/bin/time ]; then
    echo "bench_memory.sh: needs GNU time (/usr/bin/time) for the peak RSS" >&2
    exit 2
fi

# users secrets profile: 334,000 users alone is a snapshot of about 220 MB, the size of the
# one that peaked at 28 times its size.
sizes=("50000 0 finding-heavy" "100000 20000 mostly-compliant" "334000 0 finding-heavy")
[ "$quick" = 1 ] && sizes=("${sizes[@]:0:1}")
if [ -n "$only" ]; then
    chosen=()
    for i in ${only//,/ }; do chosen+=("${sizes[$i]}"); done
    sizes=("${chosen[@]}")
fi

echo "bench_memory.sh: building keyward and the synthetic account generator (release)" >&2
cargo build --release --locked --quiet --bin keyward --example synthetic_account
dir=target/bench/memory
mkdir -p "$dir"

binaries=("target/release/keyward")
[ -n "$baseline" ] && binaries+=("$baseline")

# The median and the minimum of a list of numbers.
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
minimum() { tr ' ' '\n' | sort -g | head -1; }

# keyward's fixed share: the peak of a scan of the smallest fixture (a handful of users), which is
# the binary, the compiled built-in pack and the runtime, whatever the snapshot's size.
for binary in target/release/keyward ${baseline:+"$baseline"}; do
    peaks=""
    for _ in $(seq "$repeat"); do
        /usr/bin/time -f "%M" -o "$dir/time.txt" "$binary" scan --snapshot fixtures/clean.json \
            --format json -o "$dir/report.json" --fail-on none --as-of snapshot 2>/dev/null
        peaks="$peaks $(cat "$dir/time.txt")"
    done
    echo "fixed share ($binary, fixtures/clean.json): peak RSS median $(echo $peaks | median | awk '{ printf "%.1f", $1 / 1024 }') MB, min $(echo $peaks | minimum | awk '{ printf "%.1f", $1 / 1024 }') MB"
done

rows=()
printf '%-9s %-9s %-17s %-8s %-34s %10s %19s %13s %16s\n' users secrets profile format binary "snapshot" "peak RSS med (min)" "ratio med" "wall s med (min)"
for size in "${sizes[@]}"; do
    read -r users secrets profile <<<"$size"
    snapshot="$dir/synthetic-$users-$secrets-$profile.json"
    if [ ! -s "$snapshot" ]; then
        target/release/examples/synthetic_account --users "$users" --secrets "$secrets" \
            --profile "$profile" >"$snapshot.tmp"
        mv "$snapshot.tmp" "$snapshot"
    fi
    bytes=$(stat -c %s "$snapshot")
    for format in ${formats//,/ }; do
        for binary in "${binaries[@]}"; do
            out="$dir/report.$format"
            peaks=""
            walls=""
            for _ in $(seq "$repeat"); do
                # GNU time: %M is the maximum RSS in KB, %e the wall time. --as-of snapshot keeps
                # the findings the same from one day to the next.
                /usr/bin/time -f "%M %e" -o "$dir/time.txt" "$binary" scan --snapshot "$snapshot" \
                    --format "$format" -o "$out" --fail-on none --as-of snapshot 2>"$dir/stderr.txt" || {
                    echo "bench_memory.sh: $binary failed:" >&2; cat "$dir/stderr.txt" >&2; exit 1; }
                read -r rss_kb wall <"$dir/time.txt"
                peaks="$peaks $rss_kb"
                walls="$walls $wall"
            done
            rss_kb=$(echo $peaks | median)
            rss_min=$(echo $peaks | minimum)
            wall=$(echo $walls | median)
            wall_min=$(echo $walls | minimum)
            ratio=$(awk -v r="$rss_kb" -v b="$bytes" 'BEGIN { printf "%.2f", r * 1024 / b }')
            printf '%-9s %-9s %-17s %-8s %-34s %8.1f MB %8.0f (%4.0f) MB %12sx %9s (%s)\n' "$users" "$secrets" "$profile" \
                "$format" "$binary" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" \
                "$(awk -v r="$rss_kb" 'BEGIN { print r / 1024 }')" "$(awk -v r="$rss_min" 'BEGIN { print r / 1024 }')" \
                "$ratio" "$wall" "$wall_min"
            rows+=("{\"users\": $users, \"secrets\": $secrets, \"profile\": \"$profile\", \"format\": \"$format\", \"binary\": \"$binary\", \"snapshot_bytes\": $bytes, \"peak_rss_kb\": $rss_kb, \"peak_rss_kb_min\": $rss_min, \"peak_rss_kb_runs\": [$(echo $peaks | tr ' ' ',')], \"ratio\": $ratio, \"wall_s\": $wall, \"wall_s_min\": $wall_min, \"wall_s_runs\": [$(echo $walls | tr ' ' ',')]}")
        done
    done
done
rm -f "$dir"/report.* "$dir/time.txt" "$dir/stderr.txt"
{
    echo "{\"benchmark\": \"memory\", \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"load_average\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"runs\": ["
    (IFS=','; echo "${rows[*]}")
    echo "]}"
} >target/bench/memory.json
echo "(peak RSS: GNU time's maximum resident set size of keyward; ratio: peak RSS / snapshot file size; target under 4x)"
echo "results: target/bench/memory.json"
