#!/usr/bin/env bash
# The Python version. The platform reads it before the build (it picks the stack whose
# Debian Python it is) and passes what it found: PYTHON_VERSION_REQUESTED (3.N or 3.N.N)
# and PYTHON_VERSION_ORIGIN (.python-version, runtime.txt, Pipfile.lock, cached or
# default). Here the build says where the version came from, in Heroku's words, applies
# the rules that depend on the package manager (uv needs .python-version), and checks
# that the stack it was given really has that version.

python_version::announce() {
  local origin="${PYTHON_VERSION_ORIGIN:-default}" requested="${PYTHON_VERSION_REQUESTED:-}"
  case "${origin}" in
    default)
      output::step "No Python version was specified. Using the buildpack default: Python ${requested}" ;;
    cached)
      output::step "No Python version was specified. Using the same major version as the last build: Python ${requested}" ;;
    *)
      output::step "Using Python ${requested} specified in ${origin}" ;;
  esac
}

# uv must be told the version in .python-version; other apps are only warned, as on Heroku.
python_version::check_origin() {
  local package_manager="$1" origin="${PYTHON_VERSION_ORIGIN:-default}"
  local major="${PYTHON_VERSION_REQUESTED%.*}"
  [[ "${PYTHON_VERSION_REQUESTED}" == *.*.* ]] || major="${PYTHON_VERSION_REQUESTED}"
  case "${origin}" in
    default | cached)
      if [[ "${package_manager}" == uv ]]; then
        output::error <<EOF
Error: No Python version was specified: uv apps need a .python-version file; run 'uv python pin ${major}', commit it and push again.

When using the package manager uv on Heroku, you must specify your app's Python
version with a .python-version file.
EOF
      fi
      output::warning <<EOF
Warning: No Python version was specified.

Your app doesn't specify a Python version and so the buildpack picked a default
version for you. Relying on this default isn't recommended, since it can change
over time. Create a .python-version file in the root directory of your app
containing the major version, for example: ${major}
EOF
      ;;
    runtime.txt)
      if [[ "${package_manager}" == uv ]]; then
        output::error <<EOF
Error: The runtime.txt file isn't supported when using uv: delete runtime.txt, run 'uv python pin ${major}', commit and push again.
EOF
      fi
      output::warning <<EOF
Warning: The runtime.txt file is deprecated.

The runtime.txt file is deprecated since it has been replaced by the more widely
supported .python-version file: https://devcenter.heroku.com/changelog-items/3141
Please delete your runtime.txt file and create a .python-version file in the root
directory of your app containing: ${major}
EOF
      ;;
  esac
}

python_version::check_stack() {
  local available requested="${PYTHON_VERSION_REQUESTED:-}"
  available="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  if [[ -n "${requested}" && "${available}" != "${requested}" && "${available}" != "${requested}".* ]]; then
    output::error "Error: Python ${requested} was requested, but this stack has Python ${available}: ask for a supported version in .python-version (minidyno stacks lists them)."
  fi
  output::info "Python ${available} (Debian's, on the ${STACK:-unknown} stack)"
}
