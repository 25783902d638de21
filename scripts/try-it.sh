#!/usr/bin/env bash
# Try kubectl-zk without a cluster: builds the plugin and the bundled test cluster, starts a
# 4-node test cluster, runs `kubectl zk install` and `kubectl zk status` against it, then keeps
# the cluster up until Ctrl-C and tells you the KUBECONFIG to use meanwhile.
#
#   sudo bash scripts/try-it.sh [--fast]
#
# The test cluster is a stand-in for development and demos: an API server of this project
# whose pods are real processes running the ZooKeeper release their image names (see
# tests/testcluster/README.md for what it models and what it does not). It needs root
# (network namespaces) and a Debian machine. With a real cluster, skip this script: install
# the plugin (cargo install --path .) and run `kubectl zk install` with your kubeconfig.
set -euo pipefail
cd "$(dirname "$0")/.."

fast=()
[[ "${1:-}" == "--fast" ]] && fast=(--fast)
if [[ $(id -u) -ne 0 ]]; then
  echo "try-it.sh: the test cluster needs root (network namespaces); run it with sudo" >&2
  exit 2
fi
# shellcheck source=scripts/lib/deps.sh
source scripts/lib/deps.sh
install_debian_packages
# shellcheck source=scripts/lib/zookeeper.sh
source scripts/lib/zookeeper.sh
fetch_zookeeper_releases

echo "==> building kubectl-zk and the test cluster" >&2
cargo build --release --quiet -p kubectl-zk -p testcluster
bin="$PWD/target/release"

state=$(mktemp -d /tmp/kubectl-zk-try.XXXXXX)
kubeconfig="$state/kubeconfig"
plugin_dir="$state/bin"
mkdir -p "$plugin_dir"
ln -s "$bin/kubectl-zk" "$plugin_dir/kubectl-zk"
ln -s "$PWD/completions/kubectl_complete-zk" "$plugin_dir/kubectl_complete-zk"

echo "==> starting a 4-node test cluster" >&2
"$bin/testcluster" up --nodes 4 --kubeconfig "$kubeconfig" --state-dir "$state/cluster" "${fast[@]}" \
  > "$state/ready" 2> "$state/testcluster.log" &
cluster=$!
stop() {
  echo "==> stopping the test cluster" >&2
  kill -TERM "$cluster" 2>/dev/null || true
  wait "$cluster" 2>/dev/null || true
  rm -rf "$state"
}
trap stop EXIT
trap 'exit 0' INT TERM
for _ in $(seq 1 600); do
  grep -qx "testcluster ready" "$state/ready" 2>/dev/null && break
  kill -0 "$cluster" 2>/dev/null || { cat "$state/testcluster.log" >&2; exit 1; }
  sleep 0.1
done
grep -qx "testcluster ready" "$state/ready" || { echo "the test cluster did not start" >&2; exit 1; }

export KUBECONFIG="$kubeconfig" PATH="$plugin_dir:$PATH"
kubectl_bin=$(command -v kubectl || true)
if [[ -n "$kubectl_bin" ]]; then
  "$kubectl_bin" zk install
  "$kubectl_bin" zk status
else
  kubectl-zk install
  kubectl-zk status
fi
cat <<MSG

The test cluster keeps running until you press Ctrl-C. In another shell:

  export KUBECONFIG=$kubeconfig PATH=$plugin_dir:\$PATH
  kubectl get pods -o wide
  kubectl zk status -o wide
  kubectl zk leader --watch

MSG
wait "$cluster"
