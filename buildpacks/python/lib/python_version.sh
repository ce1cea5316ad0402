#!/usr/bin/env bash
# The Python version is chosen by the platform when it picks the stack; this checks
# that the stack it was given really has the version the app asked for.

python_version::requested() {
  local build_dir="$1"
  if [[ -f "${build_dir}/.python-version" ]]; then
    grep -v '^\s*#' "${build_dir}/.python-version" | tr -d '[:space:]'
  elif [[ -f "${build_dir}/runtime.txt" ]]; then
    tr -d '[:space:]' < "${build_dir}/runtime.txt" | sed 's/^python-//'
  fi
}

python_version::check_requested() {
  local build_dir="$1" requested available
  available="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  requested="$(python_version::requested "${build_dir}")"
  if [[ -z "${requested}" ]]; then
    output::step "Using Python ${available} (the stack's default; pin one with a .python-version file)"
  elif [[ "${available}" == "${requested}" || "${available}" == "${requested}".* ]]; then
    output::step "Using Python ${available} (requested ${requested})"
  else
    output::error "Python ${requested} was requested, but this stack has Python ${available}.
Ask for a supported version in .python-version (run: minidyno stacks)."
  fi
}
