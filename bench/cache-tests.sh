#!/usr/bin/env bash
# The public HTTP cache conformance suite (http-tests/cache-tests, cache-tests.fyi) against EnrichProxy with a
# `Freshness: Origin` policy on every test URL: how a shared cache that follows the origin does on RFC 9111.
# Installs the suite from npm (http-cache-tests; the registry's 0.4.5 is an older tree than cache-tests.fyi runs,
# see BENCHMARKS.md), starts its origin server, this build of the proxy in front of it, runs every test, and prints
# the failures of the tests the suite counts as required (no kind, or kind "required"), with totals per suite.
#
#   bench/cache-tests.sh          needs node and npm (Debian's packages)
#   TEST_ID=freshness-max-age bench/cache-tests.sh   one test, with its requests and responses
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE_PORT=${SUITE_PORT:-18400}
PROXY_PORT=${PROXY_PORT:-18401}
WORK=$(mktemp -d /tmp/enrichproxy-cache-tests.XXXXXX)
OUT=bench/.out
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "[cache-tests] $*" >&2; }

command -v npm >/dev/null || { log "installing node and npm"; apt-get install -y -qq nodejs npm >/dev/null; }
(cd "$WORK" && npm install --silent --no-audit --no-fund http-cache-tests@0.4.5 >/dev/null)
SUITE="$WORK/node_modules/http-cache-tests"

log "building Release"
dotnet publish src/EnrichProxy -c Release -o "$OUT/cache-tests-proxy" -v quiet -nologo >/dev/null

(cd "$SUITE" && exec env npm_config_port="$SUITE_PORT" npm_config_protocol=http npm_config_pidfile="$WORK/suite.pid" node server/server.mjs) >"$WORK/suite.log" 2>&1 &
PIDS+=("$!")

# /test/... through a route with an origin-driven policy whose bounds never bind (a year fresh, no stale windows of
# its own, so that only the origin's directives allow stale answers) and whose fills send every client header, as the
# suite expects of a forwarding cache (ForwardedRequestHeaders "*"); /config and /state (the suite's bookkeeping)
# through a route without a policy. No retries and no circuit breaker to speak of: the suite sends 5xx on purpose.
(cd "$OUT/cache-tests-proxy" && exec dotnet EnrichProxy.dll --urls "http://127.0.0.1:$PROXY_PORT" \
  --ReverseProxy:Clusters:suite:Destinations:default:Address="http://127.0.0.1:$SUITE_PORT/" \
  --ReverseProxy:Routes:suite-test:ClusterId=suite --ReverseProxy:Routes:suite-test:Match:Path="/test/{**rest}" \
  --ReverseProxy:Routes:suite-test:Metadata:CachePolicy=conformance \
  --ReverseProxy:Routes:suite-other:ClusterId=suite --ReverseProxy:Routes:suite-other:Match:Path="/{**rest}" \
  --EnrichProxy:Policies:conformance:Freshness=Origin --EnrichProxy:Policies:conformance:Ttl=365.00:00:00 \
  --EnrichProxy:Policies:conformance:NegativeTtl=365.00:00:00 --EnrichProxy:Policies:conformance:ForwardedRequestHeaders:0="*" \
  --EnrichProxy:Upstreams:suite:Kind=Metadata --EnrichProxy:Upstreams:suite:Retry:MaxRetries=0 \
  --EnrichProxy:Upstreams:suite:CircuitBreaker:FailuresBeforeOpening=100000 \
  --EnrichProxy:Cache:DiskPath="$WORK/cache.db" --EnrichProxy:Warmup:Enabled=false \
  --Logging:LogLevel:Default=Warning) >"$WORK/proxy.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$PROXY_PORT/health/live" && break; sleep 0.2; done

if [ -n "${TEST_ID:-}" ]; then
  (cd "$SUITE" && npm_config_base="http://127.0.0.1:$PROXY_PORT" npm_config_id="$TEST_ID" node --no-warnings cli.mjs)
  exit 0
fi

log "running the suite through the proxy"
(cd "$SUITE" && npm_config_base="http://127.0.0.1:$PROXY_PORT" npm_config_id="" npm_package_config_id="" node --no-warnings cli.mjs) >"$WORK/results.json"
cp "$WORK/results.json" "$OUT/cache-tests-results.json"

(cd "$SUITE" && node --input-type=module -e '
import fs from "fs"
import tests from "./tests/index.mjs"
const results = JSON.parse(fs.readFileSync(process.argv[1], "utf8"))
let passed = 0, failed = 0, notRun = 0
const rows = []
for (const suite of tests) {
  let suitePassed = 0, suiteTotal = 0
  for (const test of suite.tests) {
    const required = test.kind === undefined || test.kind === "required"
    if (!required || test.browser_only) continue
    const result = results[test.id]
    suiteTotal++
    if (result === true) { passed++; suitePassed++ }
    else if (result === undefined) { notRun++ }
    else { failed++; console.log(`FAIL ${suite.id} ${test.id}: ${test.name} -- ${Array.isArray(result) ? result[1] : result}`) }
  }
  rows.push(`${suite.id}: ${suitePassed}/${suiteTotal}`)
}
console.log(rows.join("\n"))
console.log(`required (shared cache): ${passed} passed, ${failed} failed, ${notRun} not run`)
' "$WORK/results.json")
