#!/usr/bin/env bash
# bench.sh: make bench. Runs every Go benchmark, then the overload script, against a
# throwaway PostGIS cluster in .data/bench. Each benchmark measures Trygg next to a
# baseline from the same run (the bare SQL query, a static server), because these
# machines are shared and noisy: read the ratios, not the absolute times.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -z "${TRYGG_TEST_DATABASE_URL:-}" ]; then
	dir=.data/bench
	scripts/db.sh reset "$dir" >/dev/null 2>&1 || true
	scripts/db.sh start "$dir"
	trap 'scripts/db.sh reset "$dir" >/dev/null 2>&1 || true' EXIT
	TRYGG_TEST_DATABASE_URL=$(scripts/db.sh url "$dir")
	export TRYGG_TEST_DATABASE_URL
fi
# R spdep is the baseline of geo's BenchmarkGiStarVsR.
. scripts/need.sh
need "Rscript -e 'library(spdep)'" r-cran-spdep "geo's benchmark against R needs spdep"
go test -run '^$' -bench "${BENCH:-.}" -benchmem -benchtime "${BENCHTIME:-2s}" ./...
# The overload script (cmd/trygg/overload_test.go): the real server under 100 and 200
# concurrent hotspot analyses; served, shed, cheap-request latency beside its no-load
# baseline, peak RSS. OVERLOAD=0 skips it.
if [ "${OVERLOAD:-1}" != 0 ]; then
	go test -tags overload -run '^TestOverload$' -count=1 -v ./cmd/trygg/ | grep -v -e '^=== RUN' -e '^PASS$'
fi
