#!/usr/bin/env bash
# Runs every EnrichProxy test with line coverage of src/ (minimum 80%).
# Installs what the tests need when it is missing (redis-server, from Debian's packages), then runs
# dotnet test. The last line printed is "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "Installing redis-server: the integration tests start a real one on a free port."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null \
    || { echo "Could not install redis-server."; exit 1; }
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
