#!/usr/bin/env bash
# Benchmark: `kubectl zk cli --member zk-1 get /hello` against the seeds' way,
# `kubectl exec zk-1 -- zkCli.sh get /hello`, on the cluster of $KUBECONFIG (an ensemble
# named zk in the current namespace, e.g. from `testcluster up` and `kubectl zk install`).
# Prints the median wall time of each over N runs (default 15) and their ratio; the results
# go to docs/benchmarks.md by hand.
#
#   KUBECONFIG=/tmp/k/kubeconfig scripts/bench-cli.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
plugin=${KZK_PLUGIN:-target/release/kubectl-zk}
[[ -x $plugin ]] || plugin=target/debug/kubectl-zk
kubectl=${KUBECTL:-kubectl}

"$plugin" cli --member zk-0 create /hello world >/dev/null 2>&1 || true

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

plugin_ms=$(for _ in $(seq "$runs"); do time_ms "$plugin" cli --member zk-1 get /hello; done | median)
exec_ms=$(for _ in $(seq "$runs"); do time_ms "$kubectl" exec zk-1 -- zkCli.sh get /hello; done | median)
ratio=$(awk -v a="$plugin_ms" -v b="$exec_ms" 'BEGIN {printf "%.3f", a / b}')
printf 'runs: %s\nkubectl zk cli --member zk-1 get /hello: median %s ms\nkubectl exec zk-1 -- zkCli.sh get /hello: median %s ms\nratio: %s (goal: at most 0.15)\n' \
  "$runs" "$plugin_ms" "$exec_ms" "$ratio"
