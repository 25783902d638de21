#!/usr/bin/env bash
# zkCli.sh for the test cluster's ZooKeeper images (this project's own script): the release's
# ZooKeeper command line client, `zkCli.sh [-server host:port] [command args…]`, localhost:2181 by
# default. Settings come from zkEnv.sh next to this script (per image).

set -u
# Flag lists (JVMFLAGS…) are split on spaces as in the published scripts, but never globbed.
set -f

ZOOBIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=/dev/null
. "$ZOOBIN/zkEnv.sh"

ZOO_USER="$(id -un 2>/dev/null || id -u)"
ZOO_LOG_FILE="zookeeper-$ZOO_USER-cli-${HOSTNAME:-localhost}.log"
# shellcheck disable=SC2206 # word splitting of flag lists is intended, as in zkCli.sh
jvm=(${CLIENT_JVMFLAGS:-} ${JVMFLAGS:-} ${ZK_TESTCLUSTER_CLIENT_JVMFLAGS:-})
exec "$JAVA" "-Dzookeeper.log.dir=$ZOO_LOG_DIR" "-Dzookeeper.log.file=$ZOO_LOG_FILE" \
    "${ZOO_LOG_PROPS[@]}" \
    -cp "$CLASSPATH" "${jvm[@]}" org.apache.zookeeper.ZooKeeperMain "$@"
