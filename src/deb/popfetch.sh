#!/bin/sh
# popfetch: runs /usr/share/popfetch/popfetch.jar on a Java 17 or later.
#
# Java is looked for in $JAVA_HOME, then /usr/lib/jvm/default-java (Debian's default-jre), then
# `java` on PATH; the first whose major version is 17 or more is used. The JVM flags suit a
# small, long-running mail fetcher: one serial collector thread, small thread stacks, a quick
# start (C1 only) and the class-data archive when there is one. POPFETCH_JAVA_OPTS adds flags
# (-Xmx128m, say); it can be set in /etc/default/popfetch.
set -e

POPFETCH_JAR=/usr/share/popfetch/popfetch.jar
if [ -r /etc/default/popfetch ]; then
  . /etc/default/popfetch
fi

# The major version of the java program $1, or nothing if it does not run. The JDK's `release`
# file says it without starting a JVM; otherwise ask the JVM. Java 9 and later number themselves
# 17.0.15, Java 8 and earlier 1.8.0_392.
java_major() {
  home=$(dirname "$(dirname "$(readlink -f "$1")")")
  if [ -r "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9._]*\)"$/\1/p' "$home/release")
  else
    version=$("$1" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9][0-9.]*\)$/\1/p')
  fi
  echo "$version" | sed 's/^1\.//; s/[._].*//' | head -n 1
}

# Succeeds if $1 is a java program of version 17 or later.
suitable() {
  [ -x "$1" ] || return 1
  major=$(java_major "$1")
  [ -n "$major" ] && [ "$major" -ge 17 ]
}

find_java() {
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/default-java/bin/java \
      "$(command -v java 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && suitable "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! JAVA=$(find_java); then
  echo "popfetch: no Java 17 or later found (looked at \$JAVA_HOME, /usr/lib/jvm/default-java and java on PATH); install default-jre-headless or set JAVA_HOME" >&2
  exit 23
fi

# POPFETCH_JAVA_OPTS is split on blanks on purpose: it holds several flags.
# shellcheck disable=SC2086
exec "$JAVA" -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -Xshare:auto \
  $POPFETCH_JAVA_OPTS -jar "$POPFETCH_JAR" "$@"
