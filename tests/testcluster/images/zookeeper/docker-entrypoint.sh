#!/usr/bin/env bash
# /docker-entrypoint.sh of the test cluster's Docker library zookeeper image (this project's own
# script, doing what the published image's entrypoint does):
# - started as root to run zkServer.sh: makes the data and log directories zookeeper's (uid 1000)
#   and runs itself again as zookeeper (setpriv here, gosu in the published image);
# - writes $ZOO_CONF_DIR/zoo.cfg from the ZOO_* variables, only when there is none (a mounted
#   ConfigMap is used as is);
# - writes $ZOO_DATA_DIR/myid ($ZOO_MY_ID, default 1), only when there is none;
# - then runs its arguments (default: zkServer.sh start-foreground).

set -e

: "${ZOO_CONF_DIR:=/conf}" "${ZOO_DATA_DIR:=/data}" "${ZOO_DATA_LOG_DIR:=/datalog}" "${ZOO_LOG_DIR:=/logs}"

if [[ "${1:-}" == "zkServer.sh" && "$(id -u)" == "0" ]]; then
    mkdir -p -- "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
    chown -R zookeeper:zookeeper -- "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
    export HOME=/home/zookeeper
    exec setpriv --reuid=zookeeper --regid=zookeeper --init-groups -- "$0" "$@"
fi

CONFIG="$ZOO_CONF_DIR/zoo.cfg"
if [[ ! -f "$CONFIG" ]]; then
    {
        echo "dataDir=$ZOO_DATA_DIR"
        echo "dataLogDir=$ZOO_DATA_LOG_DIR"
        echo "tickTime=${ZOO_TICK_TIME:-2000}"
        echo "initLimit=${ZOO_INIT_LIMIT:-5}"
        echo "syncLimit=${ZOO_SYNC_LIMIT:-2}"
        echo "autopurge.snapRetainCount=${ZOO_AUTOPURGE_SNAPRETAINCOUNT:-3}"
        echo "autopurge.purgeInterval=${ZOO_AUTOPURGE_PURGEINTERVAL:-0}"
        echo "maxClientCnxns=${ZOO_MAX_CLIENT_CNXNS:-60}"
        echo "standaloneEnabled=${ZOO_STANDALONE_ENABLED:-true}"
        echo "admin.enableServer=${ZOO_ADMINSERVER_ENABLED:-true}"
        # Space separated entries such as server.1=zk-0.zk-hs:2888:3888;2181.
        read -r -a servers <<<"${ZOO_SERVERS:-server.1=localhost:2888:3888;2181}"
        for server in "${servers[@]}"; do
            echo "$server"
        done
        if [[ -n "${ZOO_4LW_COMMANDS_WHITELIST:-}" ]]; then
            echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST"
        fi
        read -r -a extras <<<"${ZOO_CFG_EXTRA:-}"
        for extra in "${extras[@]}"; do
            echo "$extra"
        done
    } >"$CONFIG"
fi

if [[ ! -f "$ZOO_DATA_DIR/myid" ]]; then
    echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi

exec "$@"
