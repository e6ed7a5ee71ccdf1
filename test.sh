#!/usr/bin/env bash
# Runs every EnrichProxy test with line coverage of src/ (minimum 80%).
# Installs what the tests need when it is missing (redis-server, curl, chromium, from Debian's packages), then
# runs dotnet test. The last line printed is "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

# The integration tests start a real redis-server on a free port, use curl as a second client, and look at the
# status page in a headless chromium (CHROMIUM_PATH points at another one).
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ -z "${CHROMIUM_PATH:-}" ]; then command -v chromium >/dev/null 2>&1 || missing+=(chromium); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing ${missing[*]} (the integration tests need them)."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "Could not install ${missing[*]}."; exit 1; }
fi

results="TestResults"
rm -rf "$results"
dotnet test EnrichProxy.sln -c Release \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" \
  --collect "XPlat Code Coverage" --settings coverlet.runsettings
tests=$?

dotnet run build/test-report.cs -- "$results" 80
report=$?

if [ "$tests" -ne 0 ] || [ "$report" -ne 0 ]; then exit 1; fi
