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
# The basemap: TRYGG_BASEMAP when given; else .data/basemap.pmtiles, fetched once for the
# demo municipalities when the network allows. A failed try leaves .data/basemap.failed
# so later starts do not wait for it again: delete that file to retry (or run
# `bin/trygg basemap fetch --municipality 1470,0685,1383,1494,1493 --out .data/basemap.pmtiles`).
if [ -z "${TRYGG_BASEMAP:-}" ]; then
	mkdir -p .data
	if [ ! -e .data/basemap.pmtiles ] && [ ! -e .data/basemap.failed ]; then
		echo "run: fetching a basemap for the demo municipalities, once (progress in .data/basemap.log)" >&2
		if bin/trygg basemap fetch --municipality 1470,0685,1383,1494,1493 --maxzoom 15 \
			--timeout "${TRYGG_BASEMAP_FETCH_TIMEOUT:-5m}" --out .data/basemap.pmtiles >/dev/null 2>.data/basemap.log; then
			echo "run: basemap saved in .data/basemap.pmtiles" >&2
		else
			tail -n 1 .data/basemap.log | sed 's/^trygg: basemap fetch: //' >.data/basemap.failed
			echo "run: no basemap: $(cat .data/basemap.failed); see README (delete .data/basemap.failed to try again)" >&2
		fi
	fi
	if [ -e .data/basemap.pmtiles ]; then
		TRYGG_BASEMAP=.data/basemap.pmtiles
		export TRYGG_BASEMAP
	fi
fi
exec bin/trygg serve --demo "$@"
