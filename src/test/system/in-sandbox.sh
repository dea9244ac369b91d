#!/bin/bash
# The package test proper, run as root inside a throwaway systemd container (package-test.sh
# boots it): installs the .deb, sets up a private Dovecot and three local users, and drives the
# installed service with systemctl as an admin would. One PASS/FAIL line per check; exits 1 if
# any failed.
#   in-sandbox.sh /path/to/popfetch_VERSION_all.deb
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
DEB=$1
CONF=/etc/popfetch/popfetch.yaml
export DEBIAN_FRONTEND=noninteractive SYSTEMD_PAGER='' LC_ALL=C.UTF-8

# --- the peers: a private Dovecot (POP3 sources, LMTP target) and the local users ------------

setup_dovecot() {
  useradd --system --no-create-home --shell /usr/sbin/nologin vmail
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  sed -e "s/@PORT@/$PORT/" -e "s/@VMAIL_UID@/$(id -u vmail)/" "$HERE/dovecot.conf" >/etc/dovecot/dovecot.conf
  : >/etc/dovecot/popfetch-test.users
  # POP3 sources (NAME-src) and the LMTP recipient (team)
  for u in alice-src bob-src team-src extra-src ondemand-src piped-src carol-src bad-src team; do
    echo "$u:{PLAIN}pw-$u::::::" >>/etc/dovecot/popfetch-test.users
    mkdir -p "$MAILROOT/$u/Maildir/"{new,cur,tmp}
  done
  chown -R vmail:vmail "$MAILROOT"
  check "a private Dovecot serves POP3 on 127.0.0.1:$PORT and LMTP on /run/dovecot/lmtp" \
    sh -c "systemctl restart dovecot && test -S /run/dovecot/lmtp"
}

setup_users() {
  # alice reads a Maildir, bob a /var/mail mbox, carol runs her own instance. Neither ~/Maildir
  # nor /var/mail/bob exist yet: the first delivery creates them, as the user.
  useradd --create-home --shell /bin/bash alice
  useradd --create-home --shell /bin/bash bob
  useradd --create-home --shell /bin/bash carol
  rm -f /var/mail/alice /var/mail/bob /var/mail/carol
}

# --- the package -----------------------------------------------------------------------------

