#!/usr/bin/env bash
# The running service, measured against the shared harness's private Dovecot (bench/setup.sh;
# BENCH_TMP names its directory, bench/gen_messages.py fills mailboxes). Run as root.
#
#   src/test/scripts/bench-service.sh idle   [ACCOUNTS=100] [SECONDS=180]
#       popfetch run with ACCOUNTS accounts on 1-minute intervals, each mailbox holding
#       IDLE_KEPT (default 20) messages already fetched in keep mode, so every poll finds nothing
#       new. Once every account has polled (fetching its messages), a warm-up of WARMUP seconds
#       (default 60), then CPU (utime+stime from /proc/PID/stat) and resident memory (VmRSS, sampled each
#       second) over SECONDS. TLS=implicit or TLS=starttls polls over TLS (the harness's certificate
#       as the CA file) instead of plain POP3. METRICS=off runs the service as the shipped
#       configuration does, serving no metrics (its log and its status say when it polled).
#   src/test/scripts/bench-service.sh poll   [KNOWN=20000] [POLLS=10]
#       daemon-mode S4: one account in keep mode with KNOWN messages, primed by the service's
#       first poll; then POLLS times: 10 new messages, `popfetch poll` (the service polls at
#       once, over its control socket), and the poll's duration as the service itself measured
#       it (the growth of popfetch_poll_duration_seconds_sum on /metrics), beside the floor of such
#       a poll from a trivial client (see floor), step by step.
#
# JAR (default target/popfetch.jar) is the jar run, as the unit runs it: through the launcher
# (LAUNCHER, default src/deb/popfetch.sh, with its flags and class-data archive, kept in CDS_DIR)
# with the unit's POPFETCH_JAVA_OPTS (UNIT, default systemd/popfetch.service) after them.
# JAVA_OPTS, if set, runs `java $JAVA_OPTS -jar` instead, without the launcher.
set -euo pipefail

BENCH_TMP=${BENCH_TMP:-/tmp/popbench}
BENCH_DIR=${BENCH_DIR:-/work/shared/bench}
# shellcheck disable=SC1091
. "$BENCH_TMP/bench.env"
JAR=$(readlink -f "${JAR:-target/popfetch.jar}")
JAVA_OPTS=${JAVA_OPTS:-}
LAUNCHER=$(readlink -f "${LAUNCHER:-src/deb/popfetch.sh}")
UNIT=${UNIT:-systemd/popfetch.service}
UNIT_OPTS=${UNIT_OPTS-$(sed -n 's/^Environment="\{0,1\}POPFETCH_JAVA_OPTS=//p' "$UNIT" | tr -d '"')}
# The unit's MALLOC_ARENA_MAX, unless set here.
if [ -z "${MALLOC_ARENA_MAX+x}" ]; then
  arenas=$(sed -n 's/^Environment=MALLOC_ARENA_MAX=//p' "$UNIT")
  if [ -n "$arenas" ]; then
    export MALLOC_ARENA_MAX=$arenas
  fi
fi
CDS_DIR=${CDS_DIR:-$BENCH_TMP/cds}
MAILUSER=${BENCH_MAILUSER:-popbench}
METRICS_PORT=${METRICS_PORT:-$((POP3_PORT + 50))}
# Whether the service serves metrics (on, the default; the poll mode needs them) or not (off).
METRICS=${METRICS:-on}
WORK=${WORK:-$BENCH_TMP/service}
# How the accounts connect: none (the default), implicit (POP3S) or starttls.
TLS=${TLS:-none}
mode=${1:-idle}

mailbox() { echo "$BENCH_TMP/mail/$1/Maildir"; }
user() { printf 'u%04d' "$1"; }

# Empties a source mailbox (Dovecot's indexes too) and puts N messages in it.
fill() {
  local u=$1 n=$2 start=${3:-0} dir
  dir=$(mailbox "$u")
  if [ "$start" = 0 ]; then
    rm -rf "$(dirname "$dir")"
  fi
  python3 "$BENCH_DIR/gen_messages.py" --maildir "$dir" --count "$n" --size around:4096 \
    --seed "${u#u}" --user "$u" --start-index "$start" --owner "$MAILUSER" >/dev/null
  chown -R "$MAILUSER:" "$(dirname "$dir")"
}

# An account's port and TLS keys for TLS (none, implicit or starttls): over TLS the harness's own
# certificate (self-signed, for 127.0.0.1) is the CA file.
tls_keys() {
  case "$TLS" in
    none) printf '    port: %s\n    tls: none' "$POP3_PORT" ;;
    implicit) printf '    port: %s\n    tls: implicit\n    ca-file: %s' "$POP3S_PORT" "$BENCH_TMP/dovecot/cert.pem" ;;
    starttls) printf '    port: %s\n    tls: starttls\n    ca-file: %s' "$POP3_PORT" "$BENCH_TMP/dovecot/cert.pem" ;;
    *) echo "TLS is none, implicit or starttls, not $TLS" >&2; exit 64 ;;
  esac
}

