#!/usr/bin/env bash
# Starts the Spark Job Server in the background and waits until it answers GET /healthz.
#
#   bin/server_start.sh [-c my.conf] [-Dkey=value ...] [-Xmx...]
#
# The arguments are those of bin/jobserver, which this script runs detached (setsid, nohup).
#   JOBSERVER_PID_DIR        where jobserver.pid is kept (default <home>/run)
#   JOBSERVER_LOG_DIR        where server.log is written, the previous start's kept as server.log.1
#                            (default <home>/logs)
#   JOBSERVER_START_TIMEOUT  seconds to wait for /healthz (default 120)
# Exit codes: 0 started and healthy; 1 already running (the pid is named), the server exited during
# its start (its log's tail is printed) or it did not answer in time (it is left running).
# Stop it with bin/server_stop.sh.
set -euo pipefail

HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$HOME_DIR/bin/lib/common.sh"
jobserver_daemon_paths "$HOME_DIR"
PID_FILE="$JOBSERVER_PID_FILE"
LOG_DIR="$JOBSERVER_LOG_DIR"
LOG="$LOG_DIR/server.log"
TIMEOUT="${JOBSERVER_START_TIMEOUT:-120}"
case "$TIMEOUT" in ''|*[!0-9]*) echo "server_start.sh: JOBSERVER_START_TIMEOUT must be a number of seconds, not '$TIMEOUT'" >&2; exit 2 ;; esac

mkdir -p "$(dirname "$PID_FILE")" "$LOG_DIR"

# Claim the pid file (noclobber: of two starts at once, one wins), replacing one left by a dead server.
claim_pid_file() {
  (set -o noclobber; echo "$$" > "$PID_FILE") 2>/dev/null
}
if ! claim_pid_file; then
  running="$(cat "$PID_FILE" 2>/dev/null || true)"
  if jobserver_running "$running"; then
    echo "server_start.sh: the job server is already running (pid $running, pid file $PID_FILE)" >&2
    exit 1
  fi
  echo "server_start.sh: removing the stale pid file $PID_FILE (pid ${running:-none} is not running)" >&2
  rm -f "$PID_FILE"
  if ! claim_pid_file; then
    echo "server_start.sh: another start took $PID_FILE (pid $(cat "$PID_FILE" 2>/dev/null || true))" >&2
    exit 1
  fi
fi

if [ -f "$LOG" ]; then
  mv -f "$LOG" "$LOG.1"
fi
# Made here, not by the background job's redirection, which may open it after the wait below first reads it.
: > "$LOG"

# setsid: the server and its drivers leave this terminal's session, so closing it or Ctrl-C there does
# not reach them; nohup where there is no setsid (it still ignores the hang-up).
detach=(nohup)
if command -v setsid > /dev/null 2>&1; then
  detach=(setsid)
fi
# bin/jobserver execs java, so $! is the server JVM's pid (setsid execs too: a background job of a
# script is no process group leader, so it does not fork).
"${detach[@]}" "$HOME_DIR/bin/jobserver" "$@" < /dev/null >> "$LOG" 2>&1 &
pid=$!
echo "$pid" > "$PID_FILE"

# GET /healthz at <url>: prints the HTTP status, or nothing when there is no answer. curl where
# installed (it speaks HTTPS too); otherwise plain HTTP through bash's /dev/tcp.
health_status() {
  local url=$1 rest hostport status=""
  if command -v curl > /dev/null 2>&1; then
    curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$url/healthz" 2>/dev/null || true
    return
  fi
  case "$url" in http://*) ;; *) return ;; esac
  rest="${url#*://}"
  hostport="${rest%%/*}"
  # shellcheck disable=SC2016 # $1 and $2 are the inner bash's
  status="$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" &&
      printf "GET /healthz HTTP/1.0\r\nHost: %s:%s\r\n\r\n" "$1" "$2" >&3 &&
      read -r _ code _ <&3 && echo "$code"' health "${hostport%:*}" "${hostport##*:}" 2>/dev/null || true)"
  echo "$status"
}

# Main's own messages ("jobserver: ...": a bad configuration, a port in use) say why, then the tail.
explain_failure() {
  grep '^jobserver: ' "$LOG" >&2 || true
  echo "--- last lines of $LOG:" >&2
  tail -n 40 "$LOG" >&2 || true
}

# The URL is the one the server reports having bound ("... is listening on http(s)://host:port"), so it
# is right whatever set it: the -c file, a -D option, JAVA_OPTS, the bundled default or port 0.
deadline=$(( $(date +%s) + TIMEOUT ))
url=""
while :; do
  if ! kill -0 "$pid" 2>/dev/null; then
    code=0
    wait "$pid" || code=$?
    rm -f "$PID_FILE"
    echo "server_start.sh: the job server exited during its start (exit code $code); log: $LOG" >&2
    explain_failure
    exit 1
  fi
  if [ -z "$url" ]; then
    url="$(sed -n 's/^Spark Job Server .* is listening on \([^ ]*\).*$/\1/p' "$LOG" | head -n 1 || true)"
  fi
  if [ -n "$url" ]; then
    if [ "${url#https://}" != "$url" ] && ! command -v curl > /dev/null 2>&1; then
      # bash alone speaks no TLS: the line is printed once the port is bound and the database open
      echo "Spark Job Server started: pid $pid, $url (listening; curl not found to ask /healthz over HTTPS; pid file $PID_FILE, log $LOG)"
      exit 0
    fi
    status="$(health_status "$url")"
    if [ "$status" = 200 ]; then
      echo "Spark Job Server started: pid $pid, $url (pid file $PID_FILE, log $LOG)"
      exit 0
    fi
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    if [ -n "$url" ]; then
      echo "server_start.sh: the job server (pid $pid) listens on $url but /healthz did not answer 200 within ${TIMEOUT} s (last status: ${status:-none}); it is left running; log: $LOG" >&2
    else
      echo "server_start.sh: the job server (pid $pid) did not start listening within ${TIMEOUT} s (JOBSERVER_START_TIMEOUT); it is left running; log: $LOG" >&2
    fi
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done
