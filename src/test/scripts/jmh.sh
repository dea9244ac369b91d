#!/usr/bin/env bash
# Runs the JMH benchmarks in src/test/java/org/popfetch/bench (the harness is generated at
# test-compile time). Extra arguments go to JMH, e.g. `jmh.sh ReadPath -f 1 -wi 2 -i 3`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main "$@"
