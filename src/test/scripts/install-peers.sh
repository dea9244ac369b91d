#!/usr/bin/env bash
# Installs the Debian packages that the integration tests run as real peers, when missing.
# Called by `mvn verify` before the integration tests, and safe to run by hand.
set -euo pipefail

# package -> a file it installs
declare -A PEERS=(
  [dovecot-core]=/usr/sbin/dovecot
  [dovecot-pop3d]=/usr/lib/dovecot/pop3
  [dovecot-lmtpd]=/usr/lib/dovecot/lmtp
  [procmail]=/usr/bin/procmail
  [jsvc]=/usr/bin/jsvc
  [dnsmasq-base]=/usr/sbin/dnsmasq
  [python3-aiosmtpd]=/usr/lib/python3/dist-packages/aiosmtpd/__init__.py
  # the shared state of a cluster; the tests run their own server (testing/PostgresInstance)
  [postgresql-15]=/usr/lib/postgresql/15/bin/postgres
  # the clients popfetch imports from (popfetch import seen)
  [fetchmail]=/usr/bin/fetchmail
  [mpop]=/usr/bin/mpop
  [getmail6]=/usr/bin/getmail
)

missing=()
for pkg in "${!PEERS[@]}"; do
  [ -e "${PEERS[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-peers: need root to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
# The packages must not start a system Dovecot: the tests run their own on loopback ports.
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
