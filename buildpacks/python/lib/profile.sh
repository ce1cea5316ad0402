#!/usr/bin/env bash
# .profile.d/python.sh, sourced by every dyno before its command runs.

profile::write() {
  local build_dir="$1"
  mkdir -p "${build_dir}/.profile.d"
  cat > "${build_dir}/.profile.d/python.sh" <<'PROFILE'
export PATH="/app/.heroku/python/bin:${PATH}"
export PYTHONUNBUFFERED="${PYTHONUNBUFFERED:-1}"
export LANG="${LANG:-C.UTF-8}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
export FORWARDED_ALLOW_IPS="${FORWARDED_ALLOW_IPS:-*}"
export GUNICORN_CMD_ARGS="${GUNICORN_CMD_ARGS:---access-logfile -}"
PROFILE
}