install_package() {
  info "package $(basename "$DEB"): $(du -k "$DEB" | cut -f1) KiB"
  check "apt-get install ./$(basename "$DEB")" apt-get install -y -q --no-install-recommends "$DEB"
  local missing=()
  for f in /usr/bin/popfetch /usr/share/popfetch/popfetch.jar /lib/systemd/system/popfetch.service \
    /lib/systemd/system/popfetch@.service /lib/systemd/system/popfetch-deliver@.service \
    /lib/systemd/system/popfetch-deliver@.socket /usr/share/doc/popfetch/examples/popfetch-jsvc.service; do
    [ -e "$f" ] || missing+=("$f")
  done
  if [ ${#missing[@]} -eq 0 ]; then pass "the package installs the launcher, the jar and the units"
  else fail "the package installs the launcher, the jar and the units" "missing: ${missing[*]}"; fi
  local got
  got="$(id -u popfetch >/dev/null 2>&1 && echo user) $(owner_mode /var/lib/popfetch 2>&1) $(owner_mode $CONF 2>&1)"
  if [ "$got" = "user popfetch:popfetch 750 root:popfetch 640" ]; then
    pass "user popfetch, /var/lib/popfetch 0750 popfetch:popfetch, $CONF 0640 root:popfetch"
  else
    fail "user popfetch, /var/lib/popfetch 0750 popfetch:popfetch, $CONF 0640 root:popfetch" "got: $got"
  fi
  got="$(systemctl is-enabled popfetch.service 2>&1) $(systemctl is-active popfetch.service 2>&1)"
  case "$got" in
  disabled\ inactive) pass "nothing enabled or started by the install" ;;
  *) fail "nothing enabled or started by the install" "popfetch.service is $got" ;;
  esac
  if out=$(popfetch --version 2>&1) && [ -n "$out" ]; then pass "popfetch --version" "$(echo "$out" | head -1)"
  else fail "popfetch --version" "$out"; fi
  # The class-data archives postinst made by training runs, one for `run` and one for every other
  # command, readable by all, and each mapped by a start as the service's user (the JVM says which
  # archive it mapped at -Xlog:cds).
  local archives poll_archive run_archive mapped_poll mapped_run
  archives=$(ls /var/cache/popfetch/popfetch-*.jsa 2>&1)
  poll_archive=$(ls /var/cache/popfetch/popfetch-poll-*.jsa 2>/dev/null)
  run_archive=$(ls /var/cache/popfetch/popfetch-run-[0-9]*.jsa 2>/dev/null)
  mapped_poll=$(setpriv --reuid popfetch --regid popfetch --clear-groups env HOME=/var/lib/popfetch \
    POPFETCH_JAVA_OPTS=-Xlog:cds popfetch --version 2>&1 \
    | grep -c "Opened archive $poll_archive" || true)
  mapped_run=$(setpriv --reuid popfetch --regid popfetch --clear-groups env HOME=/var/lib/popfetch \
    POPFETCH_JAVA_OPTS=-Xlog:cds popfetch run --help 2>&1 \
    | grep -c "Opened archive $run_archive" || true)
  if [ "$(echo "$archives" | wc -l)" = 2 ] && [ -n "$poll_archive" ] && [ -n "$run_archive" ] \
      && [ "$(owner_mode "$poll_archive")" = "root:root 644" ] \
      && [ "$(owner_mode "$run_archive")" = "root:root 644" ] \
      && [ "$mapped_poll" -ge 1 ] && [ "$mapped_run" -ge 1 ] && [ ! -e /var/lib/popfetch/.cache ]; then
    pass "postinst made both class-data archives; the service's user maps each" \
      "$(echo "$archives" | tr '\n' ' ')"
  else
    fail "postinst made both class-data archives; the service's user maps each" \
      "archives: $(echo "$archives" | tr '\n' ' '); mapped: poll $mapped_poll, run $mapped_run; $(ls -la /var/cache/popfetch /var/lib/popfetch/.cache 2>&1 | tr '\n' ' ')"
  fi
}

# --- the system service ----------------------------------------------------------------------

# secret NAME: a password file as the README shows them, private to the user popfetch.
secret() {
  printf 'pw-%s-src\n' "$1" >"/etc/popfetch/$1.pass"
  chown popfetch:popfetch "/etc/popfetch/$1.pass"
  chmod 600 "/etc/popfetch/$1.pass"
}

# account NAME DELIVER [EXTRA]: one account of $CONF fetching from NAME-src.
account() {
  printf '  - name: %s\n    user: %s-src\n    password: { file: /etc/popfetch/%s.pass }\n    deliver: %s\n' \
    "$1" "$1" "$1" "$2"
  [ -z "${3:-}" ] || printf '    %s\n' "$3"
}

write_config() {
  for a in alice bob team extra ondemand piped; do secret "$a"; done
  # One account with a wrong password: its refused logins are the warning to look for.
  printf 'wrong\n' >/etc/popfetch/bad-login.pass
  chown popfetch:popfetch /etc/popfetch/bad-login.pass
  chmod 600 /etc/popfetch/bad-login.pass
  {
    cat <<EOF
# Written by the package test: three setups side by side.
defaults:
  server: 127.0.0.1
  port: $PORT
  tls: none
  interval: 10s
  timeout: 10s
accounts:
EOF
    account alice "{ maildir: /home/alice/Maildir, user: alice }"
    account bob "{ mbox: /var/mail/bob, user: bob }"
    # Its password written in the packaged file itself (0640 root:popfetch), as the README allows.
    account team "{ smtp: { host: /run/dovecot/lmtp, lmtp: true, tls: none, to: [team@localhost] } }" \
      | sed 's|password: { file: /etc/popfetch/team.pass }|password: pw-team-src|'
    # Polled only when asked: a cron that fires once a year.
    account ondemand "{ maildir: /home/alice/Maildir, user: alice }" 'cron: "0 0 3 1 1 ?"'
    # A pipe as another user, which the unprivileged service cannot run: one line, mail kept.
    account piped "{ pipe: [/usr/bin/procmail, -d, alice], user: alice }" 'cron: "0 0 3 1 1 ?"'
    cat <<EOF
  - name: bad-login
    user: bad-src
    password: { file: /etc/popfetch/bad-login.pass }
    deliver: { maildir: /var/lib/popfetch/bad-login }
EOF
  } >$CONF.new
  # Replacing the file keeps the conffile's owner and mode.
  cat $CONF.new >$CONF && rm $CONF.new
  # As the service's user: the password files are private to it.
  check "popfetch config check accepts the test's configuration" \
    runuser -u popfetch -- popfetch config check --config $CONF
}

