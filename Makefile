# Trygg. `make run` and `make test` do all set-up on a fresh Debian machine with Go.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/trygg-gis/trygg.Version=$(VERSION)

.PHONY: run build test bench db-start db-stop db-reset db-url fmt vet clean

## run: start the project-local PostGIS (unless DATABASE_URL is set), migrate, load the demo data on first start, serve on :8080
run: build
	scripts/run.sh

## build: build bin/trygg
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/trygg ./cmd/trygg

## test: gofmt check, go vet and every test (race detector) against a throwaway PostGIS cluster
test:
	scripts/test.sh

## bench: every benchmark, each with its same-run baseline
bench:
	scripts/bench.sh

## db-start, db-stop, db-reset, db-url: the project-local cluster in .data/
db-start:
	scripts/db.sh start .data
db-stop:
	scripts/db.sh stop .data
db-reset:
	scripts/db.sh reset .data
db-url:
	@scripts/db.sh url .data

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin

## web: the browser app (web/): npm ci into web/node_modules when missing or web/package-lock.json changed, then esbuild into web/static/dist/ (embedded by go build)
.PHONY: web
build: web
web: web/static/dist/app.js
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@
web/static/dist/app.js: web/node_modules/.package-lock.json web/build.mjs $(wildcard web/src/* web/src/i18n/*)
	cd web && npm run --silent build
