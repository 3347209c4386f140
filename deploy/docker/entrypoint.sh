#!/usr/bin/env bash
# The container image's entrypoint: runs the job server in the foreground, configured from the
# environment. It replaces itself with bin/jobserver, which replaces itself with the JVM, so the server
# keeps this process's pid and gets the container's SIGTERM (a graceful stop) itself.
#
#   entrypoint.sh [-Dkey=value | -X... ...]    the server, with extra JVM options
#   entrypoint.sh <command> [args...]          any other command, e.g. bin/jobserver-cli binaries list
#
# Environment (every one optional; docs/container.md):
#   JOBSERVER_HOME            the unpacked distribution (default: /opt/spark-jobserver)
#   JOBSERVER_CONFIG          a configuration file (HOCON), as `bin/jobserver -c`; the variables below
#                             override its keys
#   JOBSERVER_ROOT_DIR        spark.jobserver.rootdir: all state (created if missing, must be writable)
#   JOBSERVER_PORT            spark.jobserver.port (1-65535)
#   JOBSERVER_BIND_ADDRESS    spark.jobserver.bind-address
#   JOBSERVER_SPARK_MASTER    spark.master
#   JOBSERVER_DB_URL          spark.jobserver.sqldao.jdbc.url (jdbc:h2:, jdbc:postgresql:, jdbc:mariadb:,
#                             jdbc:mysql:)
#   JOBSERVER_DB_USER         spark.jobserver.sqldao.jdbc.user
#   JOBSERVER_DB_PASSWORD     spark.jobserver.sqldao.jdbc.password (read from the environment by the
#                             server: never written to a file or the command line)
#   JOBSERVER_HEAP            the server's maximum heap (-Xmx), e.g. 1g; wins over JAVA_OPTS, not
#                             over -Xmx given as an argument
#   JAVA_OPTS                 more JVM options of the server (bin/jobserver)
#
# Bad input (a missing configuration file, a port that is not one, ...) stops it with a message and
# exit code 2 before the JVM starts.
set -euo pipefail

fail() {
  echo "entrypoint: $*" >&2
  exit 2
}

home=${JOBSERVER_HOME:-/opt/spark-jobserver}
[ -x "$home/bin/jobserver" ] ||
  fail "JOBSERVER_HOME=$home is not an unpacked distribution (no executable bin/jobserver in it)"

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  # not an option: a command to run instead of the server, from the distribution's directory
  cd "$home"
  exec "$@"
fi
for arg in "$@"; do
  case "$arg" in
    -D* | -X*) ;;
    -c | --config | *.conf) fail "give the configuration file in JOBSERVER_CONFIG, not as an argument ($arg)" ;;
    *) fail "unknown argument '$arg' (JVM options -D... and -X... only)" ;;
  esac
done

