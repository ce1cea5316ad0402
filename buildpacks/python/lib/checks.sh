#!/usr/bin/env bash
# What the source must not contain, as heroku-buildpack-python's lib/checks.sh refuses it.

# A committed virtualenv works only on the machine that made it.
checks::no_committed_venv() {
  local build_dir="$1" name
  for name in .venv venv; do
    if [[ -f "${build_dir}/${name}/pyvenv.cfg" ]]; then
      output::error <<EOF
Error: Existing '${name}/' directory found: run 'git rm --cached -r ${name}/', add '${name}/' to .gitignore, commit and push again.

Your app's source code contains a directory named '${name}/', which looks like a
Python virtual environment. Including one in your app isn't supported, since the
files within it are specific to a single machine and won't work anywhere else.
EOF
    fi
  done
}
