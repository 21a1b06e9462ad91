#!/usr/bin/env bash
# test.sh: make test. Starts a throwaway PostGIS cluster in .data/test (fsync off), runs
# the gofmt check, go vet and every test with the race detector, and stops the cluster.
# With TRYGG_TEST_DATABASE_URL already set, that database's cluster is used instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# GDAL's OGC API – Features driver reads /ogc in ogc/gdal_test.go (never skipped).
if ! command -v ogrinfo >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		echo "== installing gdal-bin (apt-get)"
		apt-get update -qq && apt-get install -y -qq --no-install-recommends gdal-bin
	else
		echo "make test needs gdal-bin (ogrinfo); install with: sudo apt-get install -y gdal-bin" >&2
		exit 1
	fi
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files --cached --others --exclude-standard '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...

if [ -z "${TRYGG_TEST_DATABASE_URL:-}" ]; then
	echo "== throwaway PostGIS cluster"
	dir=.data/test
	scripts/db.sh reset "$dir" >/dev/null 2>&1 || true
	TRYGG_PG_FAST=1 scripts/db.sh start "$dir"
	trap 'scripts/db.sh reset "$dir" >/dev/null 2>&1 || true' EXIT
	TRYGG_TEST_DATABASE_URL=$(scripts/db.sh url "$dir")
	export TRYGG_TEST_DATABASE_URL
fi

echo "== go test -race"
go test -race -count=1 -timeout 15m ${TESTFLAGS:-} ./...
