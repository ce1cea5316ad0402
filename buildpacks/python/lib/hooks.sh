#!/usr/bin/env bash
# bin/pre_compile and bin/post_compile: the app's own build steps.

hooks::run() {
  local build_dir="$1" hook="$2"
  if [[ -f "${build_dir}/bin/${hook}" ]]; then
    output::step "Running bin/${hook} hook"
    chmod +x "${build_dir}/bin/${hook}"
    "${build_dir}/bin/${hook}" 2>&1 | output::indent
  fi
}
