# Sourced by .ci/run (bash). Installs PostgreSQL and MariaDB from Debian's packages if missing, starts
# both on 127.0.0.1 without systemd, creates the test database and user in each, and exports the
# variables the store contract tests read. Safe to run again on the same machine: what is already
# installed, running or created is left as it is.
#
# Also usable by hand to get the same databases on a development machine (as root):
#   source .ci/databases.sh

JOBSERVER_DB_NAME=jobserver_test
JOBSERVER_DB_USER=jobserver
JOBSERVER_DB_PASSWORD=jobserver
JOBSERVER_PG_PORT=5432
JOBSERVER_MYSQL_PORT=3306

ci_db_log() { echo "[databases] $*"; }

ci_db_install() {
  local wanted=()
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || wanted+=(postgresql)
  command -v psql >/dev/null 2>&1 || wanted+=(postgresql-client)
  command -v mariadbd >/dev/null 2>&1 || wanted+=(mariadb-server)
  if [ ${#wanted[@]} -gt 0 ]; then
    ci_db_log "installing ${wanted[*]}"
    if [ -z "${CI_APT_UPDATED:-}" ]; then
      apt-get update -qq
      CI_APT_UPDATED=1
    fi
    # The packages' own attempts to start their services fail harmlessly without an init system.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null
  fi
}

ci_db_wait() { # ci_db_wait <what> <seconds> <command...>
  local what=$1 seconds=$2
  shift 2
  local i
  for ((i = 0; i < seconds * 2; i++)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  ci_db_log "$what did not come up within ${seconds}s"
  return 1
}

ci_db_start_postgresql() {
  local bin version cluster=main
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  version=$(basename "$(dirname "$bin")")
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
    ci_db_log "creating PostgreSQL $version cluster $cluster"
    pg_createcluster --port "$JOBSERVER_PG_PORT" "$version" "$cluster" >/dev/null
  fi
  # pg_ctlcluster switches to the cluster's owner (postgres) itself; it needs the socket directory.
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  if ! pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
    ci_db_log "starting PostgreSQL $version on 127.0.0.1:$JOBSERVER_PG_PORT"
    pg_ctlcluster "$version" "$cluster" start -- -o "-c listen_addresses=127.0.0.1 -c port=$JOBSERVER_PG_PORT"
  fi
  ci_db_wait PostgreSQL 60 runuser -u postgres -- psql -p "$JOBSERVER_PG_PORT" -Atqc 'SELECT 1'
  runuser -u postgres -- psql -p "$JOBSERVER_PG_PORT" -v ON_ERROR_STOP=1 -q <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$JOBSERVER_DB_USER') THEN
    CREATE ROLE $JOBSERVER_DB_USER LOGIN PASSWORD '$JOBSERVER_DB_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $JOBSERVER_DB_NAME OWNER $JOBSERVER_DB_USER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$JOBSERVER_DB_NAME') \gexec
SQL
}

ci_db_start_mariadb() {
  local datadir=/var/lib/mysql
  if mariadb-admin --protocol=socket ping >/dev/null 2>&1; then
    ci_db_log "MariaDB already running"
  else
    install -d -o mysql -g mysql -m 0755 /run/mysqld
    if [ ! -d "$datadir/mysql" ]; then
      ci_db_log "initialising MariaDB data directory $datadir"
      install -d -o mysql -g mysql -m 0750 "$datadir"
      mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/dev/null
    fi
    ci_db_log "starting MariaDB on 127.0.0.1:$JOBSERVER_MYSQL_PORT"
    # Detached from this shell so that it outlives the build, like a service would.
    setsid mysqld_safe --user=mysql --datadir="$datadir" --bind-address=127.0.0.1 --port="$JOBSERVER_MYSQL_PORT" \
      --max-allowed-packet=64M </dev/null >/dev/null 2>&1 &
    ci_db_wait MariaDB 60 mariadb-admin --protocol=socket ping
  fi
  # root connects through the socket (unix_socket authentication, Debian's default).
  mariadb --protocol=socket <<SQL
CREATE DATABASE IF NOT EXISTS $JOBSERVER_DB_NAME;
CREATE USER IF NOT EXISTS '$JOBSERVER_DB_USER'@'localhost' IDENTIFIED BY '$JOBSERVER_DB_PASSWORD';
CREATE USER IF NOT EXISTS '$JOBSERVER_DB_USER'@'127.0.0.1' IDENTIFIED BY '$JOBSERVER_DB_PASSWORD';
-- the contract tests create one scratch database per run, named jobserver_test_<random>
GRANT ALL PRIVILEGES ON \`jobserver\\_test%\`.* TO '$JOBSERVER_DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`jobserver\\_test%\`.* TO '$JOBSERVER_DB_USER'@'127.0.0.1';
SQL
}

ci_db_install
ci_db_start_postgresql
ci_db_start_mariadb

export JOBSERVER_TEST_POSTGRESQL_URL="jdbc:postgresql://127.0.0.1:$JOBSERVER_PG_PORT/$JOBSERVER_DB_NAME"
export JOBSERVER_TEST_POSTGRESQL_USER=$JOBSERVER_DB_USER
export JOBSERVER_TEST_POSTGRESQL_PASSWORD=$JOBSERVER_DB_PASSWORD
export JOBSERVER_TEST_MYSQL_URL="jdbc:mariadb://127.0.0.1:$JOBSERVER_MYSQL_PORT/$JOBSERVER_DB_NAME"
export JOBSERVER_TEST_MYSQL_USER=$JOBSERVER_DB_USER
export JOBSERVER_TEST_MYSQL_PASSWORD=$JOBSERVER_DB_PASSWORD
ci_db_log "PostgreSQL and MariaDB ready"
