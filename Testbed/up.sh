#!/usr/bin/env bash
# Starts the testbed on loopback: PostgreSQL 15, PgBouncer (when the configuration has it),
# Redis, the provider stubs, the job worker and the API, with data in a directory of its own
# (a new temporary one unless --dir names one), on free ports chosen now, pinned to cores as
# Testbed/README.md says, and stopping by itself after --max-seconds (Testbed/down.sh stops it
# sooner). Seeds the database for the users of a trace.
#
#   Testbed/up.sh --settings S.json --users U.csv [--dir DIR] [--max-seconds 3600]
#
# Prints the directory; DIR/env holds the ports (source it). Idempotent: run again with the
# same --dir while it is up, it only prints the directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
settings="" users="" dir="" max_seconds=3600
while [ $# -gt 0 ]; do
    case "$1" in
        --settings) settings=$2; shift 2 ;;
        --users) users=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --max-seconds) max_seconds=$2; shift 2 ;;
        *) echo "Testbed/up.sh: error: unknown option $1" >&2; exit 64 ;;
    esac
done
[ -f "$settings" ] || { echo "Testbed/up.sh: error: --settings must name the JSON written by platform-sim trace --testbed-settings" >&2; exit 64; }
[ -f "$users" ] || { echo "Testbed/up.sh: error: --users must name the CSV written by platform-sim trace --users-out" >&2; exit 64; }
case "$max_seconds" in ''|*[!0-9]*) echo "Testbed/up.sh: error: --max-seconds must be a whole number" >&2; exit 64 ;; esac
for tool in node redis-server /usr/lib/postgresql/15/bin/postgres; do
    command -v "$tool" >/dev/null || { echo "Testbed/up.sh: error: $tool is missing (run .ci/install/testbed.sh)" >&2; exit 69; }
done
settings=$(cd "$(dirname "$settings")" && pwd)/$(basename "$settings")
users=$(cd "$(dirname "$users")" && pwd)/$(basename "$users")

if [ -n "$dir" ] && [ -f "$dir/env" ] && [ -f "$dir/up" ]; then
    # shellcheck disable=SC1091
    if (. "$dir/env"; kill -0 "$API_PID" 2>/dev/null); then echo "$dir"; exit 0; fi
fi
[ -n "$dir" ] || dir=$(mktemp -d /tmp/platformsim-testbed.XXXXXX)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir"
log() { echo "testbed: $*" >&2; }
fail() { echo "Testbed/up.sh: error: $*" >&2; "$here/down.sh" "$dir" >/dev/null 2>&1 || true; exit 1; }

# Cores: the API's event loop has core 1 to itself; the data tier, the stubs, the worker and
# the replayer share core 0 (on a machine with one core everything shares it). As root every
# process runs at the highest ordinary priority (nice -20): other work on the machine (a build,
# at nice 0) then gets about 1% of a core the testbed wants, where it would otherwise delay the
# event loops by tens of milliseconds. The testbed's processes share core 0 as Linux shares a
# core by default (CFS: fair shares, a process that wakes preempts one that has run longer), as
# a production host runs them and as the simulator models the database host (processor
# sharing). Until 2026-11-28 they ran under the real-time round-robin policy (chrt -r 10),
# which runs equal-priority processes first come first served until they block: a Redis call
# then waited behind whole queries and whole bursts of the replayer's sends, something no
# production host does. Without root they run at normal priority.
prio_cmd() { "$here/priority.sh"; }
prio() { $(prio_cmd) "$@"; }
cores=$(nproc)
api_core=$(( cores > 1 ? 1 : 0 ))
data_core=0
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
pg_port=$(free_port); bouncer_port=$(free_port); redis_port=$(free_port); provider_port=$(free_port); api_port=$(free_port)
json() { node -e "const s=require('$settings'); console.log($1)"; }
max_connections=$(json 's.postgresMaxConnections')
use_bouncer=$(json 's.pgbouncer')

