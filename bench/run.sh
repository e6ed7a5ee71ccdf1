#!/usr/bin/env bash
# EnrichProxy against nginx proxy_cache, side by side on this machine, in one run (BENCHMARKS.md).
# Builds Release, starts a fast origin, EnrichProxy and nginx in front of it, and measures them
# alternately: cache-hit throughput and latency, a herd on a cold key, an origin outage, memory,
# and the miss path against plain YARP forwarding. Prints a markdown report (also saved to
# bench/.out/report.md). Installs nginx and wrk from Debian's packages when they are missing.
#
#   bench/run.sh                 ROUNDS=3 DURATION=10s by default
#   ROUNDS=1 DURATION=3s bench/run.sh   a quick look
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
ORIGIN_PORT=18301 PROXY_PORT=18302 NGINX_PORT=18303 CEILING_PORT=18304
OUT=bench/.out
WORK=$(mktemp -d /tmp/enrichproxy-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "[bench] $*" >&2; }

install_tools() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  log "building Release"
  dotnet publish src/EnrichProxy -c Release -o "$OUT/enrichproxy" -v quiet -nologo >/dev/null
  dotnet publish bench/Origin -c Release -o "$OUT/origin" -v quiet -nologo >/dev/null
  dotnet publish bench/LoadTool -c Release -o "$OUT/loadtool" -v quiet -nologo >/dev/null
  dotnet publish bench/Ceiling -c Release -o "$OUT/ceiling" -v quiet -nologo >/dev/null
}

wait_for() { # url
  for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  log "nothing answers at $1"; return 1
}

start_origin() {
  dotnet "$OUT/origin/Origin.dll" --urls "http://127.0.0.1:$ORIGIN_PORT" >"$WORK/origin.log" 2>&1 &
  ORIGIN_PID=$!; PIDS+=("$ORIGIN_PID")
  wait_for "http://127.0.0.1:$ORIGIN_PORT/__stats"
}

# The origin is local, so the tmdb cluster's shipped rate limit (40/s, TMDb's etiquette) is lifted:
# the benchmark measures the proxy, not the limit.
start_proxy() { # extra arguments
  mkdir -p "$WORK/enrichproxy"
  (cd "$OUT/enrichproxy" && exec dotnet EnrichProxy.dll \
    --urls "http://127.0.0.1:$PROXY_PORT" \
    --ReverseProxy:Clusters:tmdb:Destinations:default:Address="http://127.0.0.1:$ORIGIN_PORT/" \
    --EnrichProxy:Cache:DiskPath="$WORK/enrichproxy/cache-$RANDOM.db" \
    --EnrichProxy:Policies:trending:Ttl=00:00:02 \
    --EnrichProxy:Policies:trending:StaleWhileRevalidate=00:00:00 \
    --EnrichProxy:Policies:trending:StaleIfError=01:00:00 \
    --EnrichProxy:Upstreams:tmdb:RateLimit:PermitsPerSecond=0 \
    --Logging:LogLevel:Default=Warning "$@") >"$WORK/enrichproxy.log" 2>&1 &
  PROXY_PID=$!; PIDS+=("$PROXY_PID")
  wait_for "http://127.0.0.1:$PROXY_PORT/health/live"
}

# Kestrel alone answering from memory: the ceiling any ASP.NET Core cache-hit path is measured against.
start_ceiling() {
  dotnet "$OUT/ceiling/Ceiling.dll" --urls "http://127.0.0.1:$CEILING_PORT" >"$WORK/ceiling.log" 2>&1 &
  PIDS+=("$!")
  wait_for "http://127.0.0.1:$CEILING_PORT/health/live"
}

stop_proxy() { kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; }

