#!/usr/bin/env bash
# Builds the release archive for one platform and writes its sha256 into the krew manifest.
#
#   scripts/release.sh [--binary PATH] [--platform OS_ARCH] [--out DIR]
#                      [--manifest FILE] [--uri-base URL]
#
# Defaults: a release build for the platform (cargo build --release, with --target for another
# platform), the host's platform (e.g. linux_amd64), out = target/dist, manifest =
# plugin-manifest/zk.yaml. The archive holds kubectl-zk (or kubectl-zk.exe), LICENSE, README.md
# and completions/ — what the manifest's `files` install. Its sha256 is written into the
# manifest's entry for the platform; --uri-base also points that entry's uri at URL/<archive>.
#
# Cross builds on Debian: linux_arm64 needs `rustup target add aarch64-unknown-linux-gnu` and the
# gcc-aarch64-linux-gnu package; windows_amd64 needs `rustup target add x86_64-pc-windows-gnu` and
# gcc-mingw-w64-x86-64. darwin cannot be built here (Apple's SDK and linker); build those two
# archives on a Mac with the same script.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="" platform="" out="target/dist" manifest="plugin-manifest/zk.yaml" uri_base=""
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --platform) platform="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --manifest) manifest="$2"; shift 2 ;;
    --uri-base) uri_base="$2"; shift 2 ;;
    *) echo "release.sh: unknown option $1; see the header of this script" >&2; exit 2 ;;
  esac
done

if [[ -z "$platform" ]]; then
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  platform="${os}_${arch}"
fi
if [[ -z "$binary" ]]; then
  case "$platform" in
    linux_amd64) target=x86_64-unknown-linux-gnu ;;
    linux_arm64) target=aarch64-unknown-linux-gnu
      export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
      export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc ;;
    windows_amd64) target=x86_64-pc-windows-gnu ;;
    darwin_amd64) target=x86_64-apple-darwin ;;
    darwin_arm64) target=aarch64-apple-darwin ;;
    *) echo "release.sh: no Rust target known for platform $platform" >&2; exit 2 ;;
  esac
  cargo build --release --quiet --target "$target" --bin kubectl-zk
  binary="${CARGO_TARGET_DIR:-target}/$target/release/kubectl-zk"
  [[ "$platform" == windows_* ]] && binary="$binary.exe"
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
python3 - "$manifest" "$name" "$sha" "$uri_base" <<'PY'
import re, sys
path, name, sha, uri_base = sys.argv[1:]
text = open(path).read()
pattern = re.compile(r'(uri: )(\S*/' + re.escape(name) + r'\.(?:tar\.gz|zip))(\n\s*sha256: )"[0-9a-f]{64}"')
def write(m):
    uri = m.group(2)
    if uri_base:
        uri = uri_base.rstrip("/") + "/" + uri.rsplit("/", 1)[1]
    return m.group(1) + uri + m.group(3) + '"' + sha + '"'
new, count = pattern.subn(write, text)
if count != 1:
    sys.exit(f"release.sh: no platform with archive {name} in {path}")
open(path, "w").write(new)
PY
echo "$archive $sha"
