# Helpers of the package test (sourced by in-sandbox.sh): one PASS/FAIL line per check, waiting
# for a condition without fixed sleeps, and a private Dovecot's mailboxes.

FAILURES=0
CHECKS=0

# pass NAME [DETAIL]
pass() {
  CHECKS=$((CHECKS + 1))
  echo "PASS $1${2:+ ($2)}"
}

# fail NAME WHY: the why is cut to a few lines, so one failure cannot flood the report.
fail() {
  CHECKS=$((CHECKS + 1))
  FAILURES=$((FAILURES + 1))
  echo "FAIL $1: $(printf '%s' "$2" | head -c 1500 | sed '2,$s/^/     /')"
}

# A figure for the report, not a check.
info() { echo "INFO $*"; }

# check NAME CMD [ARG...]: PASS if CMD exits 0, else FAIL with what it printed.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "exit $?: $out"; fi
}

# wait_for SECONDS CMD [ARG...]: runs CMD every 0.2 s until it succeeds (0) or time is up (1).
wait_for() {
  local deadline=$(($(date +%s%N) + $1 * 1000000000))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# wait_unit UNIT SECONDS CMD [ARG...]: as wait_for, but gives up at once when UNIT is no longer
# active (it failed, or restarts): waiting for its work would only run out the clock. A reload
# (systemctl's, or the service's own when its file changes) is not an end.
wait_unit() {
  local unit=$1 deadline=$(($(date +%s%N) + $2 * 1000000000))
  shift 2
  until "$@" >/dev/null 2>&1; do
    case "$(systemctl is-active "$unit")" in active | reloading) ;; *) return 2 ;; esac
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# now: seconds since the epoch with milliseconds, for measured intervals.
now() { date +%s.%3N; }

# elapsed FROM [TO]: seconds between two now values, e.g. "1.234".
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'; }

MAILROOT=/srv/popfetch-test

# drop SOURCE TOKEN: one new message in the Dovecot mailbox SOURCE, its subject and body the token.
drop() {
  local md=$MAILROOT/$1/Maildir name
  name="$(date +%s).M$RANDOM$RANDOM.$2.pf-sys"
  printf 'From: sender@example.org\nTo: %s@example.org\nSubject: %s\nMessage-ID: <%s@pf-sys.example.org>\nDate: %s\n\nThe message %s.\n' \
    "$1" "$2" "$2" "$(date -R)" "$2" >"$md/tmp/$name"
  chown vmail:vmail "$md/tmp/$name"
  mv "$md/tmp/$name" "$md/new/$name"
}

# source_empty SOURCE: the Dovecot mailbox holds no message (popfetch deleted what it fetched).
source_empty() {
  [ -z "$(find "$MAILROOT/$1/Maildir/new" "$MAILROOT/$1/Maildir/cur" -type f -print -quit)" ]
}

# in_maildir DIR TOKEN: the Maildir DIR holds a message with the token.
in_maildir() {
  [ -d "$1/new" ] || [ -d "$1/cur" ] || return 1
  grep -rlqs -- "$2" "$1/new" "$1/cur" 2>/dev/null
}

# maildir_file DIR TOKEN: the path of the message with the token.
maildir_file() { grep -rls -- "$2" "$1/new" "$1/cur" 2>/dev/null | head -1; }

# owner_mode PATH: "user:group 600"
owner_mode() { stat -c '%U:%G %a' "$1"; }

# journal_since EPOCH [ARGS...]: the service's journal since then, as "EPOCH.usec message" lines.
journal_since() {
  local since=$1
  shift
  journalctl --no-pager -q -o short-unix --since "@${since%.*}" "$@"
}
