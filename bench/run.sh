#!/usr/bin/env bash
# EnrichProxy against nginx proxy_cache, side by side on this machine, in one run (BENCHMARKS.md).
# Builds Release, starts a fast origin, EnrichProxy and nginx in front of it, and measures them
# alternately: cache-hit throughput and latency, a herd on a cold key, an origin outage, memory,
# the miss path against plain YARP forwarding, and Radarr through the forward proxy and the TLS
# front door (a library refresh as bulk lookups; HTTPS hits against plain-HTTP hits). Prints a markdown report (also saved to
# bench/.out/report.md). Installs nginx and wrk from Debian's packages when they are missing.
#
#   bench/run.sh                 ROUNDS=3 DURATION=10s by default
#   ROUNDS=1 DURATION=3s bench/run.sh   a quick look
#   BASELINE=c2c9f1e bench/run.sh      also the build of that revision, side by side with this one
#                                       in every case (an A/B on one machine in one run)
#   CASES="hits memory" bench/run.sh   only some cases (hits herd miss memory radarr scaleout outage revalidation)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
BASELINE=${BASELINE:-}
CASES=${CASES:-hits herd miss memory radarr scaleout revalidation outage}
ORIGIN_PORT=18301 PROXY_PORT=18302 NGINX_PORT=18303 CEILING_PORT=18304 BASELINE_PORT=18305
FORWARD_PROXY_PORT=18306 FRONT_DOOR_PORT=18307
REDIS_PORT=18310 SCALE_PORTS=(18311 18312 18313)
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
  if wants scaleout; then command -v redis-server >/dev/null 2>&1 || missing+=(redis-server); fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  log "building Release"
  # For this platform, as the Dockerfile publishes (ReadyToRun).
  dotnet publish src/EnrichProxy -c Release -r linux-x64 --self-contained false -o "$OUT/enrichproxy" -v quiet -nologo >/dev/null
  if [ -n "$BASELINE" ]; then
    log "building the baseline $BASELINE"
    git worktree add --detach "$WORK/baseline-src" "$BASELINE" >/dev/null 2>&1
    dotnet publish "$WORK/baseline-src/src/EnrichProxy" -c Release -r linux-x64 --self-contained false -o "$OUT/baseline" -v quiet -nologo >/dev/null
    git worktree remove --force "$WORK/baseline-src"
  fi
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
# the benchmark measures the proxy, not the limit. Its circuit breaks for 2 s rather than 30, so that the
# outage case's next round need not wait for it once the origin is back.
# Both builds run with the GC setting the Docker image and `dotnet run` ship (README "Memory"); the
# memory case also measures this build with the runtime's default, for the record.
SHIPPED_GC_GEN0SIZE=0x800000
declare -A PROXY_PIDS
start_proxy() { # build (enrichproxy or baseline), extra arguments
  local build=$1; shift
  local port=$PROXY_PORT; [ "$build" = baseline ] && port=$BASELINE_PORT
  mkdir -p "$WORK/$build"
  local gc=(env DOTNET_GCgen0size="$SHIPPED_GC_GEN0SIZE"); [ "${GC_DEFAULT:-}" = 1 ] && gc=(env -u DOTNET_GCgen0size)
  (cd "$OUT/$build" && exec "${gc[@]}" dotnet EnrichProxy.dll \
    --urls "http://127.0.0.1:$port" \
    --ReverseProxy:Clusters:tmdb:Destinations:default:Address="http://127.0.0.1:$ORIGIN_PORT/" \
    --EnrichProxy:Cache:DiskPath="$WORK/$build/cache-$RANDOM.db" \
    --EnrichProxy:Policies:trending:Ttl=00:00:02 \
    --EnrichProxy:Policies:trending:StaleWhileRevalidate=00:01:00 \
    --EnrichProxy:Policies:trending:StaleIfError=01:00:00 \
    --EnrichProxy:Policies:search:Ttl=00:00:02 \
    --EnrichProxy:Policies:search:StaleWhileRevalidate=00:00:00 \
    --EnrichProxy:Policies:search:StaleIfError=01:00:00 \
    --EnrichProxy:Upstreams:tmdb:RateLimit:PermitsPerSecond=0 \
    --EnrichProxy:Upstreams:tmdb:CircuitBreaker:BreakDuration=00:00:02 \
    --Logging:LogLevel:Default=Warning "$@") >"$WORK/$build.log" 2>&1 &
  PROXY_PIDS[$build]=$!; PIDS+=("$!")
  wait_for "http://127.0.0.1:$port/health/live"
}

