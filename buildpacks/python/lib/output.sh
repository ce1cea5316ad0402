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

# What happened, why, and what to do; then fail the build.
output::error() {
  echo
  while IFS= read -r line; do
    echo " !     ${line}"
  done <<< "$*"
  echo
  exit 1
}
