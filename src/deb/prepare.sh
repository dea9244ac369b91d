#!/bin/sh
# Gathers the generated files of the Debian package as Debian wants them: man pages and the
# changelog compressed with gzip -9n (no name or time stamp inside, so builds are reproducible),
# the bash completion without its #! line (it is sourced, not run), the documentation.
# Usage: prepare.sh BASEDIR WORKDIR
set -eu
base=$1
work=$2

for generated in "$work/popfetch-completion.bash" "$work/man/popfetch.1" "$work/man/popfetch.yaml.5"; do
  if [ ! -f "$generated" ]; then
    echo "prepare.sh: $generated was not generated; see the picocli or asciidoctor output above" >&2
    exit 1
  fi
done
gzip -9nf "$work"/man/*.[15]
mkdir -p "$work/completion"
sed 1d "$work/popfetch-completion.bash" > "$work/completion/popfetch"

rm -rf "$work/doc"
mkdir -p "$work/doc/examples"
cp "$base/README.md" "$base/src/deb/copyright" "$work/doc/"
gzip -9nc "$base/src/deb/changelog" > "$work/doc/changelog.gz"
cp "$base/systemd/popfetch-jsvc.service" "$base/conf/popfetch.yaml" "$base/conf/logback-json.xml" \
  "$work/doc/examples/"
