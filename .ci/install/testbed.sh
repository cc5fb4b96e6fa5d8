#!/usr/bin/env bash
# Installs the testbed's stack (Testbed/README.md) from Debian's registry: PostgreSQL 15,
# PgBouncer 1.18, Redis 7, and Debian's own Node.js 18 with its Express, node-pg and
# node-redis (Debian's node-pg cannot be satisfied by another Node.js, so a preinstalled
# newer Node.js is replaced by Debian's: --allow-downgrades). Idempotent: does nothing when
# everything is there already. The services are not started here: Testbed/up.sh starts its
# own on loopback ports with data in a temporary directory.
set -euo pipefail
need=()
command -v pg_ctl >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/pg_ctl ] || need+=(postgresql-15 postgresql-contrib)
[ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
[ "$node_major" = 18 ] || need+=('nodejs=18.*')
for p in node-pg node-express node-redis; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -eq 0 ]; then
    echo "testbed: everything installed"
    exit 0
fi
echo "testbed: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another installer may hold apt's locks for a while: wait for it (up to 10 minutes).
for _ in $(seq 60); do apt-get -o DPkg::Lock::Timeout=600 update -qq && break; sleep 10; done
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends --allow-downgrades "${need[@]}" >/dev/null
# Debian starts the packaged services on their default ports; the testbed runs its own.
for s in redis-server pgbouncer; do
    (command -v systemctl >/dev/null && systemctl disable --now "$s" >/dev/null 2>&1) || service "$s" stop >/dev/null 2>&1 || true
done
node -e 'require("pg"); require("express"); require("redis")' 
echo "testbed: installed (node $(node --version))"
