#!/usr/bin/env bash
# Django's collectstatic, as Heroku runs it: whenever manage.py is there and Django is
# installed, unless DISABLE_COLLECTSTATIC is set.

django::collectstatic() {
  local build_dir="$1" python="$1/${VENV_DIR_NAME}/bin/python"
  [[ -f "${build_dir}/manage.py" ]] || return 0
  [[ -n "${DISABLE_COLLECTSTATIC:-}" ]] && return 0
  "${python}" -c 'import django' 2>/dev/null || return 0
  output::step "\$ python manage.py collectstatic --noinput"
  if ! "${python}" manage.py collectstatic --noinput 2>&1 | output::indent; then
    output::error "collectstatic failed (see the lines above).
Fix STATIC_ROOT in your settings, or set DISABLE_COLLECTSTATIC=1 to skip it."
  fi
}