enable_delivery_sockets() {
  check "systemctl enable --now popfetch-deliver@alice.socket popfetch-deliver@bob.socket" \
    systemctl enable --now popfetch-deliver@alice.socket popfetch-deliver@bob.socket
  local got
  got=$(owner_mode /run/popfetch-deliver/alice.sock 2>&1)
  if [ "$got" = "root:popfetch 660" ]; then pass "/run/popfetch-deliver/alice.sock is 0660 root:popfetch"
  else fail "/run/popfetch-deliver/alice.sock is 0660 root:popfetch" "got: $got"; fi
}

start_service() {
  drop alice-src alice-1
  drop bob-src bob-1
  drop team-src team-1
  T_START=$(now)
  if out=$(systemctl start popfetch 2>&1); then
    T_UP=$(now)
    pass "systemctl start popfetch" "returned after $(elapsed "$T_START" "$T_UP") s"
  else
    fail "systemctl start popfetch" "$out
$(journalctl -u popfetch --no-pager -n 20 2>&1)"
    return 1
  fi
  local state
  # Ready: told systemd so itself (Type=notify), and active (running) the moment start returns.
  state="$(systemctl show popfetch -p Type --value) $(systemctl show popfetch -p ActiveState --value)"
  state="$state $(systemctl show popfetch -p SubState --value)"
  if [ "$state" = "notify active running" ]; then pass "the service is ready when start returns" "$state"
  else fail "the service is ready when start returns" "Type ActiveState SubState: $state"; fi
  MAINPID=$(systemctl show popfetch -p MainPID --value)
}

first_poll() {
  local line
  if wait_unit popfetch 30 sh -c "journalctl -u popfetch -o cat --no-pager | grep -q ' on server, '"; then
    line=$(journal_since "$T_START" -u popfetch | grep -m1 ' on server, ')
    T_POLL=${line%% *}
    pass "first poll after start" "$(elapsed "$T_START" "$T_POLL") s from systemctl start: ${line#* }"
    # Each account's first poll comes after a random delay under its interval (at most 30 s),
    # so that many accounts do not all start at once: the figure is readiness plus that delay.
    info "systemctl start returned (ready) after $(elapsed "$T_START" "$T_UP") s;" \
      "first poll finished $(elapsed "$T_START" "$T_POLL") s after systemctl start (interval 10s)"
  else
    fail "first poll after start" "none within 30 s: $(journalctl -u popfetch --no-pager -n 15)"
  fi
}