start_nginx() {
  mkdir -p "$WORK/nginx-tmp" "$WORK/nginx-cache"
  sed -e "s|@WORK@|$WORK|g" -e "s|@ORIGIN_PORT@|$ORIGIN_PORT|g" -e "s|@NGINX_PORT@|$NGINX_PORT|g" \
    bench/nginx.conf.template >"$WORK/nginx.conf"
  nginx -p "$WORK" -c "$WORK/nginx.conf"
  wait_for "http://127.0.0.1:$NGINX_PORT/health/live"
}

origin_count() { # path prefix: requests the origin received under it
  curl -fs "http://127.0.0.1:$ORIGIN_PORT/__stats" | tr ',' '\n' | grep -F "\"$1" | sed 's/.*://; s/}//' | awk '{s+=$1} END {print s+0}'
}

to_ms() { # wrk latency like 1.23ms, 456.00us, 1.20s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

wrk_run() { # url [lua script] -> "rps p50 p99"
  local args=(-t1 -c"$CONNECTIONS" -d"$DURATION" --latency)
  [ -n "${2:-}" ] && args+=(-s "$2")
  local output; output=$(wrk "${args[@]}" "$1")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$output")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$output")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$output")")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$output")
  [ -n "$errors" ] && log "WARNING: $errors non-2xx answers from $1"
  echo "$rps $p50 $p99"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A RESULTS
record() { RESULTS["$1"]+="$2"$'\n'; }
med() { printf '%s' "${RESULTS[$1]:-}" | grep -v '^$' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

rss_kb() { # pid... -> resident memory in KiB, summed
  local total=0
  for pid in "$@"; do total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))); done
  echo "$total"
}

hits() { # name url-enrichproxy url-nginx url-kestrel [lua]
  for round in $(seq 1 "$ROUNDS"); do
    for target in enrichproxy nginx kestrel; do
      local url=$2; [ "$target" = nginx ] && url=$3; [ "$target" = kestrel ] && url=$4
      read -r rps p50 p99 < <(wrk_run "$url" "${5:-}")
      log "$1 round $round $target: $rps req/s, p50 $p50 ms, p99 $p99 ms"
      record "$1.$target.rps" "$rps"; record "$1.$target.p50" "$p50"; record "$1.$target.p99" "$p99"
    done
  done
}

