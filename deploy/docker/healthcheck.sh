#!/usr/bin/env bash
# The image's HEALTHCHECK: exit 0 when GET /healthz on this container's server answers 200, 1 otherwise.
# Bash's /dev/tcp, so the image needs no curl. Plain HTTP only: with TLS on, use an orchestrator's probe.
#
#   healthcheck.sh [port]     (default: JOBSERVER_PORT, else 8090)
set -euo pipefail

port=${1:-${JOBSERVER_PORT:-8090}}
if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
  echo "healthcheck: nothing answers on port $port" >&2
  exit 1
fi
printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 10 status <&3 || exit 1
case "$status" in
  "HTTP/1."[01]" 200 "*) exit 0 ;;
  *)
    echo "healthcheck: GET /healthz: ${status%$'\r'}" >&2
    exit 1
    ;;
esac
