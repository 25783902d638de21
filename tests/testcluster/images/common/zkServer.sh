#!/usr/bin/env bash
# zkServer.sh for the test cluster's ZooKeeper images (this project's own script).
#
# Runs the image's ZooKeeper release (its jars in lib/) the way the distribution's zkServer.sh does:
#   zkServer.sh [--config <conf dir>] {start|start-foreground|stop|restart|status|version|print-cmd} [cfg]
# Settings come from zkEnv.sh next to this script (per image).

set -u
# Flag lists (JVMFLAGS…) are split on spaces as in the published scripts, but never globbed.
set -f

ZOOBIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
if [[ "${1:-}" == "--config" ]]; then
    if [[ $# -lt 2 ]]; then
        echo "Error: --config needs a directory" >&2
        exit 1
    fi
    export ZOOCFGDIR="$2"
    shift 2
fi
# shellcheck source=/dev/null
. "$ZOOBIN/zkEnv.sh"

echo "ZooKeeper JMX enabled by default" >&2
if [[ -n "${2:-}" ]]; then
    case "$2" in
        */*) ZOOCFG="$2" ;;
        *) ZOOCFG="$ZOOCFGDIR/$2" ;;
    esac
fi
echo "Using config: $ZOOCFG" >&2

# The last value of a key in the config file (empty when absent).
cfg_value() {
    local key="$1"
    [[ -r "$ZOOCFG" ]] || return 0
    sed -n -e "s/^[[:space:]]*${key}[[:space:]]*=[[:space:]]*//p" -- "$ZOOCFG" \
        | tail -n 1 | sed -e 's/[[:space:]]*$//'
}

ZOO_DATADIR="$(cfg_value dataDir)"
if [[ -z "${ZOOPIDFILE:-}" ]]; then
    if [[ -n "$ZOO_DATADIR" ]]; then
        mkdir -p -- "$ZOO_DATADIR" 2>/dev/null || true
        ZOOPIDFILE="$ZOO_DATADIR/zookeeper_server.pid"
    else
        ZOOPIDFILE="/tmp/zookeeper_server.pid"
    fi
fi
if [[ ! -w "$ZOO_LOG_DIR" ]]; then
    mkdir -p -- "$ZOO_LOG_DIR" 2>/dev/null || true
fi
ZOO_USER="$(id -un 2>/dev/null || id -u)"
ZOO_LOG_FILE="${ZOO_LOG_FILE:-zookeeper-$ZOO_USER-server-${HOSTNAME:-localhost}.log}"

# The server's command line, as an array. Heap flags of the image (JVMFLAGS, SERVER_JVMFLAGS) come
# first; the test cluster's cap (ZK_TESTCLUSTER_JVMFLAGS) comes last, so it wins.
server_cmd() {
    local -a jvm=()
    # shellcheck disable=SC2206 # word splitting of flag lists is intended, as in zkServer.sh
    jvm+=(${SERVER_JVMFLAGS:-} ${JVMFLAGS:-} ${ZK_TESTCLUSTER_JVMFLAGS:-})
    CMD=("$JAVA" "-Dzookeeper.log.dir=$ZOO_LOG_DIR" "-Dzookeeper.log.file=$ZOO_LOG_FILE"
        "${ZOO_LOG_PROPS[@]}"
        -XX:+HeapDumpOnOutOfMemoryError "-XX:OnOutOfMemoryError=kill -9 %p"
        -cp "$CLASSPATH" "${jvm[@]}" "${ZK_SERVER_PROPS[@]}"
        org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZOOCFG")
}

case "${1:-}" in
start-foreground)
    server_cmd
    exec "${CMD[@]}"
    ;;
start)
    echo -n "Starting zookeeper ... "
    if [[ -f "$ZOOPIDFILE" ]] && kill -0 "$(cat -- "$ZOOPIDFILE")" 2>/dev/null; then
        echo "already running as process $(cat -- "$ZOOPIDFILE")."
        exit 1
    fi
    server_cmd
    nohup "${CMD[@]}" >"$ZOO_LOG_DIR/zookeeper-$ZOO_USER-server-${HOSTNAME:-localhost}.out" 2>&1 </dev/null &
    echo -n "$!" >"$ZOOPIDFILE"
    sleep 1
    if kill -0 "$(cat -- "$ZOOPIDFILE")" 2>/dev/null; then
        echo STARTED
    else
        echo FAILED TO START
        exit 1
    fi
    ;;
