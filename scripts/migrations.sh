#!/usr/bin/env bash
# Regenerates or adds EF Core migrations for both providers.
#   scripts/migrations.sh add NAME   adds a migration NAME for SQLite and PostgreSQL
#   scripts/migrations.sh reset      (before the first release only) replaces all migrations with one Initial
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
case "${1:-}" in
  add)
    name=${2:?usage: migrations.sh add NAME}
    dotnet ef migrations add "$name" --project src/Trellis --context SqliteTrellisDb --output-dir Data/Migrations/Sqlite
    dotnet ef migrations add "$name" --project src/Trellis --context PostgresTrellisDb --output-dir Data/Migrations/Postgres --no-build
    ;;
  reset)
    rm -rf src/Trellis/Data/Migrations
    dotnet ef migrations add Initial --project src/Trellis --context SqliteTrellisDb --output-dir Data/Migrations/Sqlite
    dotnet ef migrations add Initial --project src/Trellis --context PostgresTrellisDb --output-dir Data/Migrations/Postgres --no-build
    ;;
  *) echo "usage: $0 add NAME | reset" >&2; exit 2 ;;
esac
