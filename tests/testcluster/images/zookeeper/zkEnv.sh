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
. /usr/share/testcluster/zookeeper/zkEnv-machine.sh

# Logging: the published image logs with logback (logback.xml in the conf dir); the machine's
# ZooKeeper uses log4j 1.2. A log4j.properties in the conf dir is used as is; otherwise the root
# level of logback.xml (if any) sets the level of the default console logging.
ZOO_LOG4J_CONFIG="$ZK_TESTCLUSTER_LOG4J"
ZOO_LOG4J_PROP="${ZOO_LOG4J_PROP:-INFO,CONSOLE}"
ZOO_LOG_PROPS=()
if [[ -f "$ZOOCFGDIR/log4j.properties" ]]; then
    ZOO_LOG4J_CONFIG="$ZOOCFGDIR/log4j.properties"
elif [[ -f "$ZOOCFGDIR/logback.xml" ]]; then
    level="$(sed -n -e 's/.*<root[^>]*level="\([A-Za-z]*\)".*/\1/p' -- "$ZOOCFGDIR/logback.xml" | head -n 1)"
    level="${level^^}"
    if [[ "$level" =~ ^(TRACE|DEBUG|INFO|WARN|ERROR|OFF)$ ]]; then
        ZOO_LOG4J_PROP="$level,CONSOLE"
        ZOO_LOG_PROPS+=("-Dzookeeper.console.threshold=$level")
    fi
    unset level
fi
ZOO_LOG_PROPS+=("-Dzookeeper.root.logger=$ZOO_LOG4J_PROP" "-Dlog4j.configuration=file:$ZOO_LOG4J_CONFIG")
ZK_SERVER_PROPS=()
