# Part of zkEnv.sh shared by the test cluster's ZooKeeper images (this project's own script): the
# release's class path and the test cluster's memory cap. Sourced, with ZOOKEEPER_PREFIX and
# ZOOCFGDIR set.
# shellcheck shell=bash disable=SC2034 # sourced: the variables are used by the sourcing script

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The ZooKeeper release the image's tag names (its jars from Maven Central, bound at lib/).
ZK_TESTCLUSTER_VERSION="$(cat /usr/share/testcluster/zookeeper/version 2>/dev/null || true)"
# As the distribution's zkEnv.sh: the conf dir first (log4j.properties or logback.xml are found
# there), then every jar of lib/.
CLASSPATH="$ZOOCFGDIR:$ZOOKEEPER_PREFIX/lib/*${CLASSPATH:+:$CLASSPATH}"
# The test cluster caps every JVM whatever heap the image is asked for (--heap, java.env,
# ZK_SERVER_HEAP): these flags come last on the command line, so they win.
ZK_TESTCLUSTER_JVMFLAGS="${ZK_TESTCLUSTER_JVMFLAGS:--Xms32m -Xmx128m -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2}"
ZK_TESTCLUSTER_CLIENT_JVMFLAGS="${ZK_TESTCLUSTER_CLIENT_JVMFLAGS:--Xms8m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
ZK_TESTCLUSTER_LOG4J="/usr/share/testcluster/zookeeper/log4j.properties"
