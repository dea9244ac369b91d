#!/bin/sh
# popfetch: runs /usr/share/popfetch/popfetch.jar on a Java 17 or later.
#
# Java is looked for in $JAVA_HOME, then /usr/lib/jvm/default-java (Debian's default-jre), then
# `java` on PATH; the first whose major version is 17 or more is used. The JVM flags suit a small
# mail fetcher (docs/benchmarks.md has the measurements behind them): one serial collector thread, a
# heap that starts at 8 MB (4 MB for the service, see below) and stops at 64 MB (the JVM's default
# starts at 1/64 of the machine's memory, which a poll fills with garbage before the first
# collection: 170 MB resident in a poll of 10,000 messages, 66 MB with these), small thread stacks,
# a quick start (C1 only: the C2 compiler alone added 25 MB), and a class-data archive of
# popfetch's own classes, the service's or the other commands' (see cds_archive), and on Java 17 to
# 20 the JDK's older locale data (see the flag's comment below). Within that heap, a young
# generation of a seventh instead of a third (1 MB of the service's first 4),
# and a heap that grows only to keep 10 % of it free and gives back what leaves more than 30 % free
# (the JVM's defaults are 40 % and 70 %): a poll's garbage is short-lived, so the smaller young
# generation costs more collections but each is quick. The peak resident memory of a poll of 10,000
# messages went from 67 to 62.5 MB at no CPU that showed in the harness; a poll of 200 accounts
# collects 100 times instead of 38 and spends 0.2 s more in collections (of 2.3-2.7 s of CPU in
# all), for 4 MB less; the first poll of 20,000 messages in keep mode, whose seen UIDs grow the
# heap, collects 350 times instead of 90 and spends 0.5 s more, for 65 MB instead of 71.
# POPFETCH_JAVA_OPTS adds flags (-Xmx256m, say); it can be set in /etc/default/popfetch, as can
# POPFETCH_JAR (another jar), POPFETCH_CDS_DIR (another directory for the system's archives) and
# POPFETCH_CDS=off (no archive).
set -e

POPFETCH_JAR=${POPFETCH_JAR:-/usr/share/popfetch/popfetch.jar}
if [ -r /etc/default/popfetch ]; then
  . /etc/default/popfetch
fi

# Every program this script starts is a fork and an exec before each popfetch command's JVM (on a
# loaded machine those took longer than the JVM's own start), so it uses the shell's built-ins
# wherever it can: with the archive made, a start runs readlink, stat and cksum, then Java.

