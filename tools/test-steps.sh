#!/usr/bin/env bash
# Runs the jobs of `make test` and says what it is doing. The jobs before
# « -- » (the compilations) all start at once; those after it (the test
# binaries' runs) at most -j at a time (default: the number of CPUs), in
# the order given — the longest first, so that none starts last —, each as
# soon as a worker is free and the compilation it needs has ended well:
# the first runs start while the other compilation may still go on.
# It prints each job as soon as it ends (a run's output only when it
# failed), every 15 s the jobs still running, then a summary. Exits 1 when
# any job failed (a run whose compilation failed is not started), once
# every job started has ended.
#
#   tools/test-steps.sh [-j N] 'name|command' ... -- 'name|K|command' ...
#
# K is the number (1, 2…) of the compilation a run needs, or empty. Each
# command runs in bash from the repository's root; its output goes to a
# log file, printed whole when it matters, so that jobs never mix their
# lines.
set -uo pipefail

jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
all=() needs=()
nfirst=0
seen_sep=0
for a in "$@"; do
	if [ "$a" = -- ]; then
		seen_sep=1
	elif [ "$seen_sep" = 0 ]; then
		all+=("$a")
		needs+=("")
		nfirst=$((nfirst + 1))
	else
		rest=${a#*|}
		all+=("${a%%|*}|${rest#*|}")
		needs+=("${rest%%|*}")
	fi
done
# A compilation number that names none would make every worker wait.
if ! [[ "$jobs" =~ ^[1-9][0-9]*$ ]]; then
	echo "test-steps: -j $jobs: want a number of jobs, 1 or more" >&2
	exit 2
fi
for ((i = nfirst; i < ${#all[@]}; i++)); do
	if [ -n "${needs[i]}" ] && ! { [[ "${needs[i]}" =~ ^[1-9][0-9]*$ ]] && ((needs[i] <= nfirst)); }; then
		echo "test-steps: ${all[i]%%|*}: compilation « ${needs[i]} » does not exist (1 to $nfirst)" >&2
		exit 2
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

# Each run runs under tools/cpustep, which counts the CPU of every process
# the run started — on Linux the orphans too (Chromium's renderers outlive
# the browser the web tests stop), which bash's `times` misses. It is built
# as one more compilation, at the same time as the others, and kept in
# SEGUR_TESTBIN when make gives it: go build links it again only when it
# changed (-buildvcs=false: not at every commit either).
cpustep="${SEGUR_TESTBIN:-$work}/cpustep"
cpustep_job=$nfirst
all=("${all[@]:0:nfirst}" "tools/cpustep|${GO:-go} build -buildvcs=false -o '$cpustep' ./tools/cpustep" "${all[@]:nfirst}")
needs=("${needs[@]:0:nfirst}" "" "${needs[@]:nfirst}")
nfirst=$((nfirst + 1))
nall=${#all[@]}

# runjob i: runs job i, its result written whole (rc, seconds, CPU
# seconds) under a temporary name then renamed, so that nothing reads a
# result half written. A run is counted by tools/cpustep; a compilation,
# which leaves no process behind, by bash's own count of its children.
runjob() {
	local i=$1 cmd=${all[$1]#*|} t0=$SECONDS rc cpu
	if ((i >= nfirst)); then
		"$cpustep" -o "$work/$i.cpu" bash -c "$cmd" </dev/null >"$work/$i.log" 2>&1
		rc=$?
	else
		bash -c "$cmd" </dev/null >"$work/$i.log" 2>&1
		rc=$?
		LC_ALL=C times >"$work/$i.times" # not in a pipe: a subshell would count nothing
		awk 'NR == 2 { t = 0; for (f = 1; f <= NF; f++) { split($f, p, "m"); t += p[1] * 60 + p[2] } print t }' "$work/$i.times" >"$work/$i.cpu"
	fi
	cpu=$(awk '{ printf "%.0f", $1 }' "$work/$i.cpu" 2>/dev/null)
	result "$i" "$rc $((SECONDS - t0)) ${cpu:-?}"
}

# result i line: writes job i's result, whole (see runjob).
result() {
	echo "$2" >"$work/$1.rc.tmp" && mv "$work/$1.rc.tmp" "$work/$1.rc"
}

# ended i: job i has ended (0), or not yet (1); ok i: it ended well.
ended() { [ -f "$work/$1.rc" ]; }
ok() { ended "$1" && [ "$(cut -d' ' -f1 "$work/$1.rc")" = 0 ]; }

# worker: claims the first run not yet claimed (mkdir succeeds for one
# worker only) once its compilation and tools/cpustep have ended — it
# waits for them rather than take a shorter run first —, runs it, and
# starts again, until no run is left. A run whose compilation failed is
# claimed and not started.
worker() {
	set +m # the jobs it runs stay in its process group
	local i need started waiting
	while :; do
		started=0 waiting=0
		for ((i = nfirst; i < nall; i++)); do
			[ -d "$work/claim.$i" ] && continue
			need=${needs[i]}
			if ! ended "$cpustep_job" || { [ -n "$need" ] && ! ended $((need - 1)); }; then
				waiting=1 # the longest first: none overtakes it
				break
			fi
			mkdir "$work/claim.$i" 2>/dev/null || continue
			if ! ok "$cpustep_job" || { [ -n "$need" ] && ! ok $((need - 1)); }; then
				echo "not started: its compilation failed" >"$work/$i.log"
				result "$i" "125 0 0"
				continue
			fi
			runjob "$i"
			started=1
			break
		done
		if [ "$started" = 0 ]; then
			[ "$waiting" = 0 ] && return
			sleep 0.2
		fi
	done
}

start=$SECONDS
echo "== make test: $nfirst compilation(s) at once, then $((nall - nfirst)) test run(s), ${jobs} at a time, each test once"
set -m # each job and worker in its own process group, so that Ctrl-C stops all of it
for ((i = 0; i < nfirst; i++)); do
	runjob "$i" &
	pids+=($!)
done
for ((w = 0; w < jobs; w++)); do
	worker &
	pids+=($!)
done
set +m

# Prints each job as it ends, until all have.
failed=0
total_cpu=0
last=$SECONDS
shown=()
while :; do
	running=()
	left=0
	for ((i = 0; i < nall; i++)); do
		[ -n "${shown[i]:-}" ] && continue
		if ended "$i"; then
			read -r rc took cpu <"$work/$i.rc"
			shown[i]=1
			total_cpu=$((total_cpu + ${cpu/\?/0}))
			if [ "$rc" = 0 ]; then
				echo "== ${all[i]%%|*}: ok in ${took} s (CPU ${cpu} s), at $((SECONDS - start)) s"
				((i < nfirst)) && sed 's/^/   /' "$work/$i.log"
			else
				echo "== ${all[i]%%|*}: FAILED (exit $rc) after ${took} s (CPU ${cpu} s)"
				sed 's/^/   /' "$work/$i.log"
				failed=1
			fi
		else
			left=$((left + 1))
			if ((i < nfirst)) || [ -d "$work/claim.$i" ]; then
				running+=("${all[i]%%|*}")
			fi
		fi
	done
	[ "$left" = 0 ] && break
	if ((SECONDS - last >= 15)); then
		echo "   … $((SECONDS - start)) s: running ${running[*]:-}"
		last=$SECONDS
	fi
	sleep 0.5
done
wait
done=1
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
if [ "$failed" = 0 ]; then
	echo "== tests passed in $((SECONDS - start)) s (CPU ${total_cpu} s)${load:+, load average $load}"
else
	echo "== tests FAILED after $((SECONDS - start)) s: see the job(s) marked FAILED above"
	exit 1
fi
