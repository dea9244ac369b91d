#!/usr/bin/env bash
# Cluster benchmark (needs root, Dovecot and PostgreSQL 15, installed by install-peers.sh):
# accounts polled per second with 1, 2 and 3 popfetch run nodes on one PostgreSQL, against a
# Dovecot behind a latency proxy, and one node with SQLite for what the lease adds to a poll.
#   src/test/scripts/bench-cluster.sh [ACCOUNTS=600] [LATENCY_MS=50] [WINDOW_S=30]
# The nodes run the built jar, target/popfetch.jar, when it is there (mvn package), else the
# classes. Each configuration warms up until every account was polled once, then measures.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash src/test/scripts/install-peers.sh
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -XX:+UseSerialGC -Dpopfetch.postgres.required=true \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.popfetch.bench.ClusterBenchmark "$@"