# Sets java_home to the installation of the java program $1 (links resolved) and java_major to
# its major version, empty if it does not run. The JDK's `release` file says it without starting
# a JVM; otherwise ask the JVM. Java 9 and later number themselves 17.0.15, Java 8 and earlier
# 1.8.0_392.
java_version() {
  java_major=
  java_home=$(readlink -f "$1") || return 1
  java_home=${java_home%/*}
  java_home=${java_home%/*}
  version=
  if [ -r "$java_home/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        JAVA_VERSION=\"*\")
          version=${line#JAVA_VERSION=\"}
          version=${version%\"}
          break
          ;;
      esac
    done <"$java_home/release"
  else
    version=$("$1" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9][0-9.]*\)$/\1/p')
  fi
  version=${version#1.}
  java_major=${version%%[._]*}
  case $java_major in
    '' | *[!0-9]*) java_major= ;;
  esac
}

# Succeeds if the Java found (its $version, 17.0.15 say) takes -XX:TrimNativeHeapInterval: 17.0.9
# and later updates of 17, 21.0.1 and later, 22 and later, behind -XX:+UnlockExperimentalVMOptions
# in some of them. Any other Java would refuse to start with it; one whose update is unknown (no
# release file) is not given it either.
trims_native_heap() {
  update=${version#"$java_major"}
  update=${update#.*.}
  case $update in
    .* | [!0-9]*) update= ;;
  esac
  update=${update%%[!0-9]*}
  update=${update:-0}
  case $java_major in
    17) [ "$update" -ge 9 ] ;;
    18 | 19 | 20) return 1 ;;
    21) [ "$update" -ge 1 ] ;;
    *) [ "$java_major" -ge 22 ] ;;
  esac
}

# Succeeds if the Java found reads its locale data from the JDK's older set when asked
# (-Djava.locale.providers=COMPAT): 17 to 20. Java 21 warns at every start that it will go, and 23
# has it no more.
has_compat_locale_data() {
  case $java_major in
    17 | 18 | 19 | 20) return 0 ;;
    *) return 1 ;;
  esac
}

# Succeeds if $1 is a java program of version 17 or later, with java_home set to its home.
suitable() {
  [ -x "$1" ] || return 1
  java_version "$1"
  [ -n "$java_major" ] && [ "$java_major" -ge 17 ]
}

# Sets JAVA to the first suitable of $JAVA_HOME's, default-java's and the one on PATH.
find_java() {
  for JAVA in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/default-java/bin/java; do
    if suitable "$JAVA"; then
      return 0
    fi
  done
  # PATH searched here, not with `command -v` in a subshell: one fork less.
  rest=$PATH:
  while [ -n "$rest" ]; do
    entry=${rest%%:*}
    rest=${rest#*:}
    JAVA=${entry:-.}/java
    if [ -f "$JAVA" ] && suitable "$JAVA"; then
      return 0
    fi
  done
  return 1
}

if ! find_java; then
  echo "popfetch: no Java 17 or later found (looked at \$JAVA_HOME, /usr/lib/jvm/default-java and java on PATH); install default-jre-headless or set JAVA_HOME" >&2
  exit 23
fi

# Sets ARCHIVE to the class-data archive of this jar on this Java for the command line $@, and succeeds
# if there is one: the system's in /var/cache/popfetch ($POPFETCH_CDS_DIR), made by the package's
# postinst as root, or else one in the user's cache directory (the service user's is in its state
# directory, /var/lib/popfetch/.cache), made on the first run there. Its name holds a checksum of
# this script's, the java program's, the jar's and the Java's identity (path, size, time), so a new
# launcher (which may make its archives otherwise), a new jar or a Java update gets a new archive
# and the old ones are removed when that is made.
#
# There are three archives, two for `run` (the service, serving metrics or not) and one for every
# other command (poll, check, explain...), each holding the classes its training run loaded, parsed
# and verified: `popfetch demo --training poll`, `run` or `run-metrics`, real polls of the demo's
# embedded POP3 server into Maildirs in a temporary directory (configuration, logging, SQLite, POP3,
# delivery, the listing shortcut of a keep-mode mailbox), the others by the service itself (its
# scheduler, control socket; and for run-metrics its meters, served and scraped). Java 17 as Debian
# builds it maps an archive at a random address and rewrites every pointer in it at each start, so
# every page of it becomes the process's own memory whether its classes are used or not: with one
# archive for a poll and the service, a poll carried the service's 900-odd classes or the service
# loaded them from the jar into metaspace; two archives took 1.5-2 MB off the idle service
# (docs/benchmarks.md, "Memory"), and a third for metrics 3.5 MB more off a service serving none.
# The training run lists the classes
# (-XX:DumpLoadedClassList) and a second JVM writes them, the JDK's own among them, into a static
# archive (-Xshare:dump) that takes the place of the JDK's. Not a dynamic archive on top of the
# JDK's (-XX:ArchiveClassesAtExit): Java 17 leaves out of that every class compiled for Java 5 or
# earlier (class file version 49), picocli's among them, which are then read and checked by the
# old verifier at every start. The later -XX:+AutoCreateSharedArchive (Java 19) would archive
# whatever command happens to run first, --help say, so the training run serves every version.
# A training run that fails leaves a .failed mark and is not tried again
# for that jar and Java. Anything missing here (no cache directory, no stat) means no archive,
# never a failed command.
#
# A service that serves metrics has an archive of its own (run-metrics), trained by a service that
# serves them and is scraped: the meters, the Prometheus model and the HTTP server are 450-odd
# classes, 3.5 MB of every page-resident archive, which a service serving none would carry for
# nothing, and one serving them would otherwise read from the jar into metaspace, compiled code
# and all (docs/benchmarks.md, "The running service", eighth round).
cds_archive() {
  [ "${POPFETCH_CDS:-on}" != off ] || return 1
  id=$(stat -L -c '%n %s %Y' "$0" "$JAVA" "$POPFETCH_JAR" "$java_home/lib/modules" \
    "$java_home/lib/server/libjvm.so" 2>/dev/null | cksum 2>/dev/null) || return 1
  id=${id%% *}
  [ -n "$id" ] || return 1
  case ${1:-} in
    run)
      # The run archive if the metrics one cannot be had (its training failed, say).
      if serves_metrics "$@" && cds_archive_of run-metrics; then
        return 0
      fi
      cds_archive_of run
      ;;
    *) cds_archive_of poll ;;
  esac
}

# Sets ARCHIVE to the archive of kind $1 (poll, run or run-metrics) for this $id, made by its
# training run if there is none yet, and succeeds if there is one.
cds_archive_of() {
  kind=$1
  name=popfetch-$kind-$id.jsa
  system_cache=${POPFETCH_CDS_DIR:-/var/cache/popfetch}
  user_cache=
  if [ -n "${HOME:-}" ] && [ "$HOME" != / ]; then
    user_cache=${XDG_CACHE_HOME:-$HOME/.cache}/popfetch
  fi
  case "$user_cache" in
    *[[:space:]]*) user_cache= ;; # the path goes into a flag, and the flags are split on blanks
  esac
  for dir in "$system_cache" $user_cache; do
    if [ -r "$dir/$name" ]; then
      ARCHIVE=$dir/$name
      return 0
    fi
  done
  for dir in "$system_cache" $user_cache; do
    if [ -e "$dir/$name.failed" ]; then
      return 1
    fi
    # The system's directory is made by postinst, the user's here.
    if { [ -d "$dir" ] || { [ "$dir" = "$user_cache" ] && mkdir -p "$dir" 2>/dev/null; }; } \
        && [ -w "$dir" ]; then
      cds_train "$dir" "$name" "$kind" && ARCHIVE=$dir/$name && return 0
      return 1
    fi
  done
  return 1
}

# Whether the configuration `run` reads ($@ is its command line: -c FILE, --config FILE or
# --config=FILE, else the system's) serves metrics: a line "metrics:" at its top level, within its
# first 20,000 lines (a file of a thousand accounts has some 10,000; the shell reads a byte at a
# time). Only the archive's choice hangs on it, and a service whose metrics this misses or
# imagines runs as before, with classes read from the jar or archived for nothing. Anything but
# a regular file (a FIFO would block the read, a device never end it) is left to popfetch to refuse.
serves_metrics() {
  shift
  config=/etc/popfetch/popfetch.yaml
  while [ $# -gt 0 ]; do
    case $1 in
      -c | --config) [ $# -lt 2 ] || { config=$2; shift; } ;;
      --config=*) config=${1#--config=} ;;
    esac
    shift
  done
  [ -f "$config" ] && [ -r "$config" ] || return 1
  lines=0
  while [ "$lines" -lt 20000 ] && { IFS= read -r line || [ -n "$line" ]; }; do
    case $line in
      metrics:*) return 0 ;;
    esac
    lines=$((lines + 1))
  done 2>/dev/null <"$config"
  return 1
}

# Makes the archive $1/$2 with the training run of $3 (poll or run) and a dump of the classes it
# loaded, in a temporary name first so that no JVM maps a half-written one; then removes the
# archives of other jars or Javas in $1. The training run shares no archive (-Xshare:off), so that
# its list names every class it loaded, the JDK's too, not only those it read from a jar.
#
# The list leaves out the demo's own classes (its command, its training and its small POP3
# server), which no other command loads. The demo's server is popfetch's own rather than a mail
# server library for the same reason: GreenMail on Jakarta Mail and Angus, which the demo had
# before, loaded 200-odd classes of their own (left out of the list, 1.5 MB of every command's
# resident memory) and some 150 of the JDK's that no other command loads (java.util.logging,
# java.text, a second reflection path; 0.7 MB of a poll's peak) (docs/benchmarks.md, "Memory").
# The services' lists leave out picocli too: the demo's command line loads it, the service's does
# not (`run`'s words are read by hand), and its 1.1 MB of archive would be the service's memory
# for as long as it runs.
cds_train() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/popfetch-cds.XXXXXX" 2>/dev/null) || return 1
  case $3 in
    run | run-metrics) not_loaded='\#picocli/#d' ;;
    *) not_loaded= ;;
  esac
  # shellcheck disable=SC2086
  if "$JAVA" $JVM_FLAGS -Xshare:off -XX:DumpLoadedClassList="$work/loaded" \
      -jar "$POPFETCH_JAR" demo --training "$3" --dir "$work/demo" >"$work/log" 2>&1 \
      && sed -e '\#org/popfetch/app/Demo#d' -e "$not_loaded" "$work/loaded" >"$work/classes" \
      && "$JAVA" -Xshare:dump -XX:SharedClassListFile="$work/classes" \
        -XX:SharedArchiveFile="$1/$2.$$" -cp "$POPFETCH_JAR" >>"$work/log" 2>&1 \
      && [ -s "$1/$2.$$" ] && chmod 644 "$1/$2.$$" && mv -f "$1/$2.$$" "$1/$2"; then
    rm -rf "$work"
    # Those of this jar and Java for the other command stay: their names end as this one's does.
    for old in "$1"/popfetch-*.jsa "$1"/popfetch-*.jsa.failed; do
      case $old in
        *"-$id.jsa" | *"-$id.jsa.failed") ;;
        *) [ ! -e "$old" ] || rm -f "$old" ;;
      esac
    done
    return 0
  fi
  rm -f "$1/$2.$$"
  cp "$work/log" "$1/$2.failed" 2>/dev/null || : >"$1/$2.failed" 2>/dev/null || true
  rm -rf "$work"
  return 1
}

JVM_FLAGS="-XX:+UseSerialGC -Xms8m -Xmx64m -XX:NewRatio=6 -XX:MinHeapFreeRatio=10"
JVM_FLAGS="$JVM_FLAGS -XX:MaxHeapFreeRatio=30 -Xss512k -XX:TieredStopAtLevel=1 -Xshare:auto"
# An archive the Java cannot map is run without, as -Xshare:auto says; Java 25 (JDK-8327495) also
# says so on standard output at every start, two to four lines, unless CDS logging is off.
JVM_FLAGS="$JVM_FLAGS -Xlog:cds=off"
# Two malloc arenas for the JVM's native memory instead of glibc's one per thread that allocates
# (parallel polls, fsync threads): 1.3 MB less peak RSS in the harness's S5, no CPU cost seen.
# One set in the environment wins.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# glibc keeps what the JVM frees (the compiler's arenas, a poll's buffers) for later instead of
# giving it back; the JVM hands it back every 10 s where it can: the running service's malloc heap
# went from 4.2 to 2.0 MB resident, at no CPU that showed.
if trims_native_heap; then
  JVM_FLAGS="$JVM_FLAGS -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000"
fi
# The JDK's older locale data rather than CLDR's, where the Java has both: with CLDR, the first
# calendar or time zone name a command asks for (SQLite's driver makes a calendar at every start,
# the metrics server names the zone in each response's Date header) lists every locale CLDR knows,
# 1,000-odd Locale objects and language tag sets kept for the life of the JVM: 0.8 MB less peak in
# a poll of an empty mailbox (50.4 to 49.6 MiB, 8 % less CPU), 0.7-1.4 MB in the idle service
# (docs/benchmarks.md, "Memory"). popfetch's own dates and numbers do not depend on the locale
# (Locale.ROOT, fixed patterns); a locale's own formats would change only in a Java's default
# locale that the two sets describe differently.
if has_compat_locale_data; then
  JVM_FLAGS="$JVM_FLAGS -Djava.locale.providers=COMPAT"
fi
# A poll, a check, a status runs for a second or so, and the compiler spent a third of such a
# command's CPU: a poll of ten new messages compiled some 600 methods, most of them start-up code
# called a few hundred times and never again. Methods are compiled at four times the JVM's call and
# loop counts instead: 0.2-0.7 MB less peak memory (the code cache and the compiler's arenas) and
# about a tenth less CPU in a short poll; a long poll's hot methods pass any such count within its
# first messages. Not the commands that keep running: the service runs the same poll code every
# minute, and it took a fifth more CPU with the flag over ten minutes, that code still interpreted
# (docs/benchmarks.md, "Start-up"); the socket-activated delivery agent stays up while connections
# come.
#
# Those two give back at once the heap a busy spell grew. The serial collector shrinks the heap only
# at a full collection, and by default in steps: nothing at the first, a tenth at the second, so an
# idle service kept for hours what its first polls (every account at once) had grown (14.4 MB of
# tenured generation holding 7.7, against 6.9 when the start went quietly). With
# -XX:-ShrinkHeapInSteps a full collection shrinks it to what -XX:MaxHeapFreeRatio allows, and no
# further than the heap's start: 4 MB for those two (its young generation 1 MB, as in 8 MB with
# -XX:NewRatio=6) rather than 8. The idle service's tenured generation then holds its 4 MB of live
# objects in 5.1 MB instead of 6.3, for a full collection every few minutes where there was none:
# 0.9-2.4 MB less resident memory, at most some 0.04 % of a core more (docs/benchmarks.md, "The
# running service", seventh round).
#
# The service compiles at a tenth of the JVM's counts. Its polls run each account's code once a
# minute, so at the JVM's counts the code of a poll took minutes to be compiled, and much of it
# stayed interpreted with the compiler still at work five minutes after the start: an idle service
# of 100 accounts took 0.52-0.61 % of a core with the JVM's counts and 0.39-0.47 % with a tenth,
# side by side, for 1.3-3 MB more compiled code (docs/benchmarks.md, "The running service", eighth
# round). A twentieth did no better.
case ${1:-} in
  run)
    JVM_FLAGS="$JVM_FLAGS -XX:-ShrinkHeapInSteps -Xms4m -XX:NewSize=1m"
    JVM_FLAGS="$JVM_FLAGS -XX:CompileThresholdScaling=0.1"
    ;;
  deliver-agent) JVM_FLAGS="$JVM_FLAGS -XX:-ShrinkHeapInSteps -Xms4m -XX:NewSize=1m" ;;
  *) JVM_FLAGS="$JVM_FLAGS -XX:CompileThresholdScaling=4" ;;
esac
if cds_archive "$@"; then
  JVM_FLAGS="$JVM_FLAGS -XX:SharedArchiveFile=$ARCHIVE"
fi

# JVM_FLAGS and POPFETCH_JAVA_OPTS are split on blanks on purpose: they hold several flags.
# shellcheck disable=SC2086
exec "$JAVA" $JVM_FLAGS $POPFETCH_JAVA_OPTS -jar "$POPFETCH_JAR" "$@"
