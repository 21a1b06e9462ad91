#!/usr/bin/env bash
# test.sh: make test. Starts a throwaway PostGIS cluster in .data/test (fsync off), runs
# the gofmt check, go vet and every test with the race detector, and stops the cluster.
# With TRYGG_TEST_DATABASE_URL already set, that database's cluster is used instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

. scripts/need.sh
# GDAL's OGC API – Features driver reads /ogc in ogc/gdal_test.go; R spdep is the
# reference Getis-Ord Gi* in geo/rspdep_test.go; Debian's chromium runs the browser test
# in web/e2e (playwright-core, never a downloaded browser). None is ever skipped.
need 'command -v ogrinfo' gdal-bin "ogc's GDAL test needs ogrinfo"
need "Rscript -e 'library(spdep)'" r-cran-spdep "geo's comparison with R needs spdep"
need 'command -v chromium' chromium "web's browser test needs chromium"
# paulmach/osm's PBF reader uses C zlib (datadog/czlib) whenever cgo is on, as -race needs.
need 'test -f /usr/include/zlib.h' zlib1g-dev "the OpenStreetMap PBF reader (importer/osm.go) needs zlib's headers with cgo"
# The lägesbild and åtgärdsplan PDFs are read back with pdftotext in api/documents_test.go.
need 'command -v pdftotext' poppler-utils "the PDF documents' tests need pdftotext"
if ! command -v npm >/dev/null 2>&1; then
	echo "make test needs Node.js 20 and npm for the web bundle and the browser test" >&2
	exit 1
fi
echo "== web bundle"
make --no-print-directory web

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

rm -f web/e2e/out/figures.txt
echo "== go test -race"
go test -race -count=1 -timeout 15m ${TESTFLAGS:-} ./...
if [ -f web/e2e/out/figures.txt ]; then echo "== browser test: $(cat web/e2e/out/figures.txt)"; fi