check_local_delivery() {
  if wait_unit popfetch 30 in_maildir /home/alice/Maildir alice-1; then
    pass "alice's mail arrives in /home/alice/Maildir" "$(elapsed "$T_START") s after start"
  else
    fail "alice's mail arrives in /home/alice/Maildir" "$(journalctl -u popfetch -u 'popfetch-deliver@*' --no-pager -n 15)"
  fi
  local f bad
  f=$(maildir_file /home/alice/Maildir alice-1)
  if [ -n "$f" ]; then
    bad=$(find /home/alice/Maildir \( -type f \! \( -user alice -perm 600 \) \) -o \( -type d \! -user alice \) |
      xargs -r stat -c '%n %U:%G %a')
    if [ -z "$bad" ]; then pass "alice's Maildir and messages belong to alice, messages 0600" "$(owner_mode "$f")"
    else fail "alice's Maildir and messages belong to alice, messages 0600" "$bad"; fi
  fi
  if wait_unit popfetch 30 grep -qs 'Subject: bob-1' /var/mail/bob; then
    pass "bob's mail arrives in /var/mail/bob"
  else
    fail "bob's mail arrives in /var/mail/bob" "$(ls -l /var/mail; journalctl -u popfetch -u 'popfetch-deliver@*' --no-pager -n 15)"
  fi
  local got
  got=$(owner_mode /var/mail/bob 2>&1)
  if [ "$got" = "bob:mail 660" ]; then pass "/var/mail/bob is 0660 bob:mail"
  else fail "/var/mail/bob is 0660 bob:mail" "got: $got"; fi
  if wait_unit popfetch 10 source_empty alice-src && source_empty bob-src; then
    pass "fetched mail is deleted from Dovecot (alice-src, bob-src)"
  else
    fail "fetched mail is deleted from Dovecot (alice-src, bob-src)" "$(find $MAILROOT/alice-src/Maildir/new $MAILROOT/alice-src/Maildir/cur $MAILROOT/bob-src/Maildir/new $MAILROOT/bob-src/Maildir/cur -type f)"
  fi
}

check_lmtp() {
  # The queue runs every minute; "flush now" sends what the poll queued at once.
  wait_unit popfetch 30 source_empty team-src
  local out
  if out=$(popfetch queue flush --config $CONF 2>&1); then
    pass "popfetch queue flush reaches the running service" "$(echo "$out" | tail -1)"
  else
    fail "popfetch queue flush reaches the running service" "exit $?: $out"
  fi
  if wait_unit popfetch 80 in_maildir $MAILROOT/team/Maildir team-1; then
    pass "the LMTP account's mail reaches Dovecot's mailbox of team over /run/dovecot/lmtp" "$(elapsed "$T_START") s after start"
  else
    fail "the LMTP account's mail reaches Dovecot's mailbox of team over /run/dovecot/lmtp" \
      "$(journalctl -u popfetch --no-pager -n 15)"
  fi
  if source_empty team-src; then pass "the LMTP account's mail is deleted from Dovecot"
  else fail "the LMTP account's mail is deleted from Dovecot" "$(find $MAILROOT/team-src/Maildir/new $MAILROOT/team-src/Maildir/cur -type f)"; fi
}

check_warning() {
  if wait_unit popfetch 20 sh -c "journalctl -u popfetch -p warning -o cat --no-pager | grep -q bad-login"; then
    pass "journalctl -p warning -u popfetch shows the refused login" \
      "$(journalctl -u popfetch -p warning -o cat --no-pager | grep -m1 bad-login)"
  else
    fail "journalctl -p warning -u popfetch shows the refused login" \
      "at warning: $(journalctl -u popfetch -p warning -o cat --no-pager | tail -3); all: $(journalctl -u popfetch -o cat --no-pager | grep -m2 bad-login)"
  fi
}

