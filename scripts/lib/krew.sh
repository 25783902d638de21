# Builds krew and its manifest validator from sigs.k8s.io/krew through the Go module proxy
# (tests/krew/go.mod pins the newest release the proxy serves), idempotently: the binaries go to
#   $KZK_KREW_CACHE/<hash of tests/krew/go.mod and go.sum>/   (default /var/cache/kubectl-zk/krew)
# with a COMPLETE file written last. Sourced by scripts/test.sh; tests/krew_real.rs runs
# `bash scripts/lib/krew.sh` to get the directory when the variable is not set.
# shellcheck shell=bash

krew_tools_dir() {
  local root hash
  root="${KZK_KREW_CACHE:-/var/cache/kubectl-zk/krew}"
  hash="$(cat tests/krew/go.mod tests/krew/go.sum | sha256sum | cut -c1-16)"
  printf '%s/%s\n' "$root" "$hash"
}

build_krew_tools() {
  local dir
  dir="$(krew_tools_dir)"
  if [[ -f "$dir/COMPLETE" ]]; then
    printf '%s\n' "$dir"
    return 0
  fi
  echo "==> building krew and validate-krew-manifest (sigs.k8s.io/krew, Go module proxy) into $dir" >&2
  mkdir -p "$dir"
  (cd tests/krew && GOFLAGS=-mod=readonly go build -o "$dir/" \
    sigs.k8s.io/krew/cmd/krew sigs.k8s.io/krew/cmd/validate-krew-manifest) >&2
  # kubectl finds krew as a plugin by this name.
  ln -sf krew "$dir/kubectl-krew"
  touch "$dir/COMPLETE"
  printf '%s\n' "$dir"
}

# Run as a script: build (if needed) and print the directory.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  cd "$(dirname "$0")/../.."
  build_krew_tools
fi
