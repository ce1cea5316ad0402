#!/usr/bin/env bash
# Install the app's dependencies into a virtualenv at /app/.heroku/python, with the
# package manager its files name, by the command heroku-buildpack-python runs:
#   pip     pip install -r requirements.txt
#   Pipenv  pipenv install --deploy
#   Poetry  poetry sync --only main
#   uv      uv sync --locked --no-default-groups
#
# The virtualenv has no pip of its own (but for Pipenv, which needs one): the stack's
# pip installs into it with `--python`, which skips ensurepip (about 2 s) and keeps
# 12 MB out of every slug.
#
# The virtualenv is kept in CACHE_DIR with a key made of the stack's Python, the
# package manager's version and the dependency files: an unchanged key restores it and
# installs nothing (nothing is downloaded).

VENV_DIR_NAME=".heroku/python"
# Bump when the way the virtualenv is made changes, so no older cache is restored.
CACHE_FORMAT=3

dependencies::key() {
  local build_dir="$1" package_manager="$2" file
  {
    echo "cache format ${CACHE_FORMAT} on ${STACK:-unknown} with ${package_manager}"
    [[ "${package_manager}" == pip ]] || package_tools::requirement "${package_manager}"
    python3 --version
    for file in requirements.txt Pipfile Pipfile.lock pyproject.toml setup.py setup.cfg uv.lock poetry.lock; do
      if [[ -f "${build_dir}/${file}" ]]; then
        echo "${file}"
        cat "${build_dir}/${file}"
      fi
    done
  } | sha256sum | cut -d' ' -f1
}

dependencies::install() {
  local build_dir="$1" cache_dir="$2" package_manager="$3" venv key
  venv="${build_dir}/${VENV_DIR_NAME}"
  key="$(dependencies::key "${build_dir}" "${package_manager}")"
  mkdir -p "${cache_dir}/python"
  if [[ -f "${cache_dir}/python/key" && "$(cat "${cache_dir}/python/key")" == "${key}" && -d "${cache_dir}/python/venv" ]]; then
    mkdir -p "$(dirname "${venv}")"
    cp -a "${cache_dir}/python/venv" "${venv}"
    output::step "Dependencies unchanged since the last build: restored from the cache, nothing downloaded"
    return 0
  fi
  output::step "Creating a virtualenv in ${VENV_DIR_NAME}"
  if [[ "${package_manager}" == pipenv ]]; then
    python3 -m venv "${venv}"
  else
    python3 -m venv --without-pip "${venv}"
  fi
  "dependencies::with_${package_manager}" "${build_dir}" "${cache_dir}" "${venv}"
  rm -rf "${cache_dir}/python/venv"
  cp -a "${venv}" "${cache_dir}/python/venv"
  echo "${key}" > "${cache_dir}/python/key"
}

# Run an install command with its output indented; fail the build with `message`.
dependencies::run() {
  local message="$1"
  shift
  if ! "$@" 2>&1 | output::indent; then
    output::error "${message}"
  fi
}

dependencies::with_pip() {
  local build_dir="$1" cache_dir="$2" venv="$3"
  output::step "Installing dependencies using 'pip install -r requirements.txt'"
  dependencies::run "Error: Unable to install dependencies using pip: check the package names and versions in requirements.txt (see the lines above), then push again." \
    python3 -m pip --python "${venv}/bin/python" install --disable-pip-version-check \
    --no-input --progress-bar off --cache-dir "${cache_dir}/pip" -r "${build_dir}/requirements.txt"
}

dependencies::with_uv() {
  local build_dir="$1" cache_dir="$2" venv="$3" bin
  bin="$(package_tools::ensure uv "${cache_dir}")"
  output::step "Installing dependencies using 'uv sync --locked --no-default-groups'"
  dependencies::run "Error: Unable to install dependencies using uv: if uv.lock is out of date run 'uv lock' and commit it (see the lines above), then push again." \
    env UV_PROJECT_ENVIRONMENT="${venv}" UV_PYTHON="${venv}/bin/python" UV_NO_MANAGED_PYTHON=1 \
    UV_PYTHON_DOWNLOADS=never UV_CACHE_DIR="${cache_dir}/uv" UV_LINK_MODE=copy \
    "${bin}/uv" sync --locked --no-default-groups --compile-bytecode --no-progress --color never
}

dependencies::with_poetry() {
  local build_dir="$1" cache_dir="$2" venv="$3" bin
  bin="$(package_tools::ensure poetry "${cache_dir}")"
  output::step "Installing dependencies using 'poetry sync --only main'"
  dependencies::run "Error: Unable to install dependencies using Poetry: if poetry.lock is out of date run 'poetry lock' and commit it (see the lines above), then push again." \
    env VIRTUAL_ENV="${venv}" PATH="${venv}/bin:${PATH}" POETRY_VIRTUALENVS_CREATE=false \
    POETRY_CACHE_DIR="${cache_dir}/poetry" \
    "${bin}/poetry" sync --only main --compile --no-ansi --no-interaction
}

dependencies::with_pipenv() {
  local build_dir="$1" cache_dir="$2" venv="$3" bin
  bin="$(package_tools::ensure pipenv "${cache_dir}")"
  output::step "Installing dependencies using 'pipenv install --deploy'"
  dependencies::run "Error: Unable to install dependencies using Pipenv: if Pipfile.lock is out of date run 'pipenv lock' and commit it (see the lines above), then push again." \
    env VIRTUAL_ENV="${venv}" PATH="${venv}/bin:${PATH}" PIPENV_SYSTEM=1 PIPENV_VERBOSITY=-1 \
    PIPENV_NOSPIN=1 PIP_SRC="${venv}/src" PIPENV_CACHE_DIR="${cache_dir}/pipenv" \
    PIP_CACHE_DIR="${cache_dir}/pip" \
    "${bin}/pipenv" install --deploy
}