stop)
    echo -n "Stopping zookeeper ... "
    if [[ ! -f "$ZOOPIDFILE" ]]; then
        echo "no zookeeper to stop (could not find file $ZOOPIDFILE)"
    else
        kill "$(cat -- "$ZOOPIDFILE")"
        rm -f -- "$ZOOPIDFILE"
        sleep 1
        echo STOPPED
    fi
    exit 0
    ;;
restart)
    shift
    "$0" stop "$@"
    sleep 3
    "$0" start "$@"
    ;;
print-cmd)
    server_cmd
    printf '%q ' "${CMD[@]}"
    echo
    ;;
version)
    if [[ "$ZK_TESTCLUSTER_VERSION" == 3.4.* ]]; then
        # 3.4's zkServer.sh has no version command.
        echo "Usage: $0 {start|start-foreground|stop|restart|status|upgrade|print-cmd}" >&2
        exit 1
    fi
    # shellcheck disable=SC2086 # a flag list
    exec "$JAVA" -cp "$CLASSPATH" ${ZK_TESTCLUSTER_CLIENT_JVMFLAGS:-} \
        org.apache.zookeeper.version.VersionInfoMain 2>/dev/null
    ;;
status)
    address="$(cfg_value clientPortAddress)"
    port="$(cfg_value clientPort)"
    if ! [[ "$port" =~ ^[0-9]+$ ]]; then
        # 3.5+ style: the client port on this server's own server.N line, after ';'.
        myid="$(cat -- "$ZOO_DATADIR/myid" 2>/dev/null || true)"
        port=""
        if [[ "$myid" =~ ^[0-9]+$ ]]; then
            spec="$(cfg_value "server\\.$myid")"
            if [[ "$spec" == *";"* ]]; then
                spec="${spec##*;}"
                if [[ "$spec" == *:* ]]; then
                    address="${spec%:*}"
                    port="${spec##*:}"
                else
                    port="$spec"
                fi
            fi
        fi
        if ! [[ "$port" =~ ^[0-9]+$ ]]; then
            echo "Unable to find either secure or unsecure client port in any configs. Terminating."
            exit 1
        fi
    fi
    if [[ -z "$address" || "$address" == "0.0.0.0" ]]; then
        address="localhost"
    fi
    # 3.5+ print where they ask; 3.4 prints only the mode.
    if [[ "$ZK_TESTCLUSTER_VERSION" != 3.4.* ]]; then
        echo "Client port found: $port. Client address: $address. Client SSL: false."
    fi
    # As the distribution's script: ZooKeeper's own FourLetterWordMain (a JVM) asks srvr.
    # shellcheck disable=SC2086 # a flag list
    STAT="$("$JAVA" "-Dzookeeper.log.dir=$ZOO_LOG_DIR" "${ZOO_LOG_PROPS[@]}" -cp "$CLASSPATH" \
        ${ZK_TESTCLUSTER_CLIENT_JVMFLAGS:-} org.apache.zookeeper.client.FourLetterWordMain \
        "$address" "$port" srvr 2>/dev/null | grep Mode)"
    if [[ -z "$STAT" ]]; then
        echo "Error contacting service. It is probably not running."
        exit 1
    fi
    echo "$STAT"
    exit 0
    ;;
*)
    echo "Usage: $0 [--config <conf-dir>] {start|start-foreground|stop|version|restart|status|print-cmd}" >&2
    exit 1
    ;;
esac
