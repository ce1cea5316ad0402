#!/usr/bin/env bash
# .profile.d/python.sh, sourced by every dyno before its command runs: the environment
# heroku-buildpack-python gives a dyno (bin/compile's set_env, vendor/WEB_CONCURRENCY.sh,
# vendor/python.gunicorn.sh). Values the app sets as config vars win where Heroku's do.

profile::write() {
  local build_dir="$1"
  mkdir -p "${build_dir}/.profile.d"
  cat > "${build_dir}/.profile.d/python.sh" <<'PROFILE'
export PATH="/app/.heroku/python/bin:${PATH}"
export PYTHONUNBUFFERED=true
export LANG="${LANG:-C.UTF-8}"
export PYTHONPATH="${PYTHONPATH:-/app}"
export FORWARDED_ALLOW_IPS='*'
export GUNICORN_CMD_ARGS="${GUNICORN_CMD_ARGS:---access-logfile -}"

# WEB_CONCURRENCY: the lower of 2 x cores + 1 and one process per 256 MB of the dyno's
# memory limit (cgroup v2 here, v1 on older engines), unless the app set it. minidyno's
# dynos are given room past their quota (R14 is logged there, R15 kills at twice it), so
# they are told the quota itself.
python_web_concurrency() {
  local limit memory_mb cores by_memory by_cores
  if [[ "${MINIDYNO_MEMORY_QUOTA_MB:-}" =~ ^[0-9]+$ ]]; then
    limit=$((MINIDYNO_MEMORY_QUOTA_MB * 1048576))
  else
    limit="$(cat "${MINIDYNO_CGROUP_MEMORY_MAX:-/sys/fs/cgroup/memory.max}" 2>/dev/null \
      || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)" || return 0
  fi
  [[ "${limit}" =~ ^[0-9]+$ ]] || return 0
  memory_mb=$((limit / 1048576))
  ((memory_mb <= 1048576)) || return 0
  cores="$(nproc 2>/dev/null)" || return 0
  export DYNO_RAM="${memory_mb}"
  [[ -z "${WEB_CONCURRENCY:-}" ]] || return 0
  by_memory=$((memory_mb / 256))
  ((by_memory >= 1)) || by_memory=1
  by_cores=$((cores * 2 + 1))
  export WEB_CONCURRENCY_SET_BY="heroku/python"
  export WEB_CONCURRENCY=$((by_memory < by_cores ? by_memory : by_cores))
  if [[ "${DYNO:-}" == web.* ]]; then
    echo "Python buildpack: Detected ${memory_mb} MB available memory and ${cores} CPU cores; WEB_CONCURRENCY=${WEB_CONCURRENCY}." >&2
  fi
}
python_web_concurrency
unset -f python_web_concurrency
PROFILE
}
