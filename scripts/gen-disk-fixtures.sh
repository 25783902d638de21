#!/bin/bash
# Writes real snapshot and transaction-log files for tests/fixtures/zk-disk/ (see its README).
# usage: [EXTRA=-Dzookeeper.snapCount=10] scripts/gen-disk-fixtures.sh VERSION PORT
set -e
V=$1; PORT=$2; D=/tmp/kzk-disk-fixtures/$V; rm -rf $D; mkdir -p $D/data
cat > $D/zoo.cfg <<CFG
tickTime=2000
dataDir=$D/data
clientPort=$PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
CFG
CP=$(echo /var/cache/kubectl-zk/zookeeper/$V/lib/*.jar | tr ' ' ':')
start() { java -Xmx128m -Dzookeeper.preAllocSize=4 $EXTRA -Dzookeeper.4lw.commands.whitelist=* -cp $CP org.apache.zookeeper.server.ZooKeeperServerMain $D/zoo.cfg > $D/zk$1.log 2>&1 & echo $! > $D/pid; for i in $(seq 60); do (echo ruok | nc -q1 127.0.0.1 $PORT 2>/dev/null | grep -q imok) && return; sleep 0.5; done; echo not up; exit 1; }
stop() { kill $(cat $D/pid); wait $(cat $D/pid) 2>/dev/null || true; }
start 1
/work/main/.venv/bin/python - $PORT <<PY
import sys
from kazoo.client import KazooClient
from kazoo.security import make_digest_acl
zk = KazooClient(hosts="127.0.0.1:"+sys.argv[1]); zk.start()
zk.create("/app", b"top")
for i in range(10):
    zk.create("/app/n%02d" % i, ("value-%d" % i).encode())
zk.create("/secret", b"hidden", acl=[make_digest_acl("alice", "pw", all=True)])
zk.create("/empty")
zk.set("/app/n00", b"changed")
zk.delete("/app/n09")
zk.stop()
PY
stop
start 2
/work/main/.venv/bin/python - $PORT <<PY
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts="127.0.0.1:"+sys.argv[1]); zk.start()
zk.create("/later", b"after-snapshot")
zk.create("/app/eph", b"e", ephemeral=True)
zk.stop()
PY
stop
ls -la $D/data/version-2
