#!/usr/bin/env bash
# One voice for build output: the `----->` headers and indented detail Heroku users know.

output::step() {
  echo "-----> $*"
}

output::info() {
  echo "       $*"
}

# Indent everything a command prints, as it prints it.
output::indent() {
  sed -u 's/^/       /'
}

# A warning that does not stop the build: its lines, read from stdin, marked ` !     `.
output::warning() {
  {
    echo
    sed 's/^/ !     /'
    echo
  } >&2
}

# What happened, why, and what to do; then fail the build. Takes the message as an
# argument or on stdin. Its first line is the one-line summary the push ends with: the
# platform reads it from /tmp/minidyno/error, so it must say what to do. (TMPDIR moves
# it only where the rules run outside a build container: the unit tests, side by side.)
output::error() {
  local message
  if (($#)); then message="$*"; else message="$(cat)"; fi
  mkdir -p "${TMPDIR:-/tmp}/minidyno"
  head -n 1 <<< "${message}" | sed 's/^Error: //' > "${TMPDIR:-/tmp}/minidyno/error"
  {
    echo
    while IFS= read -r line; do
      echo " !     ${line}"
    done <<< "${message}"
    echo
  } >&2
  exit 1
}
