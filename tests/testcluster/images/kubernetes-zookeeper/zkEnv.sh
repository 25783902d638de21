# zkEnv.sh of the test cluster's kubernetes-zookeeper:1.0-3.4.10 image (this project's own script):
# the settings zkServer.sh and zkCli.sh share, as ZooKeeper 3.4's zkEnv.sh has them (logging: log4j
# 1.2, the conf dir's log4j.properties). Sourced, with ZOOBIN set.
# shellcheck shell=bash disable=SC2034 # sourced: the variables are used by the sourcing script

ZOOKEEPER_PREFIX="$(cd "$ZOOBIN/.." && pwd)"
ZOOCFGDIR="${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
if [[ -f "$ZOOCFGDIR/zookeeper-env.sh" ]]; then
    # shellcheck source=/dev/null
    . "$ZOOCFGDIR/zookeeper-env.sh"
fi
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
# start-zookeeper writes the heap here (JVMFLAGS="-Xmx… -Xms…").
if [[ -f "$ZOOCFGDIR/java.env" ]]; then
    # shellcheck source=/dev/null
    . "$ZOOCFGDIR/java.env"
fi
ZOO_LOG_DIR="${ZOO_LOG_DIR:-.}"
ZOO_LOG4J_PROP="${ZOO_LOG4J_PROP:-INFO,CONSOLE}"

# shellcheck source=/dev/null
. /usr/share/testcluster/zookeeper/zkEnv-release.sh

if [[ -f "$ZOOCFGDIR/log4j.properties" ]]; then
    ZOO_LOG4J_CONFIG="$ZOOCFGDIR/log4j.properties"
else
    ZOO_LOG4J_CONFIG="$ZK_TESTCLUSTER_LOG4J"
fi
ZOO_LOG_PROPS=("-Dzookeeper.root.logger=$ZOO_LOG4J_PROP" "-Dlog4j.configuration=file:$ZOO_LOG4J_CONFIG")
ZK_SERVER_PROPS=()