pg=/usr/lib/postgresql/15/bin
run_pg() { if [ "$(id -u)" = 0 ]; then prio runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$dir/pg" "$dir/log"
[ "$(id -u)" = 0 ] && chown postgres "$dir/pg" "$dir/log"
run_pg "$pg/initdb" -D "$dir/pg/data" -U postgres --auth=trust >"$dir/log/initdb.log" 2>&1 || fail "initdb failed (see $dir/log/initdb.log)"
cat >>"$dir/pg/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$dir/pg'
max_connections = $max_connections
shared_buffers = 1GB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
track_io_timing = on
jit = off
CONF
taskset -c "$data_core" true 2>/dev/null || fail "taskset is missing (util-linux)"
run_pg taskset -c "$data_core" "$pg/pg_ctl" -D "$dir/pg/data" -l "$dir/log/postgres.log" -w start >/dev/null || fail "postgres did not start (see $dir/log/postgres.log)"
export PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres PGDATABASE=postgres
log "postgres on $pg_port; seeding for $(grep -c '^[0-9]' "$users") users"
node "$here/app/seed.js" "$settings" "$users" || fail "seeding failed"

prio taskset -c "$data_core" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/log/redis.log" --daemonize no >/dev/null 2>&1 &
echo $! >"$dir/redis.pid"

db_port=$pg_port
if [ "$use_bouncer" = true ]; then
    mkdir -p "$dir/pgbouncer"
    echo '"postgres" ""' >"$dir/pgbouncer/users.txt"
    cat >"$dir/pgbouncer/pgbouncer.ini" <<CONF
[databases]
postgres = host=127.0.0.1 port=$pg_port dbname=postgres user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $dir/pgbouncer/users.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = $(json 's.pgbouncerPoolSize')
max_client_conn = $(json 's.pgbouncerMaxClientConn')
query_wait_timeout = $(json 's.pgbouncerQueryWaitTimeoutS')
ignore_startup_parameters = extra_float_digits
logfile = $dir/log/pgbouncer.log
pidfile = $dir/pgbouncer/pgbouncer.pid
CONF
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir/pgbouncer"
    run_pg taskset -c "$data_core" /usr/sbin/pgbouncer "$dir/pgbouncer/pgbouncer.ini" >/dev/null 2>&1 &
    echo $! >"$dir/pgbouncer.pid"
    db_port=$bouncer_port
fi

cat >"$dir/env" <<ENV
TESTBED_DIR=$dir
TESTBED_SETTINGS=$settings
PG_PORT=$pg_port
BOUNCER_PORT=$bouncer_port
USE_BOUNCER=$use_bouncer
DB_PORT=$db_port
REDIS_PORT=$redis_port
PROVIDER_PORT=$provider_port
API_PORT=$api_port
API_CORE=$api_core
DATA_CORE=$data_core
ENV
start_node() { # NAME CORE SCRIPT [PGPORT]
    (cd "$here/app" && PGPORT=${4:-$db_port} TESTBED_SETTINGS=$settings REDIS_PORT=$redis_port PROVIDER_PORT=$provider_port API_PORT=$api_port \
        exec $(prio_cmd) taskset -c "$2" node "$3") >"$dir/log/$1.log" 2>&1 &
    echo $! >"$dir/$1.pid"
}
start_node providers "$data_core" providers.js
start_node worker "$data_core" worker.js
start_node api "$api_core" api.js
for _ in $(seq 600); do
    grep -q "listening" "$dir/log/api.log" 2>/dev/null && break
    kill -0 "$(cat "$dir/api.pid")" 2>/dev/null || fail "the API did not start: $(tail -1 "$dir/log/api.log")"
    sleep 0.1
done
grep -q "listening" "$dir/log/api.log" || fail "the API did not start within 60 s"
{
    echo "API_PID=$(cat "$dir/api.pid")"
    [ -f "$dir/pgbouncer.pid" ] && echo "BOUNCER_PID=$(cat "$dir/pgbouncer.pid")"
    echo "REDIS_PID=$(cat "$dir/redis.pid")"
    echo "POSTGRES_PID=$(head -1 "$dir/pg/data/postmaster.pid")"
    echo "PROVIDERS_PID=$(cat "$dir/providers.pid")"
    echo "WORKER_PID=$(cat "$dir/worker.pid")"
} >>"$dir/env"
# Stop by ourselves after --max-seconds whatever happens to the caller.
nohup bash -c "sleep $max_seconds; '$here/down.sh' '$dir'" >/dev/null 2>&1 &
echo $! >"$dir/watchdog.pid"
touch "$dir/up"
log "up: api 127.0.0.1:$api_port ($(json 's.configuration')), stops by itself in $max_seconds s"
echo "$dir"