# The configuration of ACCOUNTS accounts on INTERVAL, the first user's number FIRST (default 1).
config() {
  local accounts=$1 interval=$2 first=${3:-1} a u
  mkdir -p "$WORK" && rm -rf "${WORK:?}"/*
  {
    echo "state: { url: \"jdbc:sqlite:$WORK/state/seen.db\" }"
    if [ "$METRICS" = on ]; then
      echo "metrics: { listen: \"127.0.0.1:$METRICS_PORT\" }"
    fi
    echo "parallel: 4"
    echo "per-server: 4"
    echo "accounts:"
    for a in $(seq "$first" $((first + accounts - 1))); do
      u=$(user "$a")
      cat <<EOF
  - name: $u
    server: 127.0.0.1
$(tls_keys)
    user: $u
    password: pw-$u
    keep: true
    interval: $interval
    deliver: { maildir: $WORK/out/$u }
EOF
    done
  } >"$WORK/popfetch.yaml"
  chmod 600 "$WORK/popfetch.yaml"
}

start() {
  if [ -n "$JAVA_OPTS" ]; then
    # shellcheck disable=SC2086
    java $JAVA_OPTS -jar "$JAR" run --no-watch --config "$WORK/popfetch.yaml" \
      >"$WORK/service.log" 2>&1 &
  else
    mkdir -p "$CDS_DIR"
    echo "launcher $LAUNCHER, POPFETCH_JAVA_OPTS=$UNIT_OPTS, MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-}"
    # The launcher makes the archive first if there is none for this jar (a training run), then
    # execs java: $! is the service's JVM.
    POPFETCH_JAR=$JAR POPFETCH_CDS_DIR=$CDS_DIR POPFETCH_JAVA_OPTS=$UNIT_OPTS \
      sh "$LAUNCHER" run --no-watch --config "$WORK/popfetch.yaml" >"$WORK/service.log" 2>&1 &
  fi
  PID=$!
  trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 1200); do
    if [ "$METRICS" != on ]; then
      grep -q 'popfetch running' "$WORK/service.log" 2>/dev/null && return 0
      sleep 0.1
      continue
    fi
    curl -sf "http://127.0.0.1:$METRICS_PORT/health" >/dev/null 2>&1 && return 0
    curl -s "http://127.0.0.1:$METRICS_PORT/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the service did not start; see $WORK/service.log" >&2
  exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }

idle() {
  local accounts=${1:-100} seconds=${2:-180} kept=${IDLE_KEPT:-20} warmup=${WARMUP:-60}
  local a hz t0 t1 max=0 min=0 r
  # IDLE_FILL=0 reuses the mailboxes of an earlier idle run (filling a hundred takes minutes).
  if [ "${IDLE_FILL:-1}" != 0 ]; then
    for a in $(seq 1 "$accounts"); do fill "$(user "$a")" "$kept"; done
  fi
  config "$accounts" 1m
  start
  # Every account's first poll fetches its IDLE_KEPT messages: wait for all of those (on a busy
  # machine they take minutes), then WARMUP more seconds.
  until [ "$(polls_done)" -ge "$accounts" ]; do sleep 5; done
  sleep "$warmup"
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks)
  for _ in $(seq 1 "$seconds"); do
    r=$(rss_kb)
    [ "$r" -gt "$max" ] && max=$r
    { [ "$min" = 0 ] || [ "$r" -lt "$min" ]; } && min=$r
    sleep 1
  done
  t1=$(cpu_ticks)
  local polls=unknown
  if [ "$METRICS" = on ]; then
    polls=$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
      awk '/^popfetch_polls_total/ {n += $2} END {print n}')
  fi
  echo "accounts=$accounts tls=$TLS metrics=$METRICS kept=$kept window=${seconds}s polls_so_far=$polls"
  echo "cpu=$(((t1 - t0) * 1000 / hz)) ms in ${seconds}s =" \
    "$(awk -v c=$((t1 - t0)) -v hz="$hz" -v s="$seconds" 'BEGIN {printf "%.3f", 100 * c / hz / s}') % of a core"
  echo "rss_kb min=$min max=$max threads=$(awk '/^Threads/ {print $2}' "/proc/$PID/status")"
  # The threads by name, "popfetch-fsync" x 2 and so on (the JVM's own included).
  cat /proc/"$PID"/task/*/comm 2>/dev/null | sed 's/-\?[0-9]*$//' | sort | uniq -c |
    awk '{n = $1; $1 = ""; printf "%s x%d,", substr($0, 2), n} END {print ""}'
  if [ -n "${KEEP_RUNNING:-}" ]; then
    echo "pid $PID left running for $KEEP_RUNNING s"
    sleep "$KEEP_RUNNING"
  fi
}

# The service's own measure of all its polls so far, in seconds.
poll_seconds() {
  curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
    awk '/^popfetch_poll_duration_seconds_sum/ {printf "%.6f\n", $2}'
}

