#!/usr/bin/env bash
# End-to-end poll benchmark against a private Dovecot (needs root and dovecot-pop3d):
#   src/test/scripts/bench-e2e.sh [MESSAGES=10000] [RUNS=3]
# For a comparison with fetchmail, getmail6 and mpop in one run, use the shared harness with
# src/test/bench/popfetch.toml (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash src/test/scripts/install-peers.sh
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -XX:+UseSerialGC -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.popfetch.bench.EndToEndPollBenchmark "$@"
