#!/bin/sh
# Run every benchmark against the optimised build in DIR (default build/release).
set -eu
dir=${1:-build/release}
echo "== next-fire computation (cron_next)"
"$dir/bench/bench_cron"
echo "== daemon startup"
"$dir/bench/bench_startup" "$dir/nudged" 10000 5
echo "== fan-out: 10,000 due nudges to 10,000 webhook URLs, against curl --parallel"
"$dir/bench/bench_fanout" "$dir/nudged" 10000 3
echo "== direct: 10,000 people due at one instant, each in their own Slack DM on a fake Web API, against curl --parallel"
"$dir/bench/bench_direct" 10000 3
echo "== replies: signed Slack slash commands, wrk -t2 -c64 for 10 s, against a Slack Bolt for JavaScript app"
if [ ! -d bench/replies/node_modules ] && command -v npm >/dev/null 2>&1; then
	(cd bench/replies && npm ci --no-audit --no-fund --loglevel=error) ||
		echo "replies bolt: npm ci failed; the Bolt runs will be skipped"
fi
"$dir/bench/bench_replies" "$dir/nudged" 10 3 64
echo "== habit measures at about a million answers"
"$dir/bench/bench_stats" "$dir/nudged" 10 100 1000 3
