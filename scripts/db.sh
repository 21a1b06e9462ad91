#!/usr/bin/env bash
# db.sh: Trygg's project-local PostgreSQL 15 + PostGIS 3 cluster.
#
#   scripts/db.sh install        install postgresql-15 and postgresql-15-postgis-3 if missing
#   scripts/db.sh start  [DIR]   create the cluster on first use, start it, create database trygg
#   scripts/db.sh stop   [DIR]   stop it
#   scripts/db.sh reset  [DIR]   stop it and delete it
#   scripts/db.sh url    [DIR]   print the DATABASE_URL of database trygg
#   scripts/db.sh status [DIR]
#
# DIR defaults to .data: the cluster lives in DIR/pg, listens on a Unix socket in DIR/run
# and logs to DIR/pg/postgres.log. TCP is off unless TRYGG_PG_PORT is set (then it listens on
# localhost at that port). TRYGG_PG_FAST=1 turns fsync off (for throwaway test clusters).
# initdb refuses to run as root, so as root the cluster belongs to the user postgres.
set -euo pipefail

PG_VERSION=15
PGBIN=/usr/lib/postgresql/$PG_VERSION/bin
POSTGIS_CONTROL=/usr/share/postgresql/$PG_VERSION/extension/postgis.control
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { echo "db: $*" >&2; }
die() { echo "db: $*" >&2; exit 1; }

install_pg() {
	local missing=()
	[ -x "$PGBIN/initdb" ] || missing+=("postgresql-$PG_VERSION")
	[ -f "$POSTGIS_CONTROL" ] || missing+=("postgresql-$PG_VERSION-postgis-3")
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "Trygg needs ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}"
	fi
	say "installing ${missing[*]} (apt-get)…"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
	# Debian's package starts a system cluster of its own; Trygg does not use it.
	[ -x "$PGBIN/initdb" ] && [ -f "$POSTGIS_CONTROL" ] || die "installing ${missing[*]} failed"
}

# dir_of DIR: the absolute cluster directory.
dir_of() {
	local d=${1:-.data}
	case $d in /*) ;; *) d=$ROOT/$d ;; esac
	echo "$d"
}

# as_owner CMD…: run CMD as the cluster's owner (postgres when we are root).
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

url() {
	local d
	d=$(dir_of "${1:-}")
	echo "postgres:///trygg?host=$d/run&user=postgres&sslmode=disable"
}

running() {
	local d=$1
	[ -f "$d/pg/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" -D "$d/pg" status >/dev/null 2>&1
}

start() {
	install_pg
	local d
	d=$(dir_of "${1:-}")
	mkdir -p "$d"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "user postgres is missing (it comes with postgresql-$PG_VERSION)"
		chown postgres: "$d"
		runuser -u postgres -- test -x "$d" ||
			die "user postgres cannot reach $d; move the project, or set DATABASE_URL"
	fi
	if [ ! -f "$d/pg/PG_VERSION" ]; then
		say "creating cluster in $d/pg"
		as_owner mkdir -p "$d/run"
		as_owner chmod 700 "$d/run"
		as_owner "$PGBIN/initdb" -D "$d/pg" -U postgres --auth=trust --encoding=UTF8 \
			--locale=C.UTF-8 >"$d/initdb.log" 2>&1 || { cat "$d/initdb.log" >&2; die "initdb failed"; }
		{
			echo "# Trygg's project-local settings"
			echo "unix_socket_directories = '$d/run'"
			if [ -n "${TRYGG_PG_PORT:-}" ]; then
				echo "listen_addresses = 'localhost'"
				echo "port = $TRYGG_PG_PORT"
			else
				echo "listen_addresses = ''"
			fi
			echo "max_connections = 200"
			echo "shared_buffers = 256MB"
			if [ "${TRYGG_PG_FAST:-}" = 1 ]; then
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | as_owner tee -a "$d/pg/postgresql.conf" >/dev/null
	fi
	if ! running "$d"; then
		as_owner "$PGBIN/pg_ctl" -D "$d/pg" -l "$d/pg/postgres.log" -w -t 60 start >/dev/null ||
			{ tail -n 20 "$d/pg/postgres.log" >&2; die "postgres did not start"; }
	fi
	local psql=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$d/run" -U postgres)
	if [ "$(as_owner "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'trygg'")" != 1 ]; then
		as_owner "${psql[@]}" -d postgres -c "CREATE DATABASE trygg"
	fi
	as_owner "${psql[@]}" -d trygg -c "CREATE EXTENSION IF NOT EXISTS postgis"
	say "PostgreSQL $PG_VERSION with PostGIS running; DATABASE_URL=$(url "$d")"
}

stop() {
	local d
	d=$(dir_of "${1:-}")
	if running "$d"; then
		as_owner "$PGBIN/pg_ctl" -D "$d/pg" -m fast -w stop >/dev/null
		say "stopped $d/pg"
	fi
}

reset() {
	local d
	d=$(dir_of "${1:-}")
	stop "$d"
	rm -rf "$d/pg" "$d/run" "$d/initdb.log"
	say "deleted the cluster in $d"
}

status() {
	local d
	d=$(dir_of "${1:-}")
	if running "$d"; then echo "running: $(url "$d")"; else echo "stopped"; fi
}

cmd=${1:-}
shift || true
case $cmd in
install) install_pg ;;
start) start "$@" ;;
stop) stop "$@" ;;
reset) reset "$@" ;;
url) url "$@" ;;
status) status "$@" ;;
*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
