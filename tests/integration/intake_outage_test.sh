#!/bin/bash
# intake_outage_test.sh - SPEC §2: an MO is acknowledged only once what it
# carries is committed. With PostgreSQL (then Redis) stopped during a
# stream of MOs, every MO is answered ESME_RX_T_APPN (0x64) and the SMSC
# keeps it; once the store is back, the redelivered MOs are taken and each
# is exactly one case.
. "$top_srcdir/tests/integration/lib.sh"

SIM=$top_builddir/tawasul-smsc-sim
N=10
own_services
SIM_PORT=$(free_port)
admin=$(free_port)
conf=$T_TMP/d.conf
write_conf "$conf" "$admin"
add_sim_link "$conf" "$SIM_PORT" reconnect_min=100ms reconnect_max=500ms
prepare_db "$conf" || { echo "Bail out! database not prepared"; exit 1; }
DB_CONN=$TAWASUL_PG_CONNINFO
start_daemon "$conf" "$T_TMP/d.log"
wait_for 15 log_has "$T_TMP/d.log" 'cat=main state=ready' || {
	echo "Bail out! daemon not ready"
	exit 1
}

# run_outage NAME SERVICE PREFIX: N MOs while SERVICE is down, then back.
run_outage() {
	local name=$1 svc=$2 pfx=$3 i
	{
		echo "expect bind_transceiver timeout=10s"
		for i in $(seq 1 $N); do
			echo "send mo from=9733650$(printf %04d "$i") to=80008001 text=\"C $pfx outage report number $i\""
		done
		for i in $(seq 1 $N); do echo "expect deliver_sm_resp status=0x64 timeout=20s"; done
		for i in $(seq 1 $N); do echo "expect deliver_sm_resp status=0 timeout=60s"; done
		for i in $(seq 1 $N); do echo "expect submit_sm dst=9733650$(printf %04d "$i") timeout=20s"; done
	} >"$T_TMP/$name.scn"
	"$SERVICES" stop "$svc" >/dev/null 2>&1
	local before taken
	before=$(log_count "$T_TMP/d.log" 'mo=whole .*status=0x64')
	taken=$(log_count "$T_TMP/d.log" 'mo=whole .*status=0x00')
	"$SIM" --port "$SIM_PORT" --system-id tawasul --password secret \
		--redeliver-ms 400 --log warn --scenario "$T_TMP/$name.scn" \
		--summary "$T_TMP/$name.json" >"$T_TMP/$name.out" 2>&1 &
	SPID=$!
	T_PIDS="$T_PIDS $SPID"
	check "$name down: every MO answered 0x64" wait_for 30 bash -c "[ \$(grep -cE 'mo=whole .*status=0x64' '$T_TMP/d.log') -ge $((before + N)) ]"
	check "$name down: no MO acknowledged meanwhile" [ "$(log_count "$T_TMP/d.log" 'mo=whole .*status=0x00')" = "$taken" ]
	check "$name down: the daemon stays up" alive "$DPID"
	"$SERVICES" start "$svc" >/dev/null 2>&1
	wait "$SPID"
	local rc=$?
	check "$name back: every redelivered MO taken and answered" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || grep -v '^{' "$T_TMP/$name.out" | tail -n 3 | diag
	check "$name back: each MO is exactly one case" \
		[ "$(psql -X -At "$DB_CONN" -c "SELECT count(*) || '|' || count(DISTINCT original_text) FROM cases WHERE original_text LIKE 'C $pfx outage%'")" = "$N|$N" ]
}
run_outage pg pg PG
run_outage redis redis REDIS

kill -TERM "$DPID"
wait_for 10 bash -c "! kill -0 $DPID"
wait "$DPID"
check "daemon exits 0 on SIGTERM" [ $? -eq 0 ]
TAWASUL_SERVICES_DIR=$T_OWN_SERVICES "$SERVICES" stop all >/dev/null 2>&1
check "private services stopped, nothing left running" nothing_left "$T_OWN_SERVICES" "$TAWASUL_REDIS_PORT" "$TAWASUL_PG_PORT"
t_done
