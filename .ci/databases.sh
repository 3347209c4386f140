# Sourced by .ci/run (bash). Installs PostgreSQL and MariaDB from Debian's packages if missing, starts
# both on 127.0.0.1 without systemd, creates the test database and user in each, checks that the test
# user can log in to each over TCP, as the store contract tests will, and exports the variables those
# tests read. Safe to run again on the same machine: what is already installed, running or created is
# left as it is.
#
# When a database does not come up, it says which, what it tried and the end of that database's log,
# and returns non-zero (which stops .ci/run) instead of carrying on to tests that would then fail
# one by one (JOBSERVER_REQUIRE_ALL_DATABASES) or be skipped (without it).
#
# Also usable by hand to get the same databases on a development machine (as root):
#   source .ci/databases.sh

JOBSERVER_DB_NAME=jobserver_test
JOBSERVER_DB_USER=jobserver
JOBSERVER_DB_PASSWORD=jobserver
JOBSERVER_PG_PORT=5432
JOBSERVER_MYSQL_PORT=3306
# mysqld_safe of Debian's configuration logs to syslog, which a container does not have
JOBSERVER_MYSQL_LOG=/var/log/mysql/error.log

ci_db_log() { echo "[databases] $*"; }

ci_db_fail() { # ci_db_fail <database> <what was tried> [<log file>]; returns 1
  local log=${3:-}
  {
    echo "[databases] ERROR: $1 is not usable. $2"
    if [ -n "$log" ] && [ -s "$log" ]; then
      echo "[databases] last 30 lines of $log:"
      tail -n 30 "$log" | sed 's/^/    /'
    elif [ -n "$log" ]; then
      echo "[databases] its log $log is missing or empty"
    fi
  } >&2
  return 1
}

