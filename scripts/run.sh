#!/usr/bin/env bash
# run.sh: make run. Uses DATABASE_URL when given; otherwise starts the project-local
# PostGIS cluster in .data/ (installing PostgreSQL and PostGIS when missing), then serves
# with migrations and, on first start, the demo data.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -z "${DATABASE_URL:-}" ]; then
	scripts/db.sh start .data
	DATABASE_URL=$(scripts/db.sh url .data)
	export DATABASE_URL
fi
exec bin/trygg serve --demo "$@"
