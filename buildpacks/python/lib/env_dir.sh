#!/usr/bin/env bash
# The app's config vars, one file each in ENV_DIR, exported for build hooks and
# collectstatic as Heroku does; variables that would change how the build itself
# runs are left out.

env_dir::export_config() {
  local env_dir="$1" path name
  [[ -d "${env_dir}" ]] || return 0
  for path in "${env_dir}"/*; do
    [[ -f "${path}" ]] || continue
    name="$(basename "${path}")"
    case "${name}" in
      PATH | GIT_DIR | CPATH | CPPATH | LD_PRELOAD | LIBRARY_PATH | LD_LIBRARY_PATH | PYTHONHOME | PYTHONPATH | PIP_*) ;;
      *) export "${name}=$(cat "${path}")" ;;
    esac
  done
}
