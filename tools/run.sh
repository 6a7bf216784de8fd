#!/usr/bin/env bash
# Sets up, builds (Release) and starts chatd with its web clients and development tokens, for
# trying it on this machine: http://127.0.0.1:8080/ lists the clients. Arguments are passed
# to chatd (e.g. --port 9000); a production chatd runs with a configuration file instead.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc)"
exec build/release/server/chatd --web-root build/release/web --dev-tokens "$@"
