#!/usr/bin/env bash
# Runs the steps of `make test` at the same time and says what it is doing:
# the steps it starts, every 15 s those still running, each step's output
# (and how long it took) as soon as it ends, then a summary. Exits 1 when
# any step failed, after all have ended.
#
#   tools/test-steps.sh 'name|command' 'name|command' ...
#
# Each command runs in bash from the repository's root; its output goes to
# a log file, printed whole when the step ends, so that steps never mix
# their lines.
set -uo pipefail

work=$(mktemp -d)
pids=()
done=0
cleanup() {
	if [ "$done" = 0 ]; then # interrupted: stop the steps still running
		for pid in "${pids[@]}"; do
			kill -- -"$pid" 2>/dev/null
		done
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each step runs under tools/cpustep, which counts the CPU of every process
# the step ran — on Linux the orphans too (Chromium's renderers outlive the
# browser the web tests stop), which bash's `times` misses.
# Kept in SEGUR_TESTBIN when make gives it: go build links it again only
# when it changed (-buildvcs=false: not at every commit either).
cpustep="${SEGUR_TESTBIN:-$work}/cpustep"
if ! ${GO:-go} build -buildvcs=false -o "$cpustep" ./tools/cpustep; then
	echo "== tools/cpustep does not build" >&2
	exit 2
fi

start=$SECONDS
names=()
echo "== make test: ${#} steps at once, each test once"
set -m # each step in its own process group, so that Ctrl-C stops all of it
n=0
for step in "$@"; do
	name=${step%%|*}
	cmd=${step#*|}
	names+=("$name")
	echo "   [$((n + 1))] $name"
	(
		t0=$SECONDS
		"$cpustep" -o "$work/$n.cpu" bash -c "$cmd" >"$work/$n.log" 2>&1
		rc=$?
		# CPU time of the step (user + system, every process it ran).
		cpu=$(awk '{ printf "%.0f", $1 }' "$work/$n.cpu" 2>/dev/null)
		# Written whole under a temporary name, then renamed: the loop
		# below never reads a result half written.
		echo "$rc $((SECONDS - t0)) $cpu" >"$work/$n.rc.tmp" && mv "$work/$n.rc.tmp" "$work/$n.rc"
	) &
	pids+=($!)
	n=$((n + 1))
done
set +m

shown=()
failed=0
last=$SECONDS
while :; do
	running=()
	for ((i = 0; i < n; i++)); do
		[ -n "${shown[i]:-}" ] && continue
		if [ -f "$work/$i.rc" ]; then
			wait "${pids[i]}" # the step's process has ended: its log is whole
			read -r rc took cpu <"$work/$i.rc"
			shown[i]=1
			if [ "$rc" = 0 ]; then
				echo "== [$((i + 1))] ${names[i]}: ok in ${took} s (CPU ${cpu} s)"
			else
				echo "== [$((i + 1))] ${names[i]}: FAILED (exit $rc) after ${took} s (CPU ${cpu} s)"
				failed=1
			fi
			sed 's/^/   /' "$work/$i.log"
		else
			running+=("[$((i + 1))]")
		fi
	done
	[ ${#running[@]} -eq 0 ] && break
	if ((SECONDS - last >= 15)); then
		echo "   … $((SECONDS - start)) s: still running ${running[*]}"
		last=$SECONDS
	fi
	sleep 1
done
wait
done=1
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
if [ "$failed" = 0 ]; then
	echo "== tests passed in $((SECONDS - start)) s${load:+ (load average $load)}"
else
	echo "== tests FAILED after $((SECONDS - start)) s: see the step(s) marked FAILED above"
	exit 1
fi
