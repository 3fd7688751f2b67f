#!/bin/bash
# link_test.sh - the daemon's link layer against the SMSC simulator: a
# storm of throttled (ESME_RTHROTTLED) and refused (ESME_RMSGQFUL)
# submits loses nothing and keeps the order per destination; the tps cap
# holds.
. "$top_srcdir/tests/integration/lib.sh"

SIM=$top_builddir/tawasul-smsc-sim
PROBE=$top_builddir/tests/integration/link_submit

# run_storm NAME COUNT DESTS TPS SIM-ARGS...
run_storm() {
	local name=$1 count=$2 dests=$3 tps=$4
	shift 4
	"$SIM" --port 0 --system-id tawasul --password secret --log warn \
		--summary "$T_TMP/$name.json" "$@" >"$T_TMP/$name.sim" 2>&1 &
	SPID=$!
	T_PIDS="$T_PIDS $SPID"
	wait_for 10 grep -q '^sim listening port=' "$T_TMP/$name.sim" || {
		not_ok "$name: simulator started"
		return
	}
	local port
	port=$(sed -n 's/^sim listening port=\([0-9]*\).*/\1/p' "$T_TMP/$name.sim")
	if timeout 60 "$PROBE" "$port" "$count" "$dests" "$tps" ${PATTERN:-} >"$T_TMP/$name.out" 2>&1; then
		ok "$name: all $count submits accepted ($(cat "$T_TMP/$name.out"))"
	else
		not_ok "$name: all $count submits accepted"
		diag <"$T_TMP/$name.out"
	fi
	kill -TERM "$SPID"
	wait_for 5 bash -c "[ -s '$T_TMP/$name.json' ]"
	wait "$SPID"
}

# in_order FILE COUNT DESTS: every destination got 0..n-1 in order, once.
in_order() {
	local f=$1 count=$2 dests=$3 d want got
	for ((d = 0; d < dests; d++)); do
		want=$(seq -s ' ' 0 $(((count - 1 - d) / dests)) | sed "s/\([0-9]*\)/$d:\1/g")
		got=$(jq -r --arg a "$(printf '9733%07d' "$d")" \
			'.destinations[$a] // [] | [.[].text] | join(" ")' "$f")
		if [ "$got" != "$want" ]; then
			echo "# destination $d: got '$got' want '$want'"
			return 1
		fi
	done
}

in_order_busy() {
	local want got
	want=$(seq -s ' ' 0 39 | sed 's/\([0-9]*\)/0:\1/g')
	got=$(jq -r '.destinations["97330000000"] // [] | [.[].text] | join(" ")' "$1")
	[ "$got" = "$want" ]
}

run_storm throttle 600 20 100000 --throttle-every 7 --queue-full-every 11
check "throttle storm: nothing lost, order kept per destination" in_order "$T_TMP/throttle.json" 600 20
n=$(jq '.submits.throttled + .submits.queue_full' "$T_TMP/throttle.json")
check "throttle storm: the SMSC did throttle ($n refusals)" [ "${n:-0}" -gt 50 ]
dup=$(jq '[.destinations[] | length] | add' "$T_TMP/throttle.json")
check "throttle storm: no duplicates ($dup accepted)" [ "$dup" = 600 ]

# The tps cap: 200 submits at 100/s take about 2 s (burst of 5 first).
run_storm tps 200 10 100
ms=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' "$T_TMP/tps.out")
check "tps cap 100/s: 200 submits took ${ms} ms (>= 1900)" [ "${ms:-0}" -ge 1900 ]
check "tps cap: order kept" in_order "$T_TMP/tps.json" 200 10

# One busy number does not hold up the others: 40 MTs to one number, then
# one each to 10 others, with every response 50 ms late. A destination
# waits for its previous answer, so the busy number gets one per 50 ms;
# the others must be accepted long before its queue drains.
PATTERN=busy run_storm busy 50 11 100000 --delay-ms 50
others_max=$(jq -r '[.destinations | to_entries[] | select(.key != "97330000000") | .value[].msgid] | map(ltrimstr("0x")) | max' "$T_TMP/busy.json")
busy_10th=$(jq -r '.destinations["97330000000"][9].msgid' "$T_TMP/busy.json")
check "busy number: the others overtake it (last other id $others_max < busy #10 id $busy_10th)" \
	[ "$((16#${others_max:-ffffffff}))" -lt "$((16#${busy_10th:-0}))" ]
check "busy number: its own order kept" in_order_busy "$T_TMP/busy.json"

# Callbacks are owed even when the link never bound: stop and free.
check "a link that cannot bind still answers every submit (stop and free)" \
	timeout 20 "$PROBE" "$(free_port)" 5 1 100 offline

t_done
