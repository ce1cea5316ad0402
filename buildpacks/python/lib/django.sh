#!/usr/bin/env bash
# Django's collectstatic, as heroku-buildpack-python's bin/steps/collectstatic runs it:
# when Django is installed and a manage.py is within three levels of the root (the
# shallowest wins), with the app's config vars exported, unless DISABLE_COLLECTSTATIC
# is set; a failure fails the build.

django::collectstatic() {
  local build_dir="$1" python="$1/${VENV_DIR_NAME}/bin/python" manage
  if [[ "${DISABLE_COLLECTSTATIC:-0}" != "0" ]]; then
    output::step "Skipping Django collectstatic since the env var DISABLE_COLLECTSTATIC is set."
    return 0
  fi
  "${python}" -c 'import django' 2>/dev/null || return 0
  manage="$(cd "${build_dir}" && find . -maxdepth 3 -type f -name manage.py -printf '%d\t%P\n' \
    | sort -n | cut -f2 | head -n 1)"
  if [[ -z "${manage}" ]]; then
    output::step "Skipping Django collectstatic since no manage.py file found."
    return 0
  fi
  output::step "\$ python ${manage} collectstatic --noinput"
  if ! (cd "${build_dir}" && PYTHONPATH="${PYTHONPATH:-.}" \
      "${python}" "${manage}" collectstatic --noinput --traceback 2>&1 | output::indent); then
    output::error <<EOF
Error: Unable to generate Django static files: fix the error above (often STATIC_ROOT in settings), or skip collectstatic with 'minidyno config:set DISABLE_COLLECTSTATIC=1'.

The 'python ${manage} collectstatic --noinput' Django management command to
generate static files failed. See the traceback above for details.
https://devcenter.heroku.com/articles/django-assets
EOF
  fi
}