check_poll_now() {
  drop ondemand-src ondemand-1
  local out rc t
  t=$(now)
  out=$(popfetch poll ondemand --config $CONF 2>&1)
  rc=$?
  # The mail is there when poll returns, and the service did it: no second process took the state.
  if [ $rc -eq 0 ] && in_maildir /home/alice/Maildir ondemand-1 &&
    journalctl -u popfetch -o cat --no-pager | grep -q 'ondemand: 1 on server, 1 fetched'; then
    pass "popfetch poll while the service runs: the service polls now, exit 0" "$(elapsed "$t") s: $(echo "$out" | tail -1)"
  else
    fail "popfetch poll while the service runs: the service polls now, exit 0" "exit $rc: $out"
  fi
  drop piped-src piped-1
  out=$(popfetch poll piped --config $CONF 2>&1)
  rc=$?
  if [ $rc -eq 10 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] &&
    echo "$out" | grep -q "popfetch is not root.*delivery agent.*popfetch@alice.service" &&
    ! source_empty piped-src; then
    pass "a pipe as another user under the service: one line saying what to do, exit 10, mail kept" "$out"
  else
    fail "a pipe as another user under the service: one line saying what to do, exit 10, mail kept" "exit $rc: $out"
  fi
  out=$(popfetch status --config $CONF 2>&1)
  rc=$?
  # 0 healthy, 1 an account is failing (bad-login is); 2 would be "no service answers"
  if [ $rc -le 1 ] && echo "$out" | grep -q alice && echo "$out" | grep -q bad-login; then
    pass "popfetch status answers from the running service" "exit $rc"
  else
    fail "popfetch status answers from the running service" "exit $rc: $out"
  fi
  # The socket is for root and the admins in group popfetch; anyone else is turned away.
  useradd --create-home --groups popfetch dave
  useradd --create-home erin
  out=$(runuser -u dave -- popfetch status --config $CONF 2>&1)
  rc=$?
  if [ $rc -le 1 ] && echo "$out" | grep -q alice; then pass "an admin in group popfetch reaches the service" "exit $rc"
  else fail "an admin in group popfetch reaches the service" "exit $rc: $out"; fi
  out=$(runuser -u erin -- popfetch poll ondemand --config $CONF 2>&1)
  rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 8 ] && [ "$(echo "$out" | wc -l)" -le 2 ]; then
    pass "a user outside group popfetch is turned away in one line" "exit $rc: $(echo "$out" | head -1)"
  else
    fail "a user outside group popfetch is turned away in one line" "exit $rc: $out"
  fi
}

check_reload() {
  secret extra
  drop extra-src extra-1
  cp -p $CONF /root/popfetch.yaml.good
  account extra "{ maildir: /home/alice/Maildir, user: alice }" >>$CONF
  local out t
  t=$(now)
  if out=$(systemctl reload popfetch 2>&1); then pass "systemctl reload popfetch with an added account"
  else fail "systemctl reload popfetch with an added account" "$out $(journalctl -u popfetch --no-pager -n 10)"; fi
  if wait_unit popfetch 25 in_maildir /home/alice/Maildir extra-1; then
    pass "the added account is polled after the reload" "$(elapsed "$t") s"
  else
    fail "the added account is polled after the reload" "$(journalctl -u popfetch --no-pager -n 10)"
  fi
  [ "$(systemctl show popfetch -p MainPID --value)" = "$MAINPID" ] && pass "reload keeps the process" ||
    fail "reload keeps the process" "MainPID $MAINPID became $(systemctl show popfetch -p MainPID --value)"

  cp -p $CONF /root/popfetch.yaml.reloaded
  printf '  - name: broken\n    server: [\n' >>$CONF
  if out=$(systemctl reload popfetch 2>&1); then
    fail "systemctl reload with a broken config fails" "it succeeded"
  else
    pass "systemctl reload with a broken config fails"
  fi
  out=$(popfetch reload --config $CONF 2>&1)
  local rc=$?
  if [ $rc -eq 5 ] && echo "$out" | grep -q "$CONF:[0-9]"; then
    pass "popfetch reload names FILE:LINE and exits 5" "$(echo "$out" | head -1)"
  else
    fail "popfetch reload names FILE:LINE and exits 5" "exit $rc: $out"
  fi
  local state
  state="$(systemctl is-active popfetch) $(systemctl show popfetch -p MainPID --value)"
  if [ "$state" = "active $MAINPID" ]; then pass "the service keeps running after the refused reload"
  else fail "the service keeps running after the refused reload" "is-active, MainPID: $state (was $MAINPID)"; fi
  drop extra-src extra-2
  if wait_unit popfetch 25 in_maildir /home/alice/Maildir extra-2; then
    pass "the running config (with the added account) still polls after the refused reload"
  else
    fail "the running config (with the added account) still polls after the refused reload" "$(journalctl -u popfetch --no-pager -n 10)"
  fi
  cat /root/popfetch.yaml.reloaded >$CONF
}

