#!/usr/bin/env bash
# Which package manager installs the app, from its files, by heroku-buildpack-python's
# rules (lib/package_manager.sh): exactly one of requirements.txt (pip), Pipfile.lock
# (Pipenv), poetry.lock (Poetry) and uv.lock (uv); a Pipfile needs its lock; setup.py or
# pyproject.toml alone name no package manager.

package_manager::determine() {
  local build_dir="$1" found=() shown=()
  if [[ -f "${build_dir}/Pipfile.lock" ]]; then
    found+=(pipenv)
    shown+=("Pipfile.lock (Pipenv)")
  elif [[ -f "${build_dir}/Pipfile" ]]; then
    output::error <<'EOF'
Error: No 'Pipfile.lock' found: run 'pipenv lock', commit Pipfile.lock and push again.

A 'Pipfile' file was found, however, the associated 'Pipfile.lock' Pipenv lockfile
wasn't, so your dependency versions aren't pinned. Make sure 'Pipfile.lock' isn't
listed in '.gitignore'. Or switch package manager: delete the Pipfile and add a
'requirements.txt', 'poetry.lock' or 'uv.lock' file.
EOF
  fi
  if [[ -f "${build_dir}/requirements.txt" ]]; then
    found+=(pip)
    shown+=("requirements.txt (pip)")
  fi
  if [[ -f "${build_dir}/poetry.lock" ]]; then
    found+=(poetry)
    shown+=("poetry.lock (Poetry)")
  fi
  if [[ -f "${build_dir}/uv.lock" ]]; then
    found+=(uv)
    shown+=("uv.lock (uv)")
  fi
  case "${#found[@]}" in
    1)
      echo "${found[0]}"
      ;;
    0)
      if [[ -f "${build_dir}/setup.py" ]]; then
        output::error <<'EOF'
Error: Only a setup.py and no package manager file: add a requirements.txt containing '--editable .' (or a poetry.lock or uv.lock), commit and push again.

Heroku's Python buildpack no longer guesses how to install a setup.py alone
(the fallback was sunset): it must be told which package manager to use.
EOF
      fi
      output::error <<EOF
Error: Couldn't find any supported Python package manager files: add a requirements.txt (empty if the app has no dependencies), Pipfile.lock, poetry.lock or uv.lock at the root, commit and push again.

A Python app on Heroku must have one of these in the root directory of its source.
$([[ -f "${build_dir}/pyproject.toml" ]] && echo "A pyproject.toml alone is not enough: lock it with 'uv lock' or 'poetry lock'.")
The root directory of your app contains:
$(ls -1A --indicator-style=slash "${build_dir}" | head -n 30)
EOF
      ;;
    *)
      output::error <<EOF
Error: Multiple Python package manager files were found ($(IFS=,; echo "${found[*]}")): keep the one you use, delete the others, commit and push again.

Exactly one package manager file should be present in your app's source code,
however, several were found:
$(printf -- '%s\n' "${shown[@]}")
Heroku no longer guesses which one to use.
EOF
      ;;
  esac
}
