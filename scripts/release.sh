#!/usr/bin/env bash
# Packaging of a release, as .github/workflows/release.yml runs it and as the Action's tests use
# it to stand up a release host of their own (so that what is published and what the Action
# downloads cannot drift apart):
#   package TAG TARGET BINARY OUTDIR  writes OUTDIR/keyward-TAG-TARGET.tar.gz (.zip for Windows
#                                     targets) holding keyward-TAG-TARGET/keyward[.exe] and README.md
#   checksums DIR                     writes DIR/SHA256SUMS, the SHA-256 of every archive in DIR,
#                                     in sha256sum's format (what the Action checks downloads against)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

if command -v sha256sum > /dev/null; then sha256=(sha256sum); else sha256=(shasum -a 256); fi

package() {
    local tag=$1 target=$2 binary=$3 out=$4 name exe='' work
    [[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "not a release tag: $tag" >&2; exit 2; }
    name=keyward-$tag-$target
    if [[ $target == *windows* ]]; then exe=.exe; fi
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    work=$(mktemp -d)
    mkdir "$work/$name"
    cp "$binary" "$work/$name/keyward$exe"
    chmod 755 "$work/$name/keyward$exe"
    cp "$root/README.md" "$work/$name/"
    if [ -n "$exe" ]; then
        rm -f "$out/$name.zip"
        if command -v zip > /dev/null; then
            (cd "$work" && zip -qr "$out/$name.zip" "$name")
        else # Windows runners have 7-Zip, not zip
            (cd "$work" && 7z a -tzip "$out/$name.zip" "$name" > /dev/null)
        fi
    else
        tar -czf "$out/$name.tar.gz" -C "$work" "$name"
    fi
    rm -rf "$work"
}

checksums() {
    local dir=$1
    (cd "$dir" && "${sha256[@]}" keyward-*.tar.gz keyward-*.zip 2> /dev/null > SHA256SUMS.tmp || true)
    [ -s "$dir/SHA256SUMS.tmp" ] || { echo "no release archives in $dir" >&2; exit 2; }
    mv "$dir/SHA256SUMS.tmp" "$dir/SHA256SUMS"
}

case ${1:-} in
    package) [ $# -eq 5 ] && package "$2" "$3" "$4" "$5" ;;
    checksums) [ $# -eq 2 ] && checksums "$2" ;;
    *)
        echo "usage: $0 package TAG TARGET BINARY OUTDIR | checksums DIR" >&2
        exit 2
        ;;
esac
