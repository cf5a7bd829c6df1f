#!/bin/sh
# SPDX-License-Identifier: ISC
# A throw-away PostgreSQL server for the tests: a cluster in a temporary
# folder, trusting local users, listening only on a Unix socket in that
# folder, without fsync (its data is thrown away).
#
#   pg_cluster.sh start [PID]  prints the folder; connect with
#                            "host=FOLDER user=nudged dbname=postgres"; with
#                            a PID, the cluster is stopped once PID is gone
#                            (a test that crashed cleans up all the same)
#   pg_cluster.sh stop DIR   stops it (by the postmaster's PID) and removes DIR
#   pg_cluster.sh halt DIR   shuts the server down, keeping its data
#   pg_cluster.sh resume DIR starts it again
#
# PostgreSQL refuses to run as root: as root the server runs as the
# unprivileged user postgres, which owns the folder.
set -eu

bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/initdb" ] ||
	bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg_cluster.sh: no PostgreSQL server (initdb) installed" >&2; exit 1; }

# Run a server program as the folder's owner.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start() {
	dir=$(mktemp -d "${TMPDIR:-/tmp}/nudged-pg.XXXXXX")
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	if ! as_owner "$bindir/initdb" -D "$dir/data" -U nudged --auth=trust \
	    --no-locale -E UTF8 >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		exit 1
	fi
	cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 60
EOF
	if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t 60 start >/dev/null; then
		cat "$dir/server.log" >&2
		stop "$dir"
		exit 1
	fi
	# A simple command, so that no descriptor of our output stays open in it.
	if [ -n "${1:-}" ]; then
		sh "$0" watch "$1" "$dir" </dev/null >/dev/null 2>&1 &
	fi
	echo "$dir"
}

# Stop the cluster in DIR once process PID has ended, however it ended.
watch() {
	while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
	stop "$2"
}

stop() {
	dir=$1
	cluster "$dir"
	if [ -f "$dir/data/postmaster.pid" ]; then
		pid=$(head -n 1 "$dir/data/postmaster.pid")
		kill -QUIT "$pid" 2>/dev/null || true	# immediate shutdown
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}

# A cluster this script started, for halt and resume.
cluster() {
	case ${1:-} in */nudged-pg.*) ;; *) echo "pg_cluster.sh: not a test cluster: ${1:-}" >&2; exit 1 ;; esac
}

case ${1:-} in
start) start "${2:-}" ;;
stop) stop "${2:?usage: pg_cluster.sh stop DIR}" ;;
watch) cluster "${3:-}"; watch "${2:?usage: pg_cluster.sh watch PID DIR}" "$3" ;;
halt) cluster "${2:-}"; as_owner "$bindir/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null ;;
resume) cluster "${2:-}"; as_owner "$bindir/pg_ctl" -D "$2/data" -l "$2/server.log" -w -t 60 start >/dev/null ;;
*) echo "usage: pg_cluster.sh start | stop DIR | halt DIR | resume DIR" >&2; exit 2 ;;
esac
