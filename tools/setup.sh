#!/usr/bin/env bash
# Installs what chatd needs to build, run and test, from Debian's packages only.
# Idempotent: when every package is present it installs nothing and says so.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev           # Beast, Asio (header-only)
  libhiredis-dev
  libssl-dev                 # HMAC-SHA256 for the HS256 tokens
  libtomlplusplus-dev        # the configuration file
  nlohmann-json3-dev
  catch2
  redis-server
  libical-dev
  libhowardhinnant-date-dev
  tzdata
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: must run as root to install packages" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