ci_db_install() {
  local wanted=()
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || wanted+=(postgresql)
  command -v psql >/dev/null 2>&1 || wanted+=(postgresql-client)
  command -v mariadbd >/dev/null 2>&1 || wanted+=(mariadb-server)
  if [ ${#wanted[@]} -gt 0 ]; then
    ci_db_log "installing ${wanted[*]}"
    if [ -z "${CI_APT_UPDATED:-}" ]; then
      apt-get update -qq || { ci_db_fail "${wanted[*]}" "apt-get update failed."; return 1; }
      CI_APT_UPDATED=1
    fi
    # The packages' own attempts to start their services fail harmlessly without an init system.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null ||
      { ci_db_fail "${wanted[*]}" "apt-get install ${wanted[*]} failed."; return 1; }
  fi
}

ci_db_wait() { # ci_db_wait <seconds> <pid or ""> <command...>: until the command succeeds or the pid ends
  local seconds=$1 pid=$2
  shift 2
  local i
  for ((i = 0; i < seconds * 2; i++)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      "$@" >/dev/null 2>&1  # one last time: it may have come up as the pid ended
      return
    fi
    sleep 0.5
  done
  return 1
}

ci_db_start_postgresql() {
  local bin version cluster=main log out
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  version=$(basename "$(dirname "$bin")")
  local what="PostgreSQL $version (cluster $cluster, 127.0.0.1:$JOBSERVER_PG_PORT)"
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
    ci_db_log "creating PostgreSQL $version cluster $cluster"
    out=$(pg_createcluster --port "$JOBSERVER_PG_PORT" "$version" "$cluster" 2>&1) ||
      { ci_db_fail "$what" "Tried: pg_createcluster --port $JOBSERVER_PG_PORT $version $cluster, which said: $out"; return 1; }
  fi
  log=$(pg_lsclusters -h "$version" "$cluster" 2>/dev/null | awk '{print $7}')
  log=${log:-/var/log/postgresql/postgresql-$version-$cluster.log}
  # pg_ctlcluster switches to the cluster's owner (postgres) itself; it needs the socket directory.
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  if ! pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
    ci_db_log "starting $what"
    pg_ctlcluster "$version" "$cluster" start -- -o "-c listen_addresses=127.0.0.1 -c port=$JOBSERVER_PG_PORT" ||
      { ci_db_fail "$what" "Tried: pg_ctlcluster $version $cluster start, with listen_addresses=127.0.0.1 and port=$JOBSERVER_PG_PORT; it failed." "$log"; return 1; }
  fi
  ci_db_wait 60 "" pg_isready -q -h 127.0.0.1 -p "$JOBSERVER_PG_PORT" ||
    { ci_db_fail "$what" "Tried: pg_isready -h 127.0.0.1 -p $JOBSERVER_PG_PORT for 60 s; it never accepted connections." "$log"; return 1; }
  runuser -u postgres -- psql -p "$JOBSERVER_PG_PORT" -v ON_ERROR_STOP=1 -q <<SQL ||
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$JOBSERVER_DB_USER') THEN
    CREATE ROLE $JOBSERVER_DB_USER LOGIN PASSWORD '$JOBSERVER_DB_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $JOBSERVER_DB_NAME OWNER $JOBSERVER_DB_USER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$JOBSERVER_DB_NAME') \gexec
SQL
    { ci_db_fail "$what" "Tried: creating the role $JOBSERVER_DB_USER and the database $JOBSERVER_DB_NAME as postgres; psql failed." "$log"; return 1; }
  PGPASSWORD=$JOBSERVER_DB_PASSWORD psql -h 127.0.0.1 -p "$JOBSERVER_PG_PORT" -U "$JOBSERVER_DB_USER" \
    -d "$JOBSERVER_DB_NAME" -Atqc 'SELECT 1' >/dev/null ||
    { ci_db_fail "$what" "Tried: logging in as $JOBSERVER_DB_USER to $JOBSERVER_DB_NAME over TCP, as the tests will; psql failed." "$log"; return 1; }
}

ci_db_start_mariadb() {
  local datadir=/var/lib/mysql log=$JOBSERVER_MYSQL_LOG out pid
  local what="MariaDB (127.0.0.1:$JOBSERVER_MYSQL_PORT, data directory $datadir)"
  if mariadb-admin --protocol=socket ping >/dev/null 2>&1; then
    ci_db_log "MariaDB already running"
  else
    install -d -o mysql -g mysql -m 0755 /run/mysqld
    # the server writes its log as mysql: the file must be its before this shell appends to it
    install -d -o mysql -g adm -m 2750 "$(dirname "$log")"
    [ -e "$log" ] || install -o mysql -g adm -m 0640 /dev/null "$log"
    if [ ! -d "$datadir/mysql" ]; then
      ci_db_log "initialising MariaDB data directory $datadir"
      install -d -o mysql -g mysql -m 0750 "$datadir"
      out=$(mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db 2>&1) ||
        { ci_db_fail "$what" "Tried: mariadb-install-db --datadir=$datadir, which said: $out"; return 1; }
    fi
    ci_db_log "starting $what"
    # Detached from this shell so that it outlives the build, like a service would. mysqld_safe ends when
    # the server fails to start: no need to wait the whole minute then. Without job control (an
    # interactive shell has it), setsid runs it in place, so that $! is mysqld_safe and not a setsid gone.
    local monitor=$-
    set +m
    setsid mysqld_safe --user=mysql --datadir="$datadir" --bind-address=127.0.0.1 --port="$JOBSERVER_MYSQL_PORT" \
      --max-allowed-packet=64M --skip-syslog --log-error="$log" </dev/null >/dev/null 2>>"$log" &
    pid=$!
    case $monitor in *m*) set -m ;; esac
    ci_db_wait 60 "$pid" mariadb-admin --protocol=socket ping ||
      { ci_db_fail "$what" "Tried: mysqld_safe --datadir=$datadir --port=$JOBSERVER_MYSQL_PORT --bind-address=127.0.0.1, then pinging its socket for up to 60 s; $(kill -0 "$pid" 2>/dev/null && echo "no answer" || echo "mysqld_safe ended")." "$log"; return 1; }
  fi
  # root connects through the socket (unix_socket authentication, Debian's default).
  mariadb --protocol=socket <<SQL ||
CREATE DATABASE IF NOT EXISTS $JOBSERVER_DB_NAME;
CREATE USER IF NOT EXISTS '$JOBSERVER_DB_USER'@'localhost' IDENTIFIED BY '$JOBSERVER_DB_PASSWORD';
CREATE USER IF NOT EXISTS '$JOBSERVER_DB_USER'@'127.0.0.1' IDENTIFIED BY '$JOBSERVER_DB_PASSWORD';
-- the contract tests create one scratch database per run, named jobserver_test_<random>
GRANT ALL PRIVILEGES ON \`jobserver\\_test%\`.* TO '$JOBSERVER_DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`jobserver\\_test%\`.* TO '$JOBSERVER_DB_USER'@'127.0.0.1';
SQL
    { ci_db_fail "$what" "Tried: creating the database $JOBSERVER_DB_NAME and the user $JOBSERVER_DB_USER as root over the socket; mariadb failed." "$log"; return 1; }
  mariadb --protocol=tcp -h 127.0.0.1 -P "$JOBSERVER_MYSQL_PORT" -u "$JOBSERVER_DB_USER" -p"$JOBSERVER_DB_PASSWORD" \
    "$JOBSERVER_DB_NAME" -e 'SELECT 1' >/dev/null ||
    { ci_db_fail "$what" "Tried: logging in as $JOBSERVER_DB_USER to $JOBSERVER_DB_NAME over TCP, as the tests will; mariadb failed." "$log"; return 1; }
}

# Each step is checked where it runs, so this holds with or without set -e in the sourcing shell.
if ! { ci_db_install && ci_db_start_postgresql && ci_db_start_mariadb; }; then
  ci_db_log "stopping: the store contract tests need both databases" >&2
  return 1 2>/dev/null || exit 1  # return when sourced, exit when run
fi

export JOBSERVER_TEST_POSTGRESQL_URL="jdbc:postgresql://127.0.0.1:$JOBSERVER_PG_PORT/$JOBSERVER_DB_NAME"
export JOBSERVER_TEST_POSTGRESQL_USER=$JOBSERVER_DB_USER
export JOBSERVER_TEST_POSTGRESQL_PASSWORD=$JOBSERVER_DB_PASSWORD
export JOBSERVER_TEST_MYSQL_URL="jdbc:mariadb://127.0.0.1:$JOBSERVER_MYSQL_PORT/$JOBSERVER_DB_NAME"
export JOBSERVER_TEST_MYSQL_USER=$JOBSERVER_DB_USER
export JOBSERVER_TEST_MYSQL_PASSWORD=$JOBSERVER_DB_PASSWORD
ci_db_log "PostgreSQL and MariaDB ready"