# The floor of such a poll, from a trivial client, in milliseconds per step: what the server must do
# anyway (connect and greeting, CAPA, USER/PASS, LIST, UIDL, RETR of the NEW newest messages
# pipelined, QUIT, each step waited for) and what the disk must do anyway for them (write each into
# a Maildir's tmp/, fsync each, rename into new/, fsync new/; record their ids in a SQLite file in
# WAL mode with synchronous=FULL, one transaction). On a busy machine the floor moves with the load:
# measured right after each poll.
floor() {
  python3 - "$POP3_PORT" "$1" "$2" "$WORK/floor" <<'PY'
import os, socket, sqlite3, sys, time
port, user, new, work = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
for d in ("tmp", "new", "cur"):
    os.makedirs(os.path.join(work, "Maildir", d), exist_ok=True)
marks = []
t = time.monotonic()
def mark(name):
    global t
    now = time.monotonic()
    marks.append((name, 1000 * (now - t)))
    t = now
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = s.makefile("rb")
f.readline()
mark("connect")
def multi(cmd):
    s.sendall(cmd)
    f.readline()
    lines = []
    while True:
        l = f.readline()
        if l == b".\r\n":
            return lines
        lines.append(l)
multi(b"CAPA\r\n")
mark("capa")
s.sendall(f"USER {user}\r\n".encode()); f.readline()
s.sendall(f"PASS pw-{user}\r\n".encode()); f.readline()
mark("login")
listing = multi(b"LIST\r\n")
mark("list")
uids = multi(b"UIDL\r\n")
mark("uidl")
count = len(listing)
numbers = range(max(1, count - new + 1), count + 1)
s.sendall(b"".join(f"RETR {n}\r\n".encode() for n in numbers))
bodies = []
for n in numbers:
    f.readline()
    body = []
    while True:
        l = f.readline()
        if l == b".\r\n":
            break
        body.append(l[1:] if l.startswith(b"..") else l)
    bodies.append(b"".join(body))
mark("retr")
s.sendall(b"QUIT\r\n"); f.readline(); s.close()
mark("quit")
md = os.path.join(work, "Maildir")
names = []
for i, b in enumerate(bodies):
    name = f"{time.time():.0f}.M{i}P{os.getpid()}.floor"
    fd = os.open(os.path.join(md, "tmp", name), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.write(fd, b.replace(b"\r\n", b"\n"))
    names.append((fd, name))
for fd, name in names:
    os.fsync(fd); os.close(fd)
    os.rename(os.path.join(md, "tmp", name), os.path.join(md, "new", name))
dfd = os.open(os.path.join(md, "new"), os.O_RDONLY); os.fsync(dfd); os.close(dfd)
mark("maildir")
db = sqlite3.connect(os.path.join(work, "floor.db"))
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS seen (uid TEXT PRIMARY KEY)")
with db:
    db.executemany("INSERT OR REPLACE INTO seen VALUES (?)",
                   [(u.split()[1].decode(),) for u in uids[-new:]])
db.close()
mark("sqlite")
total = sum(ms for _, ms in marks)
print(f"{total:.1f} (" + " ".join(f"{n} {ms:.1f}" for n, ms in marks) + ")")
PY
}

polls_done() {
  if [ "$METRICS" != on ]; then
    # Without metrics, the polls that fetched something: each logs a line (idle's first polls).
    grep -c 'AccountPoll - .*[1-9][0-9]* fetched' "$WORK/service.log" || true
    return
  fi
  curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
    awk '/^popfetch_polls_total/ {n += $2} END {print n + 0}'
}

poll() {
  local known=${1:-20000} polls=${2:-10} u i before sum
  if [ "$METRICS" != on ]; then
    echo "poll reads the poll durations from the metrics: METRICS=on" >&2
    exit 64
  fi
  u=$(user "${POLL_USER:-1}") # another than idle's, to run beside it
  fill "$u" "$known"
  config 1 60m "${POLL_USER:-1}"
  start
  # The first scheduled poll comes within 30 s (jitter); asking for one polls at once. Exit
  # status 1 is "nothing new": the scheduled poll may have come first.
  java -jar "$JAR" poll --config "$WORK/popfetch.yaml" >/dev/null || [ $? = 1 ]
  echo "primed: $(find "$WORK/out/$u/new" -type f | wc -l) messages fetched"
  for i in $(seq 1 "$polls"); do
    fill "$u" 10 $((known + 10 * (i - 1)))
    before=$(polls_done)
    sum=$(poll_seconds)
    java -jar "$JAR" poll --config "$WORK/popfetch.yaml" >/dev/null
    [ "$(polls_done)" -eq $((before + 1)) ] || { echo "not one poll counted" >&2; exit 1; }
    echo "poll $i: $(awk -v a="$sum" -v b="$(poll_seconds)" 'BEGIN {printf "%.1f", 1000 * (b - a)}') ms;" \
      "floor: $(floor "$u" 10) ms"
  done
  echo "fetched in all: $(find "$WORK/out/$u/new" -type f | wc -l)"
}

case "$mode" in
  idle) shift; idle "$@" ;;
  poll) shift; poll "$@" ;;
  *) echo "usage: $0 idle [ACCOUNTS] [SECONDS] | poll [KNOWN] [POLLS]" >&2; exit 64 ;;
esac
