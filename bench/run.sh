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