# Kestrel alone answering from memory: the ceiling any ASP.NET Core cache-hit path is measured against.
start_ceiling() {
  dotnet "$OUT/ceiling/Ceiling.dll" --urls "http://127.0.0.1:$CEILING_PORT" >"$WORK/ceiling.log" 2>&1 &
  PIDS+=("$!")
  wait_for "http://127.0.0.1:$CEILING_PORT/health/live"
}

stop_proxy() { # build
  local pid=${PROXY_PIDS[$1]:-}
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  unset "PROXY_PIDS[$1]"
}

# The EnrichProxy builds under test: this one, and the baseline when one is asked for.
builds() { echo enrichproxy; [ -n "$BASELINE" ] && echo baseline; return 0; }
base_url() { # target
  case $1 in
    enrichproxy) echo "http://127.0.0.1:$PROXY_PORT" ;;
    baseline) echo "http://127.0.0.1:$BASELINE_PORT" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT" ;;
    kestrel) echo "http://127.0.0.1:$CEILING_PORT" ;;
  esac
}
wants() { [[ " $CASES " == *" $1 "* ]]; }

start_nginx() {
  mkdir -p "$WORK/nginx-tmp" "$WORK/nginx-cache"
  sed -e "s|@WORK@|$WORK|g" -e "s|@ORIGIN_PORT@|$ORIGIN_PORT|g" -e "s|@NGINX_PORT@|$NGINX_PORT|g" \
    bench/nginx.conf.template >"$WORK/nginx.conf"
  nginx -p "$WORK" -c "$WORK/nginx.conf"
  wait_for "http://127.0.0.1:$NGINX_PORT/health/live"
}

origin_count() { # path prefix: requests the origin received under it
  curl -fs "http://127.0.0.1:$ORIGIN_PORT/__stats" | tr ',' '\n' | { grep -F "\"$1" || true; } | sed 's/.*://; s/}//' | awk '{s+=$1} END {print s+0}'
}

origin_bytes() { # path prefix: body bytes the origin sent under it
  curl -fs "http://127.0.0.1:$ORIGIN_PORT/__bytes" | tr ',' '\n' | { grep -F "\"$1\"" || true; } | sed 's/.*://; s/}//' | awk '{s+=$1} END {print s+0}'
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
nth() { printf '%s' "${RESULTS[$1]:-}" | grep -v '^$' | sed -n "$2p"; } # the value one round recorded
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

rss_kb() { # pid... -> resident memory in KiB, summed
  local total=0
  for pid in "$@"; do total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))); done
  echo "$total"
}