check_upgrade() {
  # The same build as a newer version: what an admin's next apt upgrade does to a running service.
  local d out before pid
  d=$(mktemp -d)
  dpkg-deb -R "$DEB" "$d/pkg"
  sed -i 's/^Version: .*/&+upgrade/' "$d/pkg/DEBIAN/control"
  dpkg-deb -Znone -b "$d/pkg" "$d/popfetch_upgrade_all.deb" >/dev/null
  before=$(sha256sum $CONF)
  if out=$(apt-get install -y -q "$d/popfetch_upgrade_all.deb" 2>&1); then
    pass "apt-get install of a newer build over the running service" "$(dpkg-query -W -f '${Version}' popfetch)"
  else
    fail "apt-get install of a newer build over the running service" "$out"
  fi
  pid=$(systemctl show popfetch -p MainPID --value)
  out="$(systemctl is-active popfetch) $( [ "$pid" != "$MAINPID" ] && echo restarted)"
  out="$out $( [ "$(sha256sum $CONF)" = "$before" ] && echo config-kept) $(owner_mode $CONF)"
  out="$out $( [ -s /var/lib/popfetch/state.db ] && echo state-kept)"
  if [ "$out" = "active restarted config-kept root:popfetch 640 state-kept" ]; then
    pass "the upgrade restarts the service and keeps the admin's config and the state"
  else
    fail "the upgrade restarts the service and keeps the admin's config and the state" "$out"
  fi
  MAINPID=$pid
  rm -rf "$d"
  drop ondemand-src ondemand-2
  out=$(popfetch poll ondemand --config $CONF 2>&1)
  if [ $? -eq 0 ] && in_maildir /home/alice/Maildir ondemand-2; then pass "the upgraded service delivers"
  else fail "the upgraded service delivers" "$out"; fi
}

stop_service() {
  local t out
  t=$(now)
  sleep 1 # the journal's --since has whole seconds
  if out=$(systemctl stop popfetch 2>&1); then pass "systemctl stop popfetch" "$(elapsed "$t") s"
  else fail "systemctl stop popfetch" "$out"; fi
  local result
  result="$(systemctl show popfetch -p Result --value) $(systemctl is-active popfetch)"
  if [ "$result" = "success inactive" ]; then pass "the service stopped cleanly (Result=success)"
  else fail "the service stopped cleanly (Result=success)" "Result, state: $result; $(journalctl -u popfetch --no-pager -n 8)"; fi
  out=$(journal_since "$t" -u popfetch -p err)
  if [ -z "$out" ]; then pass "no errors in the journal while stopping"
  else fail "no errors in the journal while stopping" "$out"; fi
}

# --- the per-user instance -------------------------------------------------------------------

start_user_instance() {
  drop carol-src carol-1
  install -d -o carol -g carol -m 700 /home/carol/.config /home/carol/.config/popfetch
  cat >/home/carol/.config/popfetch/popfetch.yaml <<EOF
# carol's own accounts, run by popfetch@carol.service; no state: named, so it
# goes to her ~/.local/state/popfetch, not the system's /var/lib/popfetch
accounts:
  - name: carol
    server: 127.0.0.1
    port: $PORT
    tls: none
    user: carol-src
    password: pw-carol-src
    interval: 10s
    deliver: { maildir: /home/carol/Maildir }
EOF
  chown carol:carol /home/carol/.config/popfetch/popfetch.yaml
  chmod 600 /home/carol/.config/popfetch/popfetch.yaml
  local out
  T_CAROL=$(now)
  if out=$(systemctl start popfetch@carol 2>&1); then pass "systemctl start popfetch@carol" "$(elapsed "$T_CAROL") s"
  else fail "systemctl start popfetch@carol" "$out $(journalctl -u popfetch@carol --no-pager -n 10)"; fi
}

