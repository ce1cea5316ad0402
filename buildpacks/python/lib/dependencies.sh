#!/usr/bin/env bash
# Install the app's dependencies into a virtualenv at /app/.heroku/python.
#
# The virtualenv has no pip of its own: the stack's pip installs into it with
# `--python`, which skips ensurepip (about 2 s) and keeps 12 MB out of every slug.
#
# The virtualenv is kept in CACHE_DIR with a key made of the stack's Python and the
# dependency files: an unchanged key restores it and skips pip entirely (nothing is
# downloaded), a changed one builds a fresh virtualenv with pip's wheel cache.

VENV_DIR_NAME=".heroku/python"
# Bump when the way the virtualenv is made changes, so no older cache is restored.
CACHE_FORMAT=2

dependencies::key() {
  local build_dir="$1" file
  {
    echo "cache format ${CACHE_FORMAT} on ${STACK:-unknown}"
    python3 --version
    for file in requirements.txt Pipfile.lock pyproject.toml setup.py setup.cfg uv.lock poetry.lock; do
      if [[ -f "${build_dir}/${file}" ]]; then
        echo "${file}"
        cat "${build_dir}/${file}"
      fi
    done
  } | sha256sum | cut -d' ' -f1
}

# pip's arguments for what the app declares, most specific first.
dependencies::pip_args() {
  local build_dir="$1"
  if [[ -f "${build_dir}/requirements.txt" ]]; then
    echo "-r requirements.txt"
  elif [[ -f "${build_dir}/Pipfile.lock" ]]; then
    python3 "${BUILDPACK_DIR}/lib/pipfile_lock.py" "${build_dir}/Pipfile.lock" > /tmp/pipfile-requirements.txt
    echo "-r /tmp/pipfile-requirements.txt"
  elif [[ -f "${build_dir}/pyproject.toml" || -f "${build_dir}/setup.py" ]]; then
    for lock in uv.lock poetry.lock; do
      if [[ -f "${build_dir}/${lock}" ]]; then
        output::info "Note: ${lock} is not read yet; installing what pyproject.toml declares" >&2
      fi
    done
    echo "--editable ."
  fi
}

dependencies::install() {
  local build_dir="$1" cache_dir="$2" venv key args
  venv="${build_dir}/${VENV_DIR_NAME}"
  key="$(dependencies::key "${build_dir}")"
  mkdir -p "${cache_dir}/python"
  if [[ -f "${cache_dir}/python/key" && "$(cat "${cache_dir}/python/key")" == "${key}" && -d "${cache_dir}/python/venv" ]]; then
    mkdir -p "$(dirname "${venv}")"
    cp -a "${cache_dir}/python/venv" "${venv}"
    output::step "Dependencies unchanged since the last build: restored from the cache, nothing downloaded"
    return 0
  fi
  args="$(dependencies::pip_args "${build_dir}")"
  output::step "Creating a virtualenv in ${VENV_DIR_NAME}"
  python3 -m venv --without-pip "${venv}"
  if [[ -z "${args}" ]]; then
    output::info "No requirements.txt, Pipfile.lock, pyproject.toml or setup.py: no dependencies to install"
  else
    output::step "Installing dependencies with pip (${args})"
    # shellcheck disable=SC2086
    if ! python3 -m pip --python "${venv}/bin/python" install --disable-pip-version-check \
        --no-input --progress-bar off --cache-dir "${cache_dir}/pip" ${args} 2>&1 | output::indent; then
      output::error "pip could not install the app's dependencies (see the lines above).
Check the package names and versions in your requirements, then push again."
    fi
  fi
  rm -rf "${cache_dir}/python/venv"
  cp -a "${venv}" "${cache_dir}/python/venv"
  echo "${key}" > "${cache_dir}/python/key"
}
