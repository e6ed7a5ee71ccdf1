#!/usr/bin/env bash
# The browsing workload with prefetch on and off (BENCHMARKS.md): users open each of 300 movies once,
# then its collection, then the collection's other movies, against an origin that answers like a distant
# TMDb (50 ms). Reports the hit ratio each way; the target with prefetch on is at least 90%.
#
#   bench/browse.sh              USERS=8 THINK_MS=200 by default
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${USERS:-8}
THINK_MS=${THINK_MS:-200}
ORIGIN_PORT=18311 PROXY_PORT=18312
OUT=bench/.out
WORK=$(mktemp -d /tmp/enrichproxy-browse.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[browse] $*" >&2; }

wait_for() { for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; log "nothing answers at $1"; return 1; }

log "building Release"
dotnet publish src/EnrichProxy -c Release -o "$OUT/enrichproxy" -v quiet -nologo >/dev/null
dotnet publish bench/Origin -c Release -o "$OUT/origin" -v quiet -nologo >/dev/null
dotnet publish bench/LoadTool -c Release -o "$OUT/loadtool" -v quiet -nologo >/dev/null

dotnet "$OUT/origin/Origin.dll" --urls "http://127.0.0.1:$ORIGIN_PORT" >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$ORIGIN_PORT/__stats"

browse() { # max prefetch depth -> JSON
  (cd "$OUT/enrichproxy" && exec dotnet EnrichProxy.dll \
    --urls "http://127.0.0.1:$PROXY_PORT" \
    --ReverseProxy:Clusters:tmdb:Destinations:default:Address="http://127.0.0.1:$ORIGIN_PORT/" \
    --EnrichProxy:Cache:DiskPath="$WORK/cache-$1.db" \
    --EnrichProxy:Queue:MaxPrefetchDepth="$1" \
    --Logging:LogLevel:Default=Warning) >"$WORK/enrichproxy-$1.log" 2>&1 &
  local pid=$!
  wait_for "http://127.0.0.1:$PROXY_PORT/health/live"
  curl -fs -X POST "http://127.0.0.1:$ORIGIN_PORT/__stats/reset"
  dotnet "$OUT/loadtool/LoadTool.dll" browse "http://127.0.0.1:$PROXY_PORT" 500000 300 "$USERS" "$THINK_MS"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

field() { sed "s/.*\"$1\":\([0-9.]*\).*/\1/" <<<"$2"; }
origin_requests() { curl -fs "http://127.0.0.1:$ORIGIN_PORT/__stats" | grep -o ':[0-9]*' | tr -d ':' | awk '{s+=$1} END {print s+0}'; }

log "prefetch on (the shipped MaxPrefetchDepth 2)"
on=$(browse 2); on_origin=$(origin_requests)
log "$on"
log "prefetch off (MaxPrefetchDepth 0)"
off=$(browse 0); off_origin=$(origin_requests)
log "$off"

{
  echo "| Browsing, $USERS users, ${THINK_MS} ms between clicks | prefetch on | prefetch off |"
  echo "|---|---|---|"
  echo "| requests | $(field requests "$on") | $(field requests "$off") |"
  echo "| hit ratio (HIT only) | $(field hit_ratio "$on") | $(field hit_ratio "$off") |"
  echo "| p50 / p99 ms | $(field p50_ms "$on") / $(field p99_ms "$on") | $(field p50_ms "$off") / $(field p99_ms "$off") |"
  echo "| origin requests | $on_origin | $off_origin |"
  echo "| X-Cache | $(sed 's/.*"x_cache":\({[^}]*}\).*/\1/' <<<"$on") | $(sed 's/.*"x_cache":\({[^}]*}\).*/\1/' <<<"$off") |"
} | tee "$OUT/browse.md"
