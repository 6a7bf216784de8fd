#!/usr/bin/env bash
# Installs what chatd needs to build, run and test: Debian's packages, then the web clients'
# packages from the npm registry (web/package-lock.json). Idempotent: when everything is
# present it installs nothing and says so.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev           # Beast, Asio (header-only)
  libhiredis-dev
  libssl-dev                 # HMAC-SHA256 for the HS256 tokens, SHA-256 of stored files, https webhooks
  ca-certificates            # the CAs an https webhook endpoint's certificate is checked against
  openssl                    # the tests make a certificate for an https webhook receiver
  libmagic-dev               # the type of a file sent in the chat, from its bytes
  libtomlplusplus-dev        # the configuration file
  nlohmann-json3-dev
  catch2
  redis-server
  libical-dev
  libjemalloc-dev            # chatd's allocator (docs/performance.md)
  libhowardhinnant-date-dev
  tzdata
  chromium                   # the browser tests (driven by playwright-core from npm)
  fonts-dejavu-core          # so that screenshots show text, not boxes
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# Node.js builds the web clients; any installed node and npm will do (Debian's are 18 and 9).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: must run as root to install packages" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: packages installed"
fi

# The web clients' packages, exactly as locked; again only when the lock file changed.
web=$(dirname "$0")/../web
if [[ ! -f "$web/node_modules/.package-lock.json" || "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]]; then
  echo "setup: installing the web clients' npm packages"
  npm ci --prefix "$web" --no-audit --no-fund --loglevel=error
else
  echo "setup: web packages present"
fi
