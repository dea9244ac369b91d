#!/bin/bash
# End-to-end test of the Debian package under a real systemd:
#   src/test/system/package-test.sh [target/popfetch_VERSION_all.deb]
#
# Boots the machine's own root as a throwaway systemd container (systemd-sandbox, an overlay whose
# writes go to a tmpfs), installs the package there with apt and drives the service as an admin
# would: a private Dovecot, two local users (Maildir, /var/mail mbox), LMTP, reload, poll now,
# stop, a per-user instance, remove and purge (in-sandbox.sh). Prints one PASS/FAIL line per
# check and exits 1 if any failed.
#
# Exits 77 after one "SKIP" line where the machine cannot run it: not root, no overlayfs, no
# systemd-nspawn to be had, or no systemd-sandbox (found as $SYSTEMD_SANDBOX, on PATH, or in
# shared/tools beside the checkout). The container is named $SANDBOX_NAME (default pf-sys) and is
# always stopped at the end.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
export SANDBOX_NAME=${SANDBOX_NAME:-pf-sys}
T0=$(date +%s.%N)

skip() {
  echo "SKIP package test: $*"
  exit 77
}

find_sandbox() {
  local d
  if [ -n "${SYSTEMD_SANDBOX:-}" ]; then echo "$SYSTEMD_SANDBOX"; return; fi
  command -v systemd-sandbox && return
  for d in "$ROOT/.." "$ROOT/../.."; do
    [ -x "$d/shared/tools/systemd-sandbox" ] && { echo "$(cd "$d" && pwd)/shared/tools/systemd-sandbox"; return; }
  done
}

[ "$(uname -s)" = Linux ] || skip "needs Linux"
[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn and an overlay mount)"
SANDBOX=$(find_sandbox)
[ -n "$SANDBOX" ] && [ -x "$SANDBOX" ] || skip "no systemd-sandbox (set SYSTEMD_SANDBOX to its path)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "no overlayfs in this kernel"
command -v systemd-nspawn >/dev/null || command -v apt-get >/dev/null ||
  skip "no systemd-nspawn and no apt-get to install systemd-container"

DEB=${1:-$(ls -t "$ROOT"/target/popfetch_*_all.deb 2>/dev/null | head -1)}
if [ -z "$DEB" ] || [ ! -f "$DEB" ]; then
  echo "FAIL package test: no package at ${1:-$ROOT/target/popfetch_*_all.deb}; build it with mvn package"
  exit 1
fi
DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")

# Where systemd-sandbox keeps the container's overlay (a tmpfs). Left mounted by a run that was
# killed or failed to unmount, it would hand this run the last one's files: drop it first.
OVERLAY=/var/tmp/systemd-sandbox-$SANDBOX_NAME
stale() { mountpoint -q "$OVERLAY" && ! pgrep -f "systemd-nspawn .* -D $OVERLAY/merged" >/dev/null; }
stop_sandbox() {
  for _ in 1 2 3 4 5; do
    "$SANDBOX" stop >/dev/null 2>&1
    mountpoint -q "$OVERLAY" || return 0
    sleep 1
  done
  echo "WARN the container's overlay is still mounted at $OVERLAY"
}

echo "package test: $(basename "$DEB") in container $SANDBOX_NAME"
if stale; then stop_sandbox; fi
if ! "$SANDBOX" start >/dev/null; then
  echo "FAIL package test: the container did not boot (one named $SANDBOX_NAME left running? stop it: SANDBOX_NAME=$SANDBOX_NAME $SANDBOX stop)"
  exit 1
fi
trap stop_sandbox EXIT
trap 'exit 130' INT TERM
echo "booted in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

# The container sees the host's tree: the scripts and the package at the same paths.
timeout 600 "$SANDBOX" exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \
  /bin/bash "$HERE/in-sandbox.sh" "$DEB"
rc=$?
[ $rc -eq 124 ] && echo "FAIL package test: timed out after 600 s"
echo "package test: $( [ $rc -eq 0 ] && echo PASSED || echo FAILED) in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s"
[ $rc -eq 0 ]
