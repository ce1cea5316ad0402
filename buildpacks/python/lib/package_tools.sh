#!/usr/bin/env bash
# uv, Poetry and Pipenv at the versions heroku-buildpack-python pins (requirements/*.txt,
# its v351), installed from PyPI into a virtualenv of their own in CACHE_DIR, so only
# the first build of an app downloads them.

# The pinned requirement of a tool: `uv==0.12.5`.
package_tools::requirement() {
  tr -d '[:space:]' < "${BUILDPACK_DIR}/requirements/$1.txt"
}

# Install the tool once per version; print the folder its commands are in.
package_tools::ensure() {
  local tool="$1" cache_dir="$2" requirement dir
  requirement="$(package_tools::requirement "${tool}")"
  dir="${cache_dir}/tools/${requirement/==/-}"
  if [[ -x "${dir}/bin/${tool}" ]]; then
    output::step "Using cached ${requirement/==/ }" >&2
  else
    output::step "Installing ${requirement/==/ } from PyPI" >&2
    rm -rf "${dir}"
    python3 -m venv --without-pip "${dir}"
    if ! python3 -m pip --python "${dir}/bin/python" install --disable-pip-version-check \
        --no-input --progress-bar off --quiet --cache-dir "${cache_dir}/pip" "${requirement}" \
        2>&1 | output::indent >&2; then
      rm -rf "${dir}"
      output::error "Error: Unable to install ${requirement} from PyPI: check the build's network, then push again."
    fi
  fi
  echo "${dir}/bin"
}
