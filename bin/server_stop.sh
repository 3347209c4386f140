#!/usr/bin/env bash
# Stops the Spark Job Server that bin/server_start.sh of this installation started.
#
#   bin/server_stop.sh
#
# SIGTERM first: the server closes its HTTP port, its database and its connections to the drivers.
# The drivers keep running and retry the server for spark.jobserver.driver.reconnect-grace-period
# (5 min), so a server started again within that time takes its contexts back; delete the contexts
# first to end them. A server still running after JOBSERVER_STOP_TIMEOUT seconds (default 30) gets
# SIGKILL. The pid file is found as bin/server_start.sh writes it (JOBSERVER_PID_DIR, default <home>/run).
# Exit codes: 0 stopped, or not running (said so, a stale pid file removed); 1 it could not be stopped.
set -euo pipefail

HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$HOME_DIR/bin/lib/common.sh"
jobserver_daemon_paths "$HOME_DIR"
PID_FILE="$JOBSERVER_PID_FILE"
TIMEOUT="${JOBSERVER_STOP_TIMEOUT:-30}"
case "$TIMEOUT" in ''|*[!0-9]*) echo "server_stop.sh: JOBSERVER_STOP_TIMEOUT must be a number of seconds, not '$TIMEOUT'" >&2; exit 2 ;; esac

if [ ! -f "$PID_FILE" ]; then
  echo "The job server is not running (no pid file $PID_FILE)."
  exit 0
fi
pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if ! jobserver_running "$pid"; then
  rm -f "$PID_FILE"
  echo "The job server is not running (pid ${pid:-none} of $PID_FILE is gone; the stale pid file was removed)."
  exit 0
fi

# Waits up to $1 seconds for the server to be gone; returns 1 when it is still there.
wait_gone() {
  local deadline
  deadline=$(( $(date +%s) + $1 ))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      return 1
    fi
    sleep 0.5
  done
}

echo "Stopping the job server (pid $pid)..."
kill -TERM "$pid" 2>/dev/null || true
if ! wait_gone "$TIMEOUT"; then
  echo "server_stop.sh: the job server (pid $pid) did not stop within ${TIMEOUT} s (JOBSERVER_STOP_TIMEOUT): sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  if ! wait_gone 10; then
    echo "server_stop.sh: the job server (pid $pid) is still running after SIGKILL" >&2
    exit 1
  fi
fi
rm -f "$PID_FILE"
echo "The job server (pid $pid) is stopped."
