#!/usr/bin/env bash
# Installs what briefing needs on a fresh Debian/Ubuntu machine: system packages (when missing) and the
# Python packages into .venv. Usage: scripts/setup.sh [--test]   (--test adds the test and e2e tools)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

packages=(espeak-ng libespeak-ng1 ffmpeg fonts-dejavu-core)
if [ "$want_tests" = 1 ]; then
  packages+=(gpodder chromium chromium-driver)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "briefing needs these system packages: ${missing[*]}; install them with your package manager" >&2
    exit 1
  fi
  sudo_cmd=""
  [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# hibari is the default voice; without it briefing falls back to pyttsx3 + espeak-ng and says so.
extras="[hibari]"
[ "$want_tests" = 1 ] && extras="[test,piper,hibari,cluster]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
# An editable install compiles nothing: where PYTHONDONTWRITEBYTECODE is set, every briefing process
# (each command, each speech worker) would compile the package again.
.venv/bin/python -m compileall -q briefing >/dev/null
