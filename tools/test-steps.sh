#!/usr/bin/env bash
# Runs the jobs of `make test` and says what it is doing: the jobs before
# « -- » all at once (the compilations), then, once they have all ended
# well, the jobs after it (the test binaries' runs), at most -j at a time
# (default: the number of CPUs), each started as soon as one ends, in the
# order given — the longest first, so that none starts last. It prints each
# job as soon as it ends (its whole output when it failed), every 15 s the
# jobs still running, then a summary. Exits 1 when any job failed, after
# the jobs started have ended.
#
#   tools/test-steps.sh [-j N] 'name|command' ... -- 'name|command' ...
#
# Each command runs in bash from the repository's root; its output goes to
# a log file, printed whole when it matters, so that jobs never mix their
# lines.
set -uo pipefail

jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
first=() then=()
seen_sep=0
for a in "$@"; do
	if [ "$a" = -- ]; then
		seen_sep=1
	elif [ "$seen_sep" = 0 ]; then
		first+=("$a")
	else
		then+=("$a")
	fi
done

work=$(mktemp -d)
pids=()
done=0
cleanup() {
	if [ "$done" = 0 ]; then # interrupted: stop the jobs still running
		for pid in "${pids[@]}"; do
			kill -- -"$pid" 2>/dev/null
		done
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

all=("${first[@]}" "${then[@]}")
# runjob i: runs job i, its result written whole (rc, seconds, CPU
# seconds) under a temporary name then renamed, so that the loop that
# prints never reads a result half written. A test run is counted by
# tools/cpustep (below); a compilation, which leaves no process behind, by
# bash's own count of its children (times).
cpustep=
runjob() {
	local i=$1 cmd=${all[$1]#*|} t0=$SECONDS rc cpu
	if [ -n "$cpustep" ]; then
		"$cpustep" -o "$work/$i.cpu" bash -c "$cmd" >"$work/$i.log" 2>&1
		rc=$?
	else
		bash -c "$cmd" >"$work/$i.log" 2>&1
		rc=$?
		LC_ALL=C times >"$work/$i.times" # not in a pipe: a subshell would count nothing
		awk 'NR == 2 { t = 0; for (f = 1; f <= NF; f++) { split($f, p, "m"); t += p[1] * 60 + p[2] } print t }' "$work/$i.times" >"$work/$i.cpu"
	fi
	cpu=$(awk '{ printf "%.0f", $1 }' "$work/$i.cpu" 2>/dev/null)
	echo "$rc $((SECONDS - t0)) ${cpu:-?}" >"$work/$i.rc.tmp" && mv "$work/$i.rc.tmp" "$work/$i.rc"
}

start=$SECONDS
failed=0
total_cpu=0
# report from to: waits for jobs from..to-1 to end, printing each as it
# ends; returns 1 when one failed.
report() {
	local from=$1 to=$2 verbose=$3 i rc took cpu bad=0 last=$SECONDS running
	local -a shown=()
	while :; do
		running=()
		for ((i = from; i < to; i++)); do
			[ -n "${shown[i]:-}" ] && continue
			if [ -f "$work/$i.rc" ]; then
				read -r rc took cpu <"$work/$i.rc"
				shown[i]=1
				total_cpu=$((total_cpu + ${cpu/\?/0}))
				if [ "$rc" = 0 ]; then
					echo "== ${all[i]%%|*}: ok in ${took} s (CPU ${cpu} s), at $((SECONDS - start)) s"
					[ "$verbose" = 1 ] && sed 's/^/   /' "$work/$i.log"
				else
					echo "== ${all[i]%%|*}: FAILED (exit $rc) after ${took} s (CPU ${cpu} s)"
					sed 's/^/   /' "$work/$i.log"
					bad=1
				fi
			elif [ -d "$work/claim.$i" ] || ((i < ${#first[@]})); then
				running+=("${all[i]%%|*}")
			fi
		done
		((${#shown[@]} == to - from)) && break
		if ((SECONDS - last >= 15)); then
			echo "   … $((SECONDS - start)) s: running ${running[*]}"
			last=$SECONDS
		fi
		sleep 0.5
	done
	return $bad
}

set -m # each job (or worker) in its own process group, so that Ctrl-C stops all of it
echo "== make test: ${#first[@]} compilation(s) at once, then ${#then[@]} test run(s), ${jobs} at a time, each test once"
for ((i = 0; i < ${#first[@]}; i++)); do
	runjob "$i" &
	pids+=($!)
done
report 0 ${#first[@]} 1 || failed=1
wait
pids=()
# Each test run runs under tools/cpustep, which counts the CPU of every
# process the run started — on Linux the orphans too (Chromium's renderers
# outlive the browser the web tests stop), which bash's `times` misses.
# Built once the compilations have compiled what it needs (in a fresh
# clone, building it first kept a core idle). Kept in SEGUR_TESTBIN when
# make gives it: go build links it again only when it changed
# (-buildvcs=false: not at every commit either).
if [ "$failed" = 0 ]; then
	cpustep="${SEGUR_TESTBIN:-$work}/cpustep"
	if ! ${GO:-go} build -buildvcs=false -o "$cpustep" ./tools/cpustep; then
		echo "== tools/cpustep does not build" >&2
		failed=1
	fi
fi
if [ "$failed" = 0 ]; then
	# Workers: each claims the next job not yet claimed (mkdir succeeds
	# for one of them only) and runs it, until none is left.
	for ((w = 0; w < jobs; w++)); do
		(
			set +m # the jobs it runs stay in its process group
			for ((i = ${#first[@]}; i < ${#all[@]}; i++)); do
				mkdir "$work/claim.$i" 2>/dev/null || continue
				runjob "$i"
			done
		) &
		pids+=($!)
	done
	report ${#first[@]} ${#all[@]} 0 || failed=1
	wait
fi
set +m
done=1
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
if [ "$failed" = 0 ]; then
	echo "== tests passed in $((SECONDS - start)) s (CPU ${total_cpu} s)${load:+, load average $load}"
else
	echo "== tests FAILED after $((SECONDS - start)) s: see the job(s) marked FAILED above"
	exit 1
fi