herd() { # size
  for round in $(seq 1 "$ROUNDS"); do
    for target in enrichproxy nginx; do
      local port=$PROXY_PORT; [ "$target" = nginx ] && port=$NGINX_PORT
      local key="herd-$1-$round-$target"
      local json; json=$(dotnet "$OUT/loadtool/LoadTool.dll" herd "http://127.0.0.1:$port/tmdb/3/collection/$key" "$1")
      local upstream; upstream=$(origin_count "/3/collection/$key")
      local p50 p99 ok
      p50=$(sed 's/.*"p50_ms":\([0-9.]*\).*/\1/' <<<"$json"); p99=$(sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' <<<"$json")
      ok=$(sed 's/.*"ok":\([0-9]*\).*/\1/' <<<"$json")
      log "herd $1 round $round $target: $upstream upstream requests, $ok/$1 ok, p50 $p50 ms, p99 $p99 ms"
      record "herd$1.$target.upstream" "$upstream"; record "herd$1.$target.p50" "$p50"; record "herd$1.$target.p99" "$p99"
    done
    # The floor: the origin itself answering the whole herd, every request after its 200 ms, all at once.
    local json; json=$(dotnet "$OUT/loadtool/LoadTool.dll" herd "http://127.0.0.1:$ORIGIN_PORT/3/collection/herd-$1-$round-origin" "$1")
    record "herd$1.origin.p50" "$(sed 's/.*"p50_ms":\([0-9.]*\).*/\1/' <<<"$json")"
    record "herd$1.origin.p99" "$(sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' <<<"$json")"
  done
}

main() {
  install_tools
  build
  start_origin
  start_proxy
  start_nginx
  start_ceiling

  local p="http://127.0.0.1:$PROXY_PORT" n="http://127.0.0.1:$NGINX_PORT" k="http://127.0.0.1:$CEILING_PORT"
  log "warming"
  for base in "$p" "$n"; do
    curl -fs -o /dev/null "$base/tmdb/3/movie/1"; curl -fs -o /dev/null "$base/tmdb/3/tv/1"
    dotnet "$OUT/loadtool/LoadTool.dll" fill "$base/tmdb/3/movie/" 10000 32 >/dev/null
    dotnet "$OUT/loadtool/LoadTool.dll" fill "$base/tmdb/3/tv/" 10000 32 >/dev/null
  done

  hits hit-2k-hot "$p/tmdb/3/movie/1" "$n/tmdb/3/movie/1" "$k/tmdb/3/movie/1"
  hits hit-32k-hot "$p/tmdb/3/tv/1" "$n/tmdb/3/tv/1" "$k/tmdb/3/tv/1"
  hits hit-2k-10k "$p/tmdb/3/movie/" "$n/tmdb/3/movie/" "$k/tmdb/3/movie/" bench/random-key.lua
  hits hit-32k-10k "$p/tmdb/3/tv/" "$n/tmdb/3/tv/" "$k/tmdb/3/tv/" bench/random-key.lua
  herd 200
  herd 1000

  # Miss path: every request a new key, against the same proxy forwarding without a cache.
  for round in $(seq 1 "$ROUNDS"); do
    read -r rps p50 p99 < <(wrk_run "$p/tmdb/3/movie/" bench/unique-key.lua)
    log "miss round $round enrichproxy: $rps req/s, p99 $p99 ms"
    record miss.enrichproxy.rps "$rps"; record miss.enrichproxy.p99 "$p99"
    read -r rps p50 p99 < <(wrk_run "$p/tmdb/3/account/" bench/unique-key.lua)
    log "miss round $round yarp: $rps req/s, p99 $p99 ms"
    record miss.yarp.rps "$rps"; record miss.yarp.p99 "$p99"
    read -r rps p50 p99 < <(wrk_run "$n/tmdb/3/movie/" bench/unique-key.lua)
    log "miss round $round nginx: $rps req/s, p99 $p99 ms"
    record miss.nginx.rps "$rps"; record miss.nginx.p99 "$p99"
  done

  # Memory: a fresh EnrichProxy, warmed up on 20 keys (its request paths compiled), idle; then
  # 100,000 entries of 2 KB.
  stop_proxy
  start_proxy
  for _ in 1 2 3 4 5; do dotnet "$OUT/loadtool/LoadTool.dll" fill "$p/tmdb/3/person/77777" 20 4 >/dev/null; done
  wrk -t1 -c16 -d2s "$p/tmdb/3/person/777771" >/dev/null
  sleep 3
  local idle; idle=$(rss_kb "$PROXY_PID")
  local fill; fill=$(dotnet "$OUT/loadtool/LoadTool.dll" fill "$p/tmdb/3/person/" 100000 32)
  sleep 5
  local full; full=$(rss_kb "$PROXY_PID")
  log "memory enrichproxy: idle $idle KiB, after 100,000 entries $full KiB ($fill)"
  local nginx_pids; nginx_pids=$(pgrep -f "nginx: .*$WORK|nginx: worker process" | tr '\n' ' ')
  local nginx_idle; nginx_idle=$(rss_kb $nginx_pids)
  dotnet "$OUT/loadtool/LoadTool.dll" fill "$n/tmdb/3/person/" 100000 32 >/dev/null
  local nginx_full; nginx_full=$(rss_kb $nginx_pids)

  # Outage: warm 1,000 keys with a 2 s TTL, stop the origin, wait past the TTL, ask again.
  dotnet "$OUT/loadtool/LoadTool.dll" fill "$p/tmdb/3/trending/" 1000 32 >/dev/null
  dotnet "$OUT/loadtool/LoadTool.dll" fill "$n/tmdb/3/trending/" 1000 32 >/dev/null
  kill "$ORIGIN_PID"; wait "$ORIGIN_PID" 2>/dev/null || true
  sleep 3
  local outage_p outage_n
  outage_p=$(dotnet "$OUT/loadtool/LoadTool.dll" probe "$p/tmdb/3/trending/" 1000 32)
  outage_n=$(dotnet "$OUT/loadtool/LoadTool.dll" probe "$n/tmdb/3/trending/" 1000 32)
  log "outage enrichproxy: $outage_p"
  log "outage nginx: $outage_n"

  report "$idle" "$full" "$nginx_idle" "$nginx_full" "$outage_p" "$outage_n"
}

row() { # label key unit
  local e n k; e=$(med "$2.enrichproxy.$3"); n=$(med "$2.nginx.$3"); k=$(med "$2.kestrel.$3")
  echo "| $1 | $e | $n | $(ratio "$e" "$n") | $k | $(ratio "$k" "$n") |"
}

report() {
  local idle=$1 full=$2 nginx_idle=$3 nginx_full=$4 outage_p=$5 outage_n=$6
  local entry_bytes; entry_bytes=$(awk -v a="$idle" -v b="$full" 'BEGIN { printf "%.0f", (b - a) * 1024 / 100000 }')
  {
    echo "## Results ($(date -u +%Y-%m-%d), $(nproc) cores, ROUNDS=$ROUNDS, DURATION=$DURATION, wrk -t1 -c$CONNECTIONS; medians)"
    echo
    echo "| Cache hits | EnrichProxy | nginx | EnrichProxy/nginx | Kestrel alone | Kestrel alone/nginx |"
    echo "| --- | --- | --- | --- | --- | --- |"
    for test in hit-2k-hot hit-32k-hot hit-2k-10k hit-32k-10k; do
      row "$test req/s" "$test" rps; row "$test p50 ms" "$test" p50; row "$test p99 ms" "$test" p99
    done
    echo
    echo "| Herd on a cold key (origin takes 200 ms) | EnrichProxy | nginx | origin answering every request itself |"
    echo "| --- | --- | --- | --- |"
    for size in 200 1000; do
      echo "| $size requests: upstream requests | $(med "herd$size.enrichproxy.upstream") | $(med "herd$size.nginx.upstream") | $size |"
      echo "| $size requests: waiter p50 ms | $(med "herd$size.enrichproxy.p50") | $(med "herd$size.nginx.p50") | $(med "herd$size.origin.p50") |"
      echo "| $size requests: waiter p99 ms | $(med "herd$size.enrichproxy.p99") | $(med "herd$size.nginx.p99") | $(med "herd$size.origin.p99") |"
    done
    echo
    echo "| Miss path (every request a new key) | req/s | p99 ms |"
    echo "| --- | --- | --- |"
    echo "| EnrichProxy cache miss | $(med miss.enrichproxy.rps) | $(med miss.enrichproxy.p99) |"
    echo "| YARP forwarding, no cache (same process) | $(med miss.yarp.rps) | $(med miss.yarp.p99) |"
    echo "| nginx proxy_cache miss | $(med miss.nginx.rps) | $(med miss.nginx.p99) |"
    echo
    echo "| Outage (origin stopped, 1,000 warmed keys past a 2 s TTL) | |"
    echo "| --- | --- |"
    echo "| EnrichProxy | \`$outage_p\` |"
    echo "| nginx | \`$outage_n\` |"
    echo
    echo "| Memory, 100,000 entries of 2 KB (204.8 MB of bodies) | KiB |"
    echo "| --- | --- |"
    echo "| EnrichProxy resident, idle | $idle |"
    echo "| EnrichProxy resident, full | $full |"
    echo "| EnrichProxy bytes per entry above idle | $entry_bytes ($(ratio "$entry_bytes" 2048)x the 2,048-byte body) |"
    echo "| nginx resident (master and workers), idle / full | $nginx_idle / $nginx_full (bodies on disk) |"
  } | tee "$OUT/report.md"
}

main
