#!/usr/bin/env bash
# Shared set-up for scripts/demo and scripts/test: the tesseract binary, a virtual
# environment in .venv and the package with its dependencies. Fast when already done.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
extras=${CHARTEXTRACT_EXTRAS:-}

need_apt=()
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr)
if [ -n "${CHARTEXTRACT_APT_EXTRA:-}" ]; then
  for p in $CHARTEXTRACT_APT_EXTRA; do dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p"); done
fi
if ((${#need_apt[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need_apt[*]} (Debian packages)" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

venv="$root/.venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
stamp="$venv/.installed-$(cat "$root/pyproject.toml" | sha1sum | cut -c1-12)-${extras:-base}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing chartextract${extras:+[$extras]} into .venv" >&2
  "$venv/bin/python" -m pip install -q --upgrade pip >&2
  "$venv/bin/python" -m pip install -q -e "$root${extras:+[$extras]}" >&2
  touch "$stamp"
fi
