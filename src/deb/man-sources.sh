#!/bin/sh
# Puts the hand-written man page sources beside those picocli generated, for one run of
# asciidoctor (JRuby takes seconds to start): popfetch.yaml(5) as it is, and the sections of
# popfetch(1) that the command line does not describe (environment, files, see also) after the
# generated ones.
# Usage: man-sources.sh BASEDIR WORKDIR
set -eu
base=$1
src=$2/man-src

if [ ! -f "$src/popfetch.adoc" ]; then
  echo "man-sources.sh: $src/popfetch.adoc was not generated; see picocli's output above" >&2
  exit 1
fi
cp "$base/src/man/popfetch.yaml.adoc" "$src/"
# The generated page ends with its full-manpage tag; what follows it joins the same page.
if ! grep -q '^== Environment$' "$src/popfetch.adoc"; then
  cat "$base/src/man/popfetch.1.tail.adoc" >> "$src/popfetch.adoc"
fi