# A HOCON string literal: the value quoted, its backslashes and quotes escaped.
hocon_string() {
  local value=${1//\\/\\\\}
  printf '"%s"' "${value//\"/\\\"}"
}

overlay_lines=()
if [ -n "${JOBSERVER_CONFIG:-}" ]; then
  [ -f "$JOBSERVER_CONFIG" ] || fail "JOBSERVER_CONFIG=$JOBSERVER_CONFIG: no such file"
  [ -r "$JOBSERVER_CONFIG" ] || fail "JOBSERVER_CONFIG=$JOBSERVER_CONFIG: not readable by $(id -un 2>/dev/null || id -u)"
  config=$(cd "$(dirname "$JOBSERVER_CONFIG")" && pwd)/$(basename "$JOBSERVER_CONFIG")
  overlay_lines+=("include required(file($(hocon_string "$config")))")
fi

if [ -n "${JOBSERVER_ROOT_DIR:-}" ]; then
  case "$JOBSERVER_ROOT_DIR" in
    /*) ;;
    *) fail "JOBSERVER_ROOT_DIR=$JOBSERVER_ROOT_DIR: not an absolute path" ;;
  esac
  if [ -e "$JOBSERVER_ROOT_DIR" ] && [ ! -d "$JOBSERVER_ROOT_DIR" ]; then
    fail "JOBSERVER_ROOT_DIR=$JOBSERVER_ROOT_DIR: not a directory"
  fi
  mkdir -p "$JOBSERVER_ROOT_DIR" 2>/dev/null || fail "JOBSERVER_ROOT_DIR=$JOBSERVER_ROOT_DIR: cannot create it"
  [ -w "$JOBSERVER_ROOT_DIR" ] ||
    fail "JOBSERVER_ROOT_DIR=$JOBSERVER_ROOT_DIR: not writable by $(id -un 2>/dev/null || id -u)"
  overlay_lines+=("spark.jobserver.rootdir = \${?JOBSERVER_ROOT_DIR}")
fi

if [ -n "${JOBSERVER_PORT:-}" ]; then
  [[ "$JOBSERVER_PORT" =~ ^[0-9]{1,5}$ ]] && [ "$JOBSERVER_PORT" -ge 1 ] && [ "$JOBSERVER_PORT" -le 65535 ] ||
    fail "JOBSERVER_PORT=$JOBSERVER_PORT: not a port number (1-65535)"
  overlay_lines+=("spark.jobserver.port = \${?JOBSERVER_PORT}")
fi

if [ -n "${JOBSERVER_BIND_ADDRESS:-}" ]; then
  overlay_lines+=("spark.jobserver.bind-address = \${?JOBSERVER_BIND_ADDRESS}")
fi
if [ -n "${JOBSERVER_SPARK_MASTER:-}" ]; then
  overlay_lines+=("spark.master = \${?JOBSERVER_SPARK_MASTER}")
fi

if [ -n "${JOBSERVER_DB_URL:-}" ]; then
  case "$JOBSERVER_DB_URL" in
    jdbc:h2:* | jdbc:postgresql:* | jdbc:mariadb:* | jdbc:mysql:*) ;;
    *) fail "JOBSERVER_DB_URL=$JOBSERVER_DB_URL: not a JDBC URL of a supported database" \
      "(jdbc:h2:, jdbc:postgresql:, jdbc:mariadb:, jdbc:mysql:)" ;;
  esac
  overlay_lines+=("spark.jobserver.sqldao.jdbc.url = \${?JOBSERVER_DB_URL}")
fi
# User and password alone are fine: the URL may come from JOBSERVER_CONFIG.
if [ -n "${JOBSERVER_DB_USER:-}" ]; then
  overlay_lines+=("spark.jobserver.sqldao.jdbc.user = \${?JOBSERVER_DB_USER}")
fi
if [ -n "${JOBSERVER_DB_PASSWORD:-}" ]; then
  overlay_lines+=("spark.jobserver.sqldao.jdbc.password = \${?JOBSERVER_DB_PASSWORD}")
fi

jvm_args=()
if [ -n "${JOBSERVER_HEAP:-}" ]; then
  [[ "$JOBSERVER_HEAP" =~ ^[1-9][0-9]*[kKmMgG]?$ ]] ||
    fail "JOBSERVER_HEAP=$JOBSERVER_HEAP: not a heap size (e.g. 512m, 2g)"
  jvm_args+=("-Xmx$JOBSERVER_HEAP")
fi

server_args=()
if [ ${#overlay_lines[@]} -gt 0 ]; then
  # The server takes one file: this one includes JOBSERVER_CONFIG and sets the keys above from the
  # environment (${?VAR}: the server reads the values, so no secret is written here).
  overlay=$(mktemp "${TMPDIR:-/tmp}/jobserver-entrypoint.XXXXXX.conf" 2>/dev/null) ||
    fail "cannot create a file in ${TMPDIR:-/tmp} (set TMPDIR to a writable directory)"
  {
    echo "# Written by $0 at $(date -u +%Y-%m-%dT%H:%M:%SZ) from the environment."
    printf '%s\n' "${overlay_lines[@]}"
  } >"$overlay"
  server_args+=(-c "$overlay")
fi

# JOBSERVER_HEAP after JAVA_OPTS (bin/jobserver puts arguments last), the arguments after it
exec "$home/bin/jobserver" ${server_args[@]+"${server_args[@]}"} ${jvm_args[@]+"${jvm_args[@]}"} "$@"
