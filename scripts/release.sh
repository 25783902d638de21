#!/usr/bin/env bash
# Builds the release archive for one platform and writes its sha256 into the krew manifest.
#
#   scripts/release.sh [--binary PATH] [--platform OS_ARCH] [--out DIR]
#
# Defaults: the host's release build (cargo build --release), the host's platform
# (e.g. linux_amd64), out = target/dist. The archive holds kubectl-zk (or kubectl-zk.exe),
# LICENSE, README.md and completions/ — what plugin-manifest/zk.yaml's `files` install.
# Cross builds (darwin, windows, arm64) need their toolchains; run this once per platform
# on a machine that has one.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="" platform="" out="target/dist"
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --platform) platform="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "release.sh: unknown option $1; see the header of this script" >&2; exit 2 ;;
  esac
done

if [[ -z "$platform" ]]; then
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  platform="${os}_${arch}"
fi
if [[ -z "$binary" ]]; then
  cargo build --release --quiet
  binary=target/release/kubectl-zk
fi

version="v$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
bin_name=kubectl-zk
[[ "$platform" == windows_* ]] && bin_name=kubectl-zk.exe
cp "$binary" "$stage/$bin_name"
cp LICENSE README.md "$stage/"
cp -r completions "$stage/completions"
mkdir -p "$out"
name="kubectl-zk_${version}_${platform}"
if [[ "$platform" == windows_* ]]; then
  archive="$out/$name.zip"
  (cd "$stage" && zip -qr - .) > "$archive"
else
  archive="$out/$name.tar.gz"
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$archive" .
fi
sha=$(sha256sum "$archive" | cut -d' ' -f1)
python3 - "plugin-manifest/zk.yaml" "$name" "$sha" <<'PY'
import re, sys
path, name, sha = sys.argv[1:]
text = open(path).read()
pattern = re.compile(r'(uri: \S*/' + re.escape(name) + r'\.(?:tar\.gz|zip)\n\s*sha256: )"[0-9a-f]{64}"')
new, count = pattern.subn(lambda m: m.group(1) + '"' + sha + '"', text)
if count != 1:
    sys.exit(f"release.sh: no platform with archive {name} in {path}")
open(path, "w").write(new)
PY
echo "$archive $sha"
