#!/usr/bin/env bash
# Makes the real-format fixtures of CalibrationTests from real servers, on loopback, in a
# temporary folder, and stops them on exit:
#   PostgreSQL 15 with pg_stat_statements (Debian's postgresql-15), Redis (redis-server), and
#   testbed-app.js (Express + morgan + node-postgres + node-redis, Debian's node-* packages on
#   Node.js 18) driven by testbed-driver.js.
# Writes access.combined.log (morgan's lines), pg-before.csv / pg-after.csv (psql --csv),
# pg-after.txt (psql's aligned table), redis-before.txt / redis-after.txt (INFO commandstats).
# Needs: apt-get install postgresql-15 redis-server 'nodejs=18.*' node-pg node-express node-redis node-morgan
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/platformsim-fixtures.XXXXXX)
chmod 755 "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PGPORT=$(free_port); REDISPORT=$(free_port); APPPORT=$(free_port)
PGBIN=/usr/lib/postgresql/15/bin
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -d "$work/pg" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
chown postgres "$work"
runuser -u postgres -- "$PGBIN/initdb" -D "$work/pg" -U postgres >/dev/null
cat >> "$work/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$work'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
pg_stat_statements.max = 100
CONF
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
psql() { command psql -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql -c "CREATE DATABASE platform"
psql -d platform <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE TABLE "User" (id serial PRIMARY KEY, tier text DEFAULT 'tier1-2', "lastLoginAt" timestamptz);
CREATE TABLE "Lead" (id serial PRIMARY KEY, "userId" int NOT NULL, name text, status text, "createdAt" timestamptz DEFAULT now());
CREATE INDEX ON "Lead" ("userId");
CREATE TABLE "Campaign" (id serial PRIMARY KEY, "userId" int NOT NULL, name text, "createdAt" timestamptz DEFAULT now());
CREATE TABLE "Notification" (id serial PRIMARY KEY, "userId" int NOT NULL, text text, read boolean DEFAULT false);
CREATE TABLE "VideoView" (id bigserial PRIMARY KEY, "videoId" int NOT NULL, "createdAt" timestamptz);
CREATE TABLE "Event" (id bigserial PRIMARY KEY, "userId" int, kind text, "createdAt" timestamptz);
INSERT INTO "User" (id) SELECT g FROM generate_series(1, 12) g;
INSERT INTO "Lead" ("userId", name, status, "createdAt") SELECT 1 + g % 12, 'lead ' || g, (ARRAY['new','won','lost'])[1 + g % 3], now() - g * interval '1 minute' FROM generate_series(1, 20000) g;
INSERT INTO "Campaign" ("userId", name) SELECT 1 + g % 12, 'c' || g FROM generate_series(1, 240) g;
INSERT INTO "Notification" ("userId", text) SELECT 1 + g % 12, 'n' || g FROM generate_series(1, 600) g;
ANALYZE;
SQL
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
export PGPORT REDISPORT APPPORT PGUSER=postgres
mkfifo "$work/app.stdin"
node "$here/testbed-app.js" <"$work/app.stdin" >"$work/access.log" 2>"$work/app.err" &
pids+=($!)
exec 3>"$work/app.stdin"
for _ in $(seq 100); do grep -q listening "$work/app.err" 2>/dev/null && break; sleep 0.1; done
# Warm the statements up, then the snapshots around the measured traffic.
PAGES=20 timeout 60 node "$here/testbed-driver.js"
psql -d platform -c "SELECT pg_stat_statements_reset()" >/dev/null
redis-cli -p "$REDISPORT" CONFIG RESETSTAT >/dev/null
PAGES=40 timeout 60 node "$here/testbed-driver.js"
psql -d platform --csv -c "SELECT * FROM pg_stat_statements ORDER BY queryid" >"$here/pg-before.csv"
redis-cli -p "$REDISPORT" INFO commandstats >"$here/redis-before.txt"
before=$(wc -l <"$work/access.log")   # the measured window's lines come after these
PAGES=300 timeout 120 node "$here/testbed-driver.js"
psql -d platform --csv -c "SELECT * FROM pg_stat_statements ORDER BY queryid" >"$here/pg-after.csv"
psql -d platform -c "SELECT queryid, calls, total_exec_time, mean_exec_time, stddev_exec_time, rows, query FROM pg_stat_statements ORDER BY queryid" >"$here/pg-after.txt"
redis-cli -p "$REDISPORT" INFO commandstats >"$here/redis-after.txt"
exec 3>&-
sleep 0.5
tail -n +"$((before + 1))" "$work/access.log" >"$here/access.combined.log"
echo "fixtures written to $here: $(wc -l <"$here/access.combined.log") log lines, $(($(wc -l <"$here/pg-after.csv") - 1)) statements"