# The servers of a round, in an order that moves by one every round, across cases too: whichever server
# is measured first after another case (or after the fill) must not always be the same one.
ROTATION=0
rotated() { # by server...
  local by=$(( $1 % ($# - 1) )); shift
  local servers=("$@")
  echo "${servers[@]:by}" "${servers[@]:0:by}"
}

hits() { # name path [lua]
  for round in $(seq 1 "$ROUNDS"); do
    ROTATION=$((ROTATION + 1))
    for target in $(rotated "$ROTATION" $(builds) nginx kestrel); do
      read -r rps p50 p99 < <(wrk_run "$(base_url "$target")$2" "${3:-}")
      log "$1 round $round $target: $rps req/s, p50 $p50 ms, p99 $p99 ms"
      record "$1.$target.rps" "$rps"; record "$1.$target.p50" "$p50"; record "$1.$target.p99" "$p99"
    done
  done
}

herd() { # size
  for round in $(seq 1 "$ROUNDS"); do
    for target in $(builds) nginx; do
      local key="herd-$1-$round-$target"
      local json; json=$(dotnet "$OUT/loadtool/LoadTool.dll" herd "$(base_url "$target")/tmdb/3/collection/$key" "$1")
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

# Memory of one build: fresh, warmed up on 20 keys (its request paths compiled), then by a fill of 2,000 keys at the
# measured fill's own concurrency, idle; then 100,000 entries of 2 KB. The second warm-up takes what a process pays once
# when it first serves fills under load out of the bytes per entry (here 22-26 MB after warm-ups of 500 to 10,000 keys,
# besides their own entries: the young generation's 8 MB of pages first touched, 8-11 MB of native heap, 4-5 MB of
# code recompiled for the hot paths). Records both idles and the full resident KiB under the label; runs before 2026-12-04 measured from idle20.
memory() { # label build
  local label=$1; shift
  start_proxy "$1"
  local p; p=$(base_url "$1")
  for _ in 1 2 3 4 5; do dotnet "$OUT/loadtool/LoadTool.dll" fill "$p/tmdb/3/person/77777" 20 4 >/dev/null; done
  wrk -t1 -c16 -d2s "$p/tmdb/3/person/777771" >/dev/null
  sleep 3
  local idle20; idle20=$(rss_kb "${PROXY_PIDS[$1]}")
  # Keys 555550 and up: none is one of the measured fill's 0-99999.
  dotnet "$OUT/loadtool/LoadTool.dll" fill "$p/tmdb/3/person/55555" 2000 32 >/dev/null
  sleep 3
  local idle; idle=$(rss_kb "${PROXY_PIDS[$1]}")
  local fill; fill=$(dotnet "$OUT/loadtool/LoadTool.dll" fill "$p/tmdb/3/person/" 100000 32)
  sleep 5
  local full; full=$(rss_kb "${PROXY_PIDS[$1]}")
  log "memory $label: idle $idle20 KiB after 20 keys, $idle KiB after 2,000 more; after 100,000 entries $full KiB ($fill)"
  record "memory.$label.idle20" "$idle20"; record "memory.$label.idle" "$idle"; record "memory.$label.full" "$full"
  stop_proxy "$1"
}

# Radarr, as it reaches api.radarr.video through EnrichProxy (this build only): its library refresh of
# 1,000 movies as bulk lookups of 100 through the forward proxy, cold then warm, against the same
# requests sent straight to the origin; then hits on one movie over HTTPS through the TLS front door
# and through the forward proxy, beside plain-HTTP hits on the same entry, all from the same client.
radarr() {
  stop_proxy enrichproxy
  start_proxy enrichproxy \
    --ReverseProxy:Clusters:radarr-metadata:Destinations:default:Address="http://127.0.0.1:$ORIGIN_PORT/v1/" \
    --EnrichProxy:Upstreams:radarr-metadata:RateLimit:PermitsPerSecond=0 \
    --EnrichProxy:ForwardProxy:Enabled=true --EnrichProxy:ForwardProxy:Url="http://127.0.0.1:$FORWARD_PROXY_PORT" \
    --EnrichProxy:ForwardProxy:Username=radarr --EnrichProxy:ForwardProxy:Password=bench-password \
    --EnrichProxy:TlsFrontDoor:Enabled=true --EnrichProxy:TlsFrontDoor:Url="https://127.0.0.1:$FRONT_DOOR_PORT" \
    --EnrichProxy:CertificateAuthority:Directory="$WORK/ca"
  curl -fs -o "$WORK/ca.crt" "$(base_url enrichproxy)/ca.crt"
  local load=(dotnet "$OUT/loadtool/LoadTool.dll")
  local proxy=(--proxy "http://radarr:bench-password@127.0.0.1:$FORWARD_PROXY_PORT" --ca "$WORK/ca.crt")
  for round in $(seq 1 "$ROUNDS"); do
    local first=$((700000 + round * 10000))
    for pass in cold warm; do
      local before; before=$(origin_count /v1/movie/bulk)
      local json; json=$("${load[@]}" radarr-refresh https://api.radarr.video/ "$first" 1000 100 "${proxy[@]}")
      local upstream=$(( $(origin_count /v1/movie/bulk) - before ))
      log "radarr refresh round $round $pass through the forward proxy: $upstream upstream requests, $json"
      record "refresh.$pass.upstream" "$upstream"; record "refresh.$pass.seconds" "$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' <<<"$json")"
      record "refresh.$pass.movies" "$(sed 's/.*"movies":\([0-9]*\).*/\1/' <<<"$json")"
    done
    local before; before=$(origin_count /v1/movie/bulk)
    local json; json=$("${load[@]}" radarr-refresh "http://127.0.0.1:$ORIGIN_PORT/" "$first" 1000 100)
    local upstream=$(( $(origin_count /v1/movie/bulk) - before ))
    log "radarr refresh round $round straight to the origin: $upstream upstream requests, $json"
    record refresh.direct.upstream "$upstream"; record refresh.direct.seconds "$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' <<<"$json")"
    record refresh.direct.movies "$(sed 's/.*"movies":\([0-9]*\).*/\1/' <<<"$json")"
  done

  local seconds=${DURATION%s}
  curl -fs -o /dev/null "$(base_url enrichproxy)/radarr-metadata/movie/603"
  for round in $(seq 1 "$ROUNDS"); do
    local json
    json=$("${load[@]}" tls-hits "$(base_url enrichproxy)/radarr-metadata/movie/603" "$seconds" 32)
    log "radarr hits round $round plain HTTP: $json"; record_hits plain "$json"
    json=$("${load[@]}" tls-hits https://api.radarr.video/v1/movie/603 "$seconds" 32 --connect "127.0.0.1:$FRONT_DOOR_PORT" --ca "$WORK/ca.crt")
    log "radarr hits round $round TLS front door: $json"; record_hits front-door "$json"
    json=$("${load[@]}" tls-hits https://api.radarr.video/v1/movie/603 "$seconds" 32 "${proxy[@]}")
    log "radarr hits round $round forward proxy: $json"; record_hits forward-proxy "$json"
  done
  stop_proxy enrichproxy
  start_proxy enrichproxy
}

# Revalidation: 1,000 keys of 32 KB past the search policy's 2 s TTL (no stale-while-revalidate), asked again: each
# request fills with the stale copy at hand. /etag/ keys carry an ETag, so the fill is a conditional request the origin
# answers 304 without a body; /plain/ keys have no validator, so it is a full refetch. Upstream body bytes and latency.
revalidation() {
  local base; base=$(base_url enrichproxy)
  for round in $(seq 1 "$ROUNDS"); do
    local kind
    for kind in etag plain; do
      dotnet "$OUT/loadtool/LoadTool.dll" fill "$base/tmdb/3/search/$kind/r$round-" 1000 32 >/dev/null
    done
    sleep 3
    for kind in etag plain; do
      local before; before=$(origin_bytes "/3/search/$kind")
      local json; json=$(dotnet "$OUT/loadtool/LoadTool.dll" probe "$base/tmdb/3/search/$kind/r$round-" 1000 32)
      local sent=$(( $(origin_bytes "/3/search/$kind") - before ))
      log "revalidation round $round $kind: $sent upstream body bytes, $json"
      record "reval.$kind.bytes" "$sent"
      record "reval.$kind.p50" "$(sed 's/.*"p50_ms":\([0-9.]*\).*/\1/' <<<"$json")"
      record "reval.$kind.p99" "$(sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' <<<"$json")"
      record "reval.$kind.seconds" "$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' <<<"$json")"
      record "reval.$kind.ok" "$(sed 's/.*"ok":\([0-9]*\).*/\1/' <<<"$json")"
    done
  done
}

# Three instances of this build on one redis-server: a herd on a cold key (the origin takes 200 ms)
# dealt out among them, then Redis killed while one instance answers 10,000 keys another filled (so
# they are in Redis, not in its memory).
scaleout() {
  stop_proxy enrichproxy
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
  local redis_pid=$!; PIDS+=("$redis_pid")
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  local urls=() port
  for port in "${SCALE_PORTS[@]}"; do
    mkdir -p "$WORK/scale-$port"
    (cd "$OUT/enrichproxy" && exec env DOTNET_GCgen0size="$SHIPPED_GC_GEN0SIZE" dotnet EnrichProxy.dll \
      --urls "http://127.0.0.1:$port" \
      --ReverseProxy:Clusters:tmdb:Destinations:default:Address="http://127.0.0.1:$ORIGIN_PORT/" \
      --EnrichProxy:Redis:Configuration="127.0.0.1:$REDIS_PORT" \
      --EnrichProxy:Upstreams:tmdb:RateLimit:PermitsPerSecond=0 \
      --Logging:LogLevel:Default=Warning) >"$WORK/scale-$port.log" 2>&1 &
    PIDS+=("$!")
    wait_for "http://127.0.0.1:$port/health/live"
    urls+=("http://127.0.0.1:$port")
    curl -fs -o /dev/null "http://127.0.0.1:$port/tmdb/3/movie/1"
  done
  local all; all=$(IFS=,; echo "${urls[*]/%//tmdb/3/collection/KEY}")
  # Eight herds before the measured rounds, as the hit cases warm up before they measure: the first herds of a
  # process run its waiter path (the locks, the release announcement) on code the JIT has not optimised yet, and the
  # processes spend more CPU per herd until it has (by hand on 2026-12-04: twice as much in their first eight herds
  # as after). The first is recorded, not ranked.
  local cold; cold=$(dotnet "$OUT/loadtool/LoadTool.dll" herd "${all//KEY/first-herd}" 300)
  log "scale-out first herd of the processes (300, not ranked): $cold"
  RESULTS[scale.firstherd]=$cold
  for warm in $(seq 1 7); do dotnet "$OUT/loadtool/LoadTool.dll" herd "${all//KEY/warm-herd-$warm}" 900 >/dev/null; done
  for round in $(seq 1 "$ROUNDS"); do
    for size in 300 900; do
      local key="scale-$size-$round"
      local json; json=$(dotnet "$OUT/loadtool/LoadTool.dll" herd "${all//KEY/$key}" "$size")
      local upstream; upstream=$(origin_count "/3/collection/$key")
      log "scale-out herd $size round $round: $upstream upstream requests, $json"
      record "scaleherd$size.upstream" "$upstream"
      record "scaleherd$size.p50" "$(sed 's/.*"p50_ms":\([0-9.]*\).*/\1/' <<<"$json")"
      record "scaleherd$size.p99" "$(sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' <<<"$json")"
      record "scaleherd$size.ok" "$(sed 's/.*"ok":\([0-9]*\).*/\1/' <<<"$json")"
      # How long after the herd began its one fill reached the origin: what the waiters waited for besides the origin.
      local arrived; arrived=$(curl -fs "http://127.0.0.1:$ORIGIN_PORT/__arrivals/$key" || true)
      [ -n "$arrived" ] && record "scaleherd$size.fillat" "$(awk -v a="$arrived" -v s="$(sed 's/.*"started_unix_ms":\([0-9.]*\).*/\1/' <<<"$json")" 'BEGIN { printf "%.1f", a - s }')"
      # The same herd on one instance, and straight to the origin (which answers each request itself after
      # 200 ms): what the load tool and the machine add on their own, in the same round.
      json=$(dotnet "$OUT/loadtool/LoadTool.dll" herd "${urls[0]}/tmdb/3/collection/single-$key" "$size")
      log "scale-out herd $size round $round on one instance: $json"
      record "scaleherd$size.single.p50" "$(sed 's/.*"p50_ms":\([0-9.]*\).*/\1/' <<<"$json")"
      record "scaleherd$size.single.p99" "$(sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' <<<"$json")"
      json=$(dotnet "$OUT/loadtool/LoadTool.dll" herd "http://127.0.0.1:$ORIGIN_PORT/3/collection/direct-$key" "$size")
      log "scale-out herd $size round $round straight to the origin: $json"
      record "scaleherd$size.origin.p50" "$(sed 's/.*"p50_ms":\([0-9.]*\).*/\1/' <<<"$json")"
      record "scaleherd$size.origin.p99" "$(sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' <<<"$json")"
    done
  done

  # 10,000 keys: the probe lasts more than a second, so the kill falls inside it (2,000 were answered within 0.2 s
  # once the herd's lookups were shared, before the kill). Its X-Cache counts show both sides: HIT from Redis before the
  # kill, MISS (fetched again, Redis left out) after it.
  dotnet "$OUT/loadtool/LoadTool.dll" fill "${urls[1]}/tmdb/3/person/" 10000 32 >/dev/null
  dotnet "$OUT/loadtool/LoadTool.dll" probe "${urls[0]}/tmdb/3/person/" 10000 32 >"$WORK/redis-killed.json" &
  local probe=$!
  sleep 0.3
  kill -9 "$redis_pid"
  wait "$probe" || true
  RESULTS[scale.rediskilled]=$(cat "$WORK/redis-killed.json")
  log "scale-out Redis killed mid-load: ${RESULTS[scale.rediskilled]}"
  for port in "${SCALE_PORTS[@]}"; do pkill -f "urls http://127.0.0.1:$port" || true; done
  start_proxy enrichproxy
}

record_hits() { # label json
  for measure in rps p50_ms p99_ms not_hits; do
    record "radarr-hits.$1.$measure" "$(sed "s/.*\"$measure\":\([0-9.]*\).*/\1/" <<<"$2")"
  done
}

main() {
  install_tools
  build
  start_origin
  for build in $(builds); do start_proxy "$build"; done
  start_nginx
  start_ceiling

  wants hits && log "warming"
  wants hits && for target in $(builds) nginx kestrel; do
    local base; base=$(base_url "$target")
    curl -fs -o /dev/null "$base/tmdb/3/movie/1"; curl -fs -o /dev/null "$base/tmdb/3/tv/1"
    # Twice: the second pass is each key's first hit, which is when the fast path learns it (a server's
    # cache that has answered its hot keys before), so that no measured round pays for that learning.
    for _ in 1 2; do
      dotnet "$OUT/loadtool/LoadTool.dll" fill "$base/tmdb/3/movie/" 10000 32 >/dev/null
      dotnet "$OUT/loadtool/LoadTool.dll" fill "$base/tmdb/3/tv/" 10000 32 >/dev/null
    done
  done

  if wants hits; then
    hits hit-2k-hot /tmdb/3/movie/1
    hits hit-32k-hot /tmdb/3/tv/1
    hits hit-2k-10k /tmdb/3/movie/ bench/random-key.lua
    hits hit-32k-10k /tmdb/3/tv/ bench/random-key.lua
  fi

  if wants herd; then
    herd 200
    herd 1000
  fi

  # Miss path: every request a new key, against the same proxy forwarding without a cache.
  if wants miss; then
    for round in $(seq 1 "$ROUNDS"); do
      for target in $(builds) nginx; do
        read -r rps p50 p99 < <(wrk_run "$(base_url "$target")/tmdb/3/movie/" bench/unique-key.lua)
        log "miss round $round $target: $rps req/s, p99 $p99 ms"
        record "miss.$target.rps" "$rps"; record "miss.$target.p99" "$p99"
      done
      read -r rps p50 p99 < <(wrk_run "$(base_url enrichproxy)/tmdb/3/account/" bench/unique-key.lua)
      log "miss round $round yarp: $rps req/s, p99 $p99 ms"
      record miss.yarp.rps "$rps"; record miss.yarp.p99 "$p99"
    done
  fi

  local nginx_idle=0 nginx_full=0
  if wants memory; then
    for build in $(builds); do stop_proxy "$build"; done
    for build in $(builds); do memory "$build" "$build"; done
    GC_DEFAULT=1 memory gc-default enrichproxy
    local nginx_pids; nginx_pids=$(pgrep -f "nginx: .*$WORK|nginx: worker process" | tr '\n' ' ')
    nginx_idle=$(rss_kb $nginx_pids)
    dotnet "$OUT/loadtool/LoadTool.dll" fill "$(base_url nginx)/tmdb/3/person/" 100000 32 >/dev/null
    nginx_full=$(rss_kb $nginx_pids)
    for build in $(builds); do start_proxy "$build"; done
  fi

  wants radarr && radarr
  wants scaleout && scaleout
  wants revalidation && revalidation

  # Outage, ROUNDS times: warm 1,000 new keys with a 2 s TTL, stop the origin, wait past the TTL, ask again. Twice, each
  # like for like: /trending/ within stale-while-revalidate (1 min), which nginx does with proxy_cache_background_update:
  # the stale copy at once, the refresh in the background; /discover/ past it (0 s, nginx without `updating`): each
  # request tries the origin first and falls back to the stale copy when the origin refuses. Between rounds the origin
  # starts again and the proxies' circuits close (a 2 s break here, 30 s shipped); the servers' order alternates. The
  # first round is each process's first outage, reported apart as well as in the median.
  if wants outage; then
    local path round
    for round in $(seq 1 "$ROUNDS"); do
      if [ "$round" -gt 1 ]; then
        start_origin
        sleep 2.5
        # One answer each past the break closes the circuits (wait_for tries again while the first still finds one open).
        for target in $(builds) nginx; do
          wait_for "$(base_url "$target")/tmdb/3/movie/$((990000 + round))" \
            || log "WARNING: $target still refuses with the origin back; round $round's fills may fail (see its STALE count)"
        done
      fi
      for target in $(builds) nginx; do
        for path in trending discover; do
          dotnet "$OUT/loadtool/LoadTool.dll" fill "$(base_url "$target")/tmdb/3/$path/r$round-" 1000 32 >/dev/null
        done
      done
      kill "$ORIGIN_PID" 2>/dev/null || true; wait "$ORIGIN_PID" 2>/dev/null || true
      sleep 3
      ROTATION=$((ROTATION + 1))
      for path in trending discover; do
        for target in $(rotated "$ROTATION" $(builds) nginx); do
          local probe; probe=$(dotnet "$OUT/loadtool/LoadTool.dll" probe "$(base_url "$target")/tmdb/3/$path/r$round-" 1000 32)
          log "outage round $round ($path) $target: $probe"
          record "outage-$path.$target.p99" "$(grep -o '"p99_ms":[0-9.]*' <<<"$probe" | cut -d: -f2)"
          local stale; stale=$(grep -o '"STALE":[0-9]*' <<<"$probe" | cut -d: -f2 || true)
          record "outage-$path.$target.stale" "${stale:-0}"
        done
      done
    done
  fi

  report "$nginx_idle" "$nginx_full"
}

row() { # label key unit
  local e n k; e=$(med "$2.enrichproxy.$3"); n=$(med "$2.nginx.$3"); k=$(med "$2.kestrel.$3")
  if [ -n "$BASELINE" ]; then
    local b; b=$(med "$2.baseline.$3")
    echo "| $1 | $e | $b | $(ratio "$e" "$b") | $n | $(ratio "$e" "$n") | $k | $(ratio "$e" "$k") |"
  else
    echo "| $1 | $e | $n | $(ratio "$e" "$n") | $k | $(ratio "$e" "$k") |"
  fi
}

per_entry() { # build [idle20: above the idle after 20 keys, over the 2,000 warm-up entries too] -> bytes per entry above idle
  local from=idle entries=100000; [ "${2:-}" = idle20 ] && from=idle20 entries=102000
  awk -v a="$(med "memory.$1.$from")" -v b="$(med "memory.$1.full")" -v n="$entries" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }'
}

report() {
  local nginx_idle=$1 nginx_full=$2
  local before=""; [ -n "$BASELINE" ] && before="Before ($BASELINE) | This/before | "
  local before_rule=""; [ -n "$BASELINE" ] && before_rule="--- | --- | "
  {
    echo "## Results ($(date -u +%Y-%m-%d), $(nproc) cores, ROUNDS=$ROUNDS, DURATION=$DURATION, wrk -t1 -c$CONNECTIONS; medians)"
    echo
    if wants hits; then
      echo "| Cache hits | This build | ${before}nginx | This/nginx | Kestrel alone | This/Kestrel alone |"
      echo "| --- | --- | ${before_rule}--- | --- | --- | --- |"
      for test in hit-2k-hot hit-32k-hot hit-2k-10k hit-32k-10k; do
        row "$test req/s" "$test" rps; row "$test p50 ms" "$test" p50; row "$test p99 ms" "$test" p99
      done
      echo
    fi
    if wants herd; then
      echo "| Herd on a cold key (origin takes 200 ms) | This build | ${before}nginx | origin answering every request itself |"
      echo "| --- | --- | ${before_rule}--- | --- |"
      for size in 200 1000; do
        for measure in upstream p50 p99; do
          local label="upstream requests"; [ "$measure" != upstream ] && label="waiter $measure ms"
          local e b n o
          e=$(med "herd$size.enrichproxy.$measure"); n=$(med "herd$size.nginx.$measure")
          o=$size; [ "$measure" != upstream ] && o=$(med "herd$size.origin.$measure")
          if [ -n "$BASELINE" ]; then b=$(med "herd$size.baseline.$measure"); echo "| $size requests: $label | $e | $b | $(ratio "$e" "$b") | $n | $o |"
          else echo "| $size requests: $label | $e | $n | $o |"; fi
        done
      done
      echo
    fi
    if wants miss; then
      echo "| Miss path (every request a new key) | req/s | p99 ms |"
      echo "| --- | --- | --- |"
      echo "| This build, cache miss | $(med miss.enrichproxy.rps) | $(med miss.enrichproxy.p99) |"
      [ -n "$BASELINE" ] && echo "| Before ($BASELINE), cache miss | $(med miss.baseline.rps) | $(med miss.baseline.p99) |"
      echo "| YARP forwarding, no cache (this build's process) | $(med miss.yarp.rps) | $(med miss.yarp.p99) |"
      echo "| nginx proxy_cache miss | $(med miss.nginx.rps) | $(med miss.nginx.p99) |"
      echo
    fi
    if wants outage; then
      echo "| Outage (origin stopped, 1,000 warmed keys past a 2 s TTL), p99 ms | within stale-while-revalidate (nginx: background update): median of rounds | first round | past it, each request trying the origin first (nginx: no \`updating\`): median | first round | answered STALE, fewest in a round |"
      echo "| --- | --- | --- | --- | --- | --- |"
      for target in $(builds) nginx; do
        echo "| $target | $(med "outage-trending.$target.p99") | $(nth "outage-trending.$target.p99" 1) | $(med "outage-discover.$target.p99") | $(nth "outage-discover.$target.p99" 1) | $(printf '%s' "${RESULTS[outage-trending.$target.stale]}${RESULTS[outage-discover.$target.stale]}" | grep -v '^$' | sort -g | head -1)/1000 |"
      done
      echo
    fi
    if wants revalidation; then
      echo "| 1,000 expired 32 KB entries asked again (origin 20 ms) | upstream body bytes | answered 200 | p50 ms | p99 ms | wall time s |"
      echo "| --- | --- | --- | --- | --- | --- |"
      echo "| With an ETag: conditional request, origin answers 304 | $(med reval.etag.bytes) | $(med reval.etag.ok) | $(med reval.etag.p50) | $(med reval.etag.p99) | $(med reval.etag.seconds) |"
      echo "| Without a validator: full refetch | $(med reval.plain.bytes) | $(med reval.plain.ok) | $(med reval.plain.p50) | $(med reval.plain.p99) | $(med reval.plain.seconds) |"
      echo "| ETag / full (bytes, p50, p99) | $(ratio "$(med reval.etag.bytes)" "$(med reval.plain.bytes)") | | $(ratio "$(med reval.etag.p50)" "$(med reval.plain.p50)") | $(ratio "$(med reval.etag.p99)" "$(med reval.plain.p99)") | |"
      echo
    fi
    if wants radarr; then
      echo "| Radarr library refresh: 1,000 movies as 10 bulk lookups of 100 | upstream requests | wall time s | movies answered |"
      echo "| --- | --- | --- | --- |"
      echo "| Straight to the origin (50 ms per request) | $(med refresh.direct.upstream) | $(med refresh.direct.seconds) | $(med refresh.direct.movies) |"
      echo "| Through the forward proxy, cold | $(med refresh.cold.upstream) | $(med refresh.cold.seconds) | $(med refresh.cold.movies) |"
      echo "| Through the forward proxy, warm | $(med refresh.warm.upstream) | $(med refresh.warm.seconds) | $(med refresh.warm.movies) |"
      echo "| Cold / straight, warm / straight (wall time) | | $(ratio "$(med refresh.cold.seconds)" "$(med refresh.direct.seconds)"), $(ratio "$(med refresh.warm.seconds)" "$(med refresh.direct.seconds)") | |"
      echo
      echo "| Hits on one movie (2 KB), HttpClient, 32 connections | req/s | p50 ms | p99 ms | not HIT | req/s relative to plain HTTP |"
      echo "| --- | --- | --- | --- | --- | --- |"
      for path in plain front-door forward-proxy; do
        local label=$path
        case $path in plain) label="Plain HTTP, /radarr-metadata/movie/603" ;; front-door) label="HTTPS through the TLS front door" ;; forward-proxy) label="HTTPS through the forward proxy (CONNECT, intercepted)" ;; esac
        echo "| $label | $(med "radarr-hits.$path.rps") | $(med "radarr-hits.$path.p50_ms") | $(med "radarr-hits.$path.p99_ms") | $(med "radarr-hits.$path.not_hits") | $(ratio "$(med "radarr-hits.$path.rps")" "$(med radarr-hits.plain.rps)") |"
      done
      echo
    fi
    if wants scaleout; then
      echo "| Three instances on one Redis: herd on a cold key (origin 200 ms) | upstream requests | answered | fill at the origin after ms | waiter p50 ms | waiter p99 ms | one instance p50 / p99 ms | straight to the origin p50 / p99 ms |"
      echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
      for size in 300 900; do
        echo "| $size requests dealt out among the three | $(med "scaleherd$size.upstream") | $(med "scaleherd$size.ok")/$size | $(med "scaleherd$size.fillat") | $(med "scaleherd$size.p50") | $(med "scaleherd$size.p99") | $(med "scaleherd$size.single.p50") / $(med "scaleherd$size.single.p99") | $(med "scaleherd$size.origin.p50") / $(med "scaleherd$size.origin.p99") |"
      done
      echo
      echo "Each round, waiter p99 against the origin's own p99 (origin + 50 ms is the target): $(for size in 300 900; do printf '%s: ' "$size"; for r in $(seq 1 "$ROUNDS"); do printf '%s/%s ' "$(nth "scaleherd$size.p99" "$r")" "$(nth "scaleherd$size.origin.p99" "$r")"; done; done)"
      echo
      echo "The processes' first herd (300, before the rounds, not ranked): \`${RESULTS[scale.firstherd]:-}\`"
      echo
      echo "Redis killed (SIGKILL) 0.3 s into 10,000 requests for keys in Redis but not in the answering instance's memory: \`${RESULTS[scale.rediskilled]:-}\`"
      echo
    fi
    if wants memory; then
      echo "| Memory, 100,000 entries of 2 KB (204.8 MB of bodies) | idle KiB (after 20 keys) | idle KiB (after 2,000 more) | full KiB | bytes per entry above idle | above the idle after 20 keys, over all 102,000 entries (as before 2026-12-04) |"
      echo "| --- | --- | --- | --- | --- | --- |"
      for build in $(builds) gc-default; do
        local bytes old_way; bytes=$(per_entry "$build"); old_way=$(per_entry "$build" idle20)
        local label=$build; [ "$build" = gc-default ] && label="enrichproxy, the runtime's default gen0 size"
        echo "| $label | $(med "memory.$build.idle20") | $(med "memory.$build.idle") | $(med "memory.$build.full") | $bytes ($(ratio "$bytes" 2048)x the 2,048-byte body) | $old_way ($(ratio "$old_way" 2048)x) |"
      done
      echo "| nginx (master and workers; bodies on disk; no warm-up) | $nginx_idle | | $nginx_full | | |"
    fi
  } | tee "$OUT/report.md"
}

main
