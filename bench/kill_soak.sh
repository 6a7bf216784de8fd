#!/usr/bin/env bash
# The kill soak: two chatd nodes on one Redis carry chat-soak's conversations for a while;
# every KILL_EVERY seconds the node owning most shards is killed (kill -9) and started again.
# Afterwards chat-check reads every stream. Prints each takeover and the checker's counts.
#   bash bench/kill_soak.sh [--conversations 1000] [--minutes 10] [--kill-every 60] [--rate 300]
# (CHAT_BENCH_BUILD picks the build directory; build/release by default, built here.)
set -euo pipefail
cd "$(dirname "$0")/.."

conversations=1000 minutes=10 kill_every=60 rate=300
while [[ $# -gt 0 ]]; do
  case $1 in
    --conversations) conversations=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --kill-every) kill_every=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    *) echo "usage: $0 [--conversations N] [--minutes M] [--kill-every S] [--rate MSG_PER_S]" >&2; exit 2 ;;
  esac
done

build=${CHAT_BENCH_BUILD:-build/release}
if [[ -z "${CHAT_BENCH_BUILD:-}" ]]; then
  bash tools/setup.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" --target chatd chat-soak chat-check
fi

work=$(mktemp -d /tmp/chat-kill-soak-XXXXXX)
declare -A pid port
cleanup() {
  for n in "${!pid[@]}"; do kill -9 "${pid[$n]}" 2>/dev/null || true; done
  redis-cli -s "$work/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --unixsocket "$work/redis.sock" --port 0 --dir "$work" --appendonly yes --save '' \
  --daemonize yes --logfile "$work/redis.log" >/dev/null
until redis-cli -s "$work/redis.sock" ping >/dev/null 2>&1; do sleep 0.1; done
head -c 32 /dev/urandom | base64 > "$work/token-secret"

# A free port, then node N started on it (the same port again after a kill).
start_node() {
  local n=$1
  [[ -n "${port[$n]:-}" ]] ||
    port[$n]=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  local before
  before=$(grep -c "listening on" "$work/$n.log" 2>/dev/null || true)
  "$build/server/chatd" --redis "unix://$work/redis.sock" --data-dir "$work" --port "${port[$n]}" --node-id "$n" \
    >>"$work/$n.log" 2>&1 &
  pid[$n]=$!
  until (($(grep -c "listening on" "$work/$n.log" 2>/dev/null || true) > ${before:-0})); do sleep 0.05; done
}

holders() {
  local keys
  keys=$(redis-cli -s "$work/redis.sock" --scan --pattern 'chat:{*}:lease')
  [[ -z "$keys" ]] || redis-cli -s "$work/redis.sock" mget $keys | cut -d' ' -f1
}

start_node node-a
start_node node-b
sleep 5
"$build/tools/chat-soak" --targets "127.0.0.1:${port[node-a]},127.0.0.1:${port[node-b]}" --secret-file "$work/token-secret" \
  --conversations "$conversations" --rate "$rate" --duration $((minutes * 60)) --settle 60 --record "$work/soak.jsonl" \
  >"$work/soak.out" 2>&1 &
soak=$!

end=$((SECONDS + minutes * 60 - kill_every / 2))
takeovers=()
while ((SECONDS + kill_every < end)); do
  sleep "$kill_every"
  victim=$(holders | sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
  other=node-a; [[ $victim == node-a ]] && other=node-b
  began=$(date +%s%N)
  kill -9 "${pid[$victim]}"
  wait "${pid[$victim]}" 2>/dev/null || true
  until [[ $(holders | grep -c "^$other$") == 64 ]]; do sleep 0.02; done
  ms=$((($(date +%s%N) - began) / 1000000))
  takeovers+=("$ms")
  echo "kill -9 of $victim: every shard held by $other after $ms ms"
  start_node "$victim"
done
wait "$soak" || true
cat "$work/soak.out"
"$build/tools/chat-check" --redis "unix://$work/redis.sock" --record "$work/soak.jsonl"
sorted=$(printf '%s\n' "${takeovers[@]}" | sort -n)
echo "takeovers: ${#takeovers[@]}, p50 $(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms, max $(echo "$sorted" | tail -1) ms"
