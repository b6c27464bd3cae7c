# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers for the in-guest suites. Every test name is one word that
# starts with the suite's name: "<suite>.<what is true>".

tap_n=0

# done_testing: the plan, printed last: the number of tests that ran. A
# suite that stops before its end has none, and the run fails for it.
done_testing() {
	echo "1..$tap_n"
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n $1"
	shift
	[ $# -gt 0 ] && echo "# $*"
	return 0
}

# check NAME COMMAND...: one test, passed when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# findings PROGRAM ARGS...: run a test program that prints what it found
# wrong; its output becomes TAP comments, its exit status is the result.
findings() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
	return $rc
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds; the bound only
# guards against a hang, the result never depends on how long it took.
wait_for() {
	local tries=$(($1 * 10))
	shift
	while ! "$@"; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || return 1
		sleep 0.1
	done
}

# modelfs_sysfs MOUNT: the /sys/fs/modelfs/<major>:<minor> directory of
# the ModelFS mount at MOUNT (its device is field 3 of mountinfo; the
# topmost mount there wins).
modelfs_sysfs() {
	echo /sys/fs/modelfs/$(awk -v m="$1" '$5 == m { d = $3 } END { print d }' \
		/proc/self/mountinfo)
}
