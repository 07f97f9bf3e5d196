#!/usr/bin/env bash
# Runs every Trellis test: installs PostgreSQL and Chromium when missing (Debian, as root),
# starts a throwaway PostgreSQL cluster on a free port under a temp directory, runs `dotnet test`
# for each test project, and stops the cluster again. Extra arguments go to every `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

need=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -x "${pg_bin:-}/initdb" ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# A free port: let the kernel pick one.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
pg_dir=$(mktemp -d /tmp/trellis-pg.XXXXXX)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
stop_pg() {
  run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
export TRELLIS_TEST_PG="Host=127.0.0.1;Port=$port;Username=postgres"
echo "PostgreSQL test cluster on port $port"

dotnet build Trellis.slnx -c Release -nologo -v quiet
status=0
for project in tests/*/*.csproj; do
  echo "== $project"
  dotnet test "$project" -c Release --no-build --nologo "$@" || status=1
done
exit $status