# check_user_instance: after start_user_instance, while the system service's checks ran.
check_user_instance() {
  if wait_unit popfetch@carol 30 in_maildir /home/carol/Maildir carol-1; then
    pass "carol's instance delivers into /home/carol/Maildir" \
      "$(elapsed "$T_CAROL" "$(stat -c %.3Y "$(maildir_file /home/carol/Maildir carol-1)")") s after its start"
  else
    fail "carol's instance delivers into /home/carol/Maildir" "$(journalctl -u popfetch@carol --no-pager -n 10)"
  fi
  local f got
  f=$(maildir_file /home/carol/Maildir carol-1)
  got="$( [ -n "$f" ] && owner_mode "$f") $(owner_mode /home/carol/.local/state/popfetch/state.db 2>&1)"
  case "$got" in
  "carol:carol 600 carol:carol 600") pass "carol's mail is 0600 carol, her state is ~/.local/state/popfetch/state.db (the default for her file)" ;;
  *) fail "carol's mail is 0600 carol, her state is ~/.local/state/popfetch/state.db (the default for her file)" "message, state: $got" ;;
  esac
  if source_empty carol-src; then pass "carol's fetched mail is deleted from Dovecot"
  else fail "carol's fetched mail is deleted from Dovecot" "$(find $MAILROOT/carol-src/Maildir/new $MAILROOT/carol-src/Maildir/cur -type f)"; fi
}

# --- remove and purge ------------------------------------------------------------------------

remove_and_purge() {
  # Removing the package stops what runs of it: carol's instance still does.
  local t state
  t=$(now)
  sleep 1 # the journal's --since has whole seconds
  check "apt-get remove popfetch" apt-get remove -y -q popfetch
  state="$(systemctl is-active popfetch@carol) $(pgrep -u carol -c java)"
  state="$state $(journal_since "$t" -u popfetch@carol -o cat | grep -c 'Deactivated successfully')"
  if [ "$state" = "inactive 0 1" ]; then pass "remove stops the running per-user instance cleanly"
  else fail "remove stops the running per-user instance cleanly" "is-active, java processes of carol, clean stops: $state"; fi
  local left=""
  [ -e /usr/bin/popfetch ] && left="$left /usr/bin/popfetch"
  [ -e /var/lib/popfetch/state.db ] || left="$left (state.db gone)"
  [ -e $CONF ] || left="$left ($CONF gone)"
  if [ -z "$left" ]; then pass "remove leaves the state and the config, takes the program"
  else fail "remove leaves the state and the config, takes the program" "$left"; fi
  check "dpkg --purge popfetch" dpkg --purge popfetch
  left=$(ls -d /etc/popfetch /var/lib/popfetch 2>/dev/null)
  if [ -z "$left" ]; then pass "purge removes /etc/popfetch and /var/lib/popfetch"
  else fail "purge removes /etc/popfetch and /var/lib/popfetch" "left: $left $(ls -A /etc/popfetch 2>/dev/null)"; fi
}

# --- the run ---------------------------------------------------------------------------------

# A fresh copy of a machine without popfetch, or the checks would see another run's leftovers.
for u in vmail alice bob carol dave erin; do
  if id "$u" >/dev/null 2>&1; then echo "FAIL the container is not fresh: user $u exists"; exit 1; fi
done
if dpkg-query -W -f '${Status}' popfetch 2>/dev/null | grep -q installed; then
  echo "FAIL popfetch is installed on this machine already: the test installs it on one without"
  exit 1
fi
# This root may come from a container image whose policy-rc.d forbids starting services (101) for
# image builds; a Debian host has none, and the package's scripts must be seen acting as there.
rm -f /usr/sbin/policy-rc.d
# Rebuilding man-db's index at every install and remove costs seconds and tells nothing here.
rm -f /var/lib/man-db/auto-update
setup_dovecot
setup_users
install_package
if command -v popfetch >/dev/null; then
  info "$(systemd-analyze security popfetch.service 2>/dev/null | tail -1)"
  write_config
  enable_delivery_sockets
  start_service && SYSTEM_UP=1
  start_user_instance
  if [ -n "${SYSTEM_UP:-}" ]; then
    first_poll
    check_local_delivery
    check_lmtp
    check_warning
    check_poll_now
    check_reload
    check_upgrade
  fi
  check_user_instance
  [ -z "${SYSTEM_UP:-}" ] || stop_service
  remove_and_purge
else
  fail "popfetch is on PATH after the install" "the remaining checks need it"
fi
echo "$((CHECKS - FAILURES)) of $CHECKS checks passed"
[ "$FAILURES" -eq 0 ]
