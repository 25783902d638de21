#!/usr/bin/env bash
# Benchmark (not a timed test): backup and restore of a ~100 MB ZooKeeper database on the test
# cluster, with the plugin's wall time and peak memory (GNU time's maximum resident set size).
# Writes nothing but its own temporary directory; prints one Markdown table row per step.
#
#   sudo bash scripts/bench-backup.sh [SIZE_MB] [PROFILE]     # defaults: 100, debug
#
# PROFILE is the cargo profile the binaries were built with (target/<profile>/…); it builds
# nothing itself. Needs root (the test cluster), the test virtualenv's Python with kazoo
# (KZK_PYTHON, default .venv/bin/python) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=${1:-100}
profile=${2:-debug}
bin="$PWD/target/$profile"
python=${KZK_PYTHON:-$PWD/.venv/bin/python}
work=$(mktemp -d /tmp/kzk-bench.XXXXXX)
kubeconfig="$work/kubeconfig"
export KUBECONFIG="$kubeconfig"

"$bin/testcluster" up --fast --nodes 4 --kubeconfig "$kubeconfig" --state-dir "$work/state" \
  > "$work/cluster.out" 2> "$work/cluster.err" &
cluster=$!
trap 'kill -TERM $cluster 2>/dev/null; wait $cluster 2>/dev/null || true' EXIT
until grep -q "testcluster ready" "$work/cluster.out" 2>/dev/null; do
  kill -0 $cluster 2>/dev/null || { cat "$work/cluster.err" >&2; exit 2; }
  sleep 0.5
done

"$bin/kubectl-zk" install --timeout 180s --heap 1G --memory 2Gi > /dev/null 2>&1
kubectl=$(dirname "$(readlink -f "$(command -v kubectl)")")/kubectl.1.33
[[ -x "$kubectl" ]] || kubectl=kubectl
ip=$("$kubectl" get pod zk-0 -o jsonpath='{.status.podIP}')

# SIZE_MB of data in 100 KiB znodes, each with distinct content.
started=$(date +%s.%N)
"$python" - "$ip:2181" "$size_mb" <<'PY'
import sys
from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError
from kazoo.retry import KazooRetry
retry = KazooRetry(max_tries=-1, delay=0.2, max_delay=2)
zk = KazooClient(hosts=sys.argv[1], timeout=30, connection_retry=retry, command_retry=retry)
zk.start(timeout=60)
zk.ensure_path("/bench")
n = int(sys.argv[2]) * 10
for i in range(n):
    try:
        zk.retry(zk.create, "/bench/n%06d" % i, (b"%08d" % i) * (100 * 1024 // 8))
    except NodeExistsError:
        pass
zk.stop()
PY
echo "wrote ${size_mb} MB in $(echo "$(date +%s.%N) - $started" | bc) s" >&2

measure() {  # measure NAME COMMAND…: one table row
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/$name.out" 2> "$work/$name.err" \
    || { cat "$work/$name.err" >&2; exit 1; }
  read -r wall kib < "$work/time"
  printf '| %s | %s s | %.1f MiB |\n' "$name" "$wall" "$(echo "$kib / 1024" | bc -l)"
}

echo "| step | wall time | peak memory of the plugin |"
echo "|---|---|---|"
measure "backup (AdminServer snapshot)" "$bin/kubectl-zk" backup -f "$work/admin.zkbackup"
measure "backup (snapshot + logs through exec)" "$bin/kubectl-zk" backup --source data-dir -f "$work/exec.zkbackup"
measure "backup inspect" "$bin/kubectl-zk" backup inspect "$work/exec.zkbackup"
measure "restore (AdminServer snapshot backup)" "$bin/kubectl-zk" restore -f "$work/admin.zkbackup" --yes
echo "files: $(stat -c '%s' "$work/admin.zkbackup") bytes (AdminServer), $(stat -c '%s' "$work/exec.zkbackup") bytes (exec)" >&2
