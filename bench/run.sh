#!/bin/sh
# SPDX-License-Identifier: ISC
# Run every benchmark against the optimised build in DIR (default build/release),
# one at a time, then print one table: each scenario, nudged's median, a peer's
# median in the same run, the ratio nudged/peer, nudged's CPU per item, and its
# peak RSS. Every bench prints its own rows as "TABLE<tab>..." lines.
set -eu
dir=${1:-build/release}
log=$(mktemp /tmp/nudged-bench-XXXXXX)

# Idle memory with the reference config (its secrets set to dummies): resident
# and proportional set after start-up settles, and how often the daemon woke
# in 5 s of nothing to do (voluntary context switches).
idle() {
	d=$(mktemp -d /tmp/nudged-idle-XXXXXX)
	# The port may be taken by another test on this machine: try three.
	for attempt in 1 2 3; do
		port=$((20000 + ($$ + attempt * 7919) % 20000))
		sed -e "s|\"state_dir\": \"/var/lib/nudged\"|\"state_dir\": \"$d/state\"|" \
		    -e "s|\"prompts\": \"/usr/local/share/nudged/prompts\"|\"prompts\": \"$PWD/prompts\"|" \
		    -e "s|127.0.0.1:8470|127.0.0.1:$port|" config/nudged.json >"$d/nudged.json"
		SLACK_LEADERS_WEBHOOK=https://hooks.slack.com/services/T0/B0/dummy \
		SLACK_SIGNING_SECRET=dummy-signing-secret \
		TEAMS_TEAM_A_WEBHOOK=https://example.invalid/workflows/dummy \
		TEAMS_TEAM_A_HMAC=ZHVtbXlobWFjc2VjcmV0 \
		    "$dir/nudged" serve -c "$d/nudged.json" >"$d/log" 2>&1 &
		pid=$!
		i=0
		until grep -q started "$d/log" || ! kill -0 $pid 2>/dev/null ||
		    [ $i -ge 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 $pid 2>/dev/null && break
		wait $pid || true
	done
	if ! kill -0 $pid 2>/dev/null; then
		echo "idle: nudged did not start:"
		cat "$d/log"
		rm -rf "$d"
		return 1
	fi
	sleep 2
	cs0=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$pid/status)
	sleep 5
	cs1=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$pid/status)
	rss=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status)
	anon=$(awk '/^RssAnon/ {printf "%.1f", $2 / 1024}' /proc/$pid/status)
	pss=$(awk '/^Pss:/ {printf "%.1f", $2 / 1024}' /proc/$pid/smaps_rollup)
	kill $pid
	wait $pid || true
	rm -rf "$d"
	echo "idle: RSS $rss MiB (target 8 MiB), of it anonymous $anon MiB; PSS $pss MiB; $((cs1 - cs0)) wake-ups in 5 s"
	printf 'TABLE\tidle RSS, reference config (PSS %s, anon %s MiB; %s wake-ups in 5 s)\t%s MiB\t-\t-\t-\t%s\n' \
	    "$pss" "$anon" "$((cs1 - cs0))" "$rss" "$rss"
}

# Run one bench; a failure is reported and counted, and the rest still run.
failed=$(mktemp /tmp/nudged-bench-failed-XXXXXX)
trap 'rm -f "$log" "$failed"' EXIT
run() {
	"$@" || { echo "FAILED (exit $?): $*"; echo "$*" >>"$failed"; }
}

{
	echo "== next-fire computation (cron_next)"
	run "$dir/bench/bench_cron"
	echo "== daemon startup"
	run "$dir/bench/bench_startup" "$dir/nudged" 10000 5
	echo "== idle memory, reference config"
	run idle
	echo "== fan-out: 10,000 due nudges to 10,000 webhook URLs, seeded outbox, against curl --parallel"
	run "$dir/bench/bench_fanout" "$dir/nudged" 10000 3 curl seeded
	echo "== burst: 10,000 schedules due at one instant, timed from the instant, against curl --parallel"
	run "$dir/bench/bench_fanout" "$dir/nudged" 10000 3 curl burst
	echo "== direct: 10,000 people due at one instant, each in their own Slack DM on a fake Web API, against curl --parallel"
	run "$dir/bench/bench_direct" 10000 3
	echo "== direct: 10,000 people due at one instant, each in their own Mattermost DM on a fake API, against curl --parallel"
	run "$dir/bench/bench_direct" 10000 3 curl mattermost
	echo "== direct: 500 people due at one instant, each in their own Discord DM on a fake API (nudged keeps to 25 a second), against curl --parallel"
	run "$dir/bench/bench_direct" 500 3 curl discord
	echo "== replies: signed Slack slash commands, wrk -t2 -c64 for 10 s, against a Slack Bolt for JavaScript app and a C ceiling"
	if [ ! -d bench/replies/node_modules ] && command -v npm >/dev/null 2>&1; then
		(cd bench/replies && npm ci --no-audit --no-fund --loglevel=error) ||
			echo "replies bolt: npm ci failed; the Bolt runs will be skipped"
	fi
	run "$dir/bench/bench_replies" "$dir/nudged" 10 3 64
	echo "== several instances: fan-out of 10,000 and answers with 1, 2 and 3 instances on one PostgreSQL, next to one on SQLite"
	run "$dir/bench/bench_instances" "$dir/nudged" 10000 10000 32
	echo "== habit measures at about a million answers"
	run "$dir/bench/bench_stats" "$dir/nudged" 10 100 1000 3
} | tee "$log" | grep -v '^TABLE'

echo
echo "== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
{
	printf 'scenario\tnudged\tpeer (same run)\tratio\tCPU us/item\tpeak RSS MiB\n'
	grep '^TABLE' "$log" | cut -f2-
} | column -t -s "$(printf '\t')"
if [ -s "$failed" ]; then
	echo "failed:"
	cat "$failed"
	exit 1
fi
