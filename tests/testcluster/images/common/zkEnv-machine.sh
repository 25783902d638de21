# Part of zkEnv.sh shared by the test cluster's ZooKeeper images (this project's own script): where
# the machine's ZooKeeper (Debian's package) is, and the test cluster's memory cap. Sourced.
# shellcheck shell=bash disable=SC2034 # sourced: the variables are used by the sourcing script

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Debian's zookeeper.jar pulls its dependencies through its manifest; logging (slf4j → log4j 1.2)
# and the AdminServer (servlet API) need these added.
CLASSPATH="$ZOOCFGDIR:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar:/usr/share/java/servlet-api.jar${CLASSPATH:+:$CLASSPATH}"
# The test cluster caps every JVM whatever heap the image is asked for (--heap, java.env,
# ZK_SERVER_HEAP): these flags come last on the command line, so they win.
ZK_TESTCLUSTER_JVMFLAGS="${ZK_TESTCLUSTER_JVMFLAGS:--Xms32m -Xmx128m -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2}"
ZK_TESTCLUSTER_CLIENT_JVMFLAGS="${ZK_TESTCLUSTER_CLIENT_JVMFLAGS:--Xms8m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
ZK_TESTCLUSTER_LOG4J="/usr/share/testcluster/zookeeper/log4j.properties"
