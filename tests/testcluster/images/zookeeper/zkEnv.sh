# zkEnv.sh of the test cluster's Docker library zookeeper image (this project's own script): the
# settings zkServer.sh and zkCli.sh share, as ZooKeeper 3.8's zkEnv.sh has them. Sourced, with
# ZOOBIN set.
# shellcheck shell=bash disable=SC2034 # sourced: the variables are used by the sourcing script

ZOOKEEPER_PREFIX="$(cd "$ZOOBIN/.." && pwd)"
ZOOCFGDIR="${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
if [[ -f "$ZOOCFGDIR/zookeeper-env.sh" ]]; then
    # shellcheck source=/dev/null
    . "$ZOOCFGDIR/zookeeper-env.sh"
fi
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
if [[ -f "$ZOOCFGDIR/java.env" ]]; then
    # shellcheck source=/dev/null
    . "$ZOOCFGDIR/java.env"
fi
ZOO_LOG_DIR="${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}"
ZK_SERVER_HEAP="${ZK_SERVER_HEAP:-1000}"
SERVER_JVMFLAGS="-Xmx${ZK_SERVER_HEAP}m ${SERVER_JVMFLAGS:-}"
ZK_CLIENT_HEAP="${ZK_CLIENT_HEAP:-256}"
CLIENT_JVMFLAGS="-Xmx${ZK_CLIENT_HEAP}m ${CLIENT_JVMFLAGS:-}"

# shellcheck source=/dev/null
. /usr/share/testcluster/zookeeper/zkEnv-release.sh

# Logging: ZooKeeper 3.8+ logs with logback, which finds the conf dir's logback.xml on the class
# path (the image's own, or one mounted at /conf). A 3.4 tag logs with log4j 1.2: the conf dir's
# log4j.properties if there is one, else the console.
if [[ -f "$ZOOCFGDIR/log4j.properties" ]]; then
    ZOO_LOG4J_CONFIG="$ZOOCFGDIR/log4j.properties"
else
    ZOO_LOG4J_CONFIG="$ZK_TESTCLUSTER_LOG4J"
fi
ZOO_LOG_PROPS=("-Dzookeeper.root.logger=${ZOO_LOG4J_PROP:-INFO,CONSOLE}" "-Dlog4j.configuration=file:$ZOO_LOG4J_CONFIG")
ZK_SERVER_PROPS=()
