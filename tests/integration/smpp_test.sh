#!/bin/bash
# smpp_test.sh - tawasuld against the SMSC simulator over a live link:
# bind, MOs answered once committed (0x64 and redelivery while the
# daemon is not ready yet), hostile input answered
# with the right generic_nack or error response while the bind stays up,
# enquire_link, drop and rebind with backoff, enquire_link timeout and
# reconnect, SIGTERM -> unbind -> exit 0.
. "$top_srcdir/tests/integration/lib.sh"

SIM=$top_builddir/tawasul-smsc-sim
: "${TAWASUL_REDIS_PORT:?}" "${TAWASUL_PG_CONNINFO:?}"

# start_sim LOG ARGS...: starts the simulator, waits for its port; SPID.
start_sim() {
	local out=$1
	shift
	"$SIM" --port "${SIM_PORT:-0}" --system-id tawasul --password secret \
		--log info --redeliver-ms 300 "$@" >"$out" 2>"$out.err" &
	SPID=$!
	T_PIDS="$T_PIDS $SPID"
	wait_for 10 grep -q '^sim listening port=' "$out" || return 1
	SIM_PORT=$(sed -n 's/^sim listening port=\([0-9]*\).*/\1/p' "$out")
}

link_conf() {
	admin=$(free_port)
	write_conf "$1" "$admin"
	if [ -n "${DB_CONN:-}" ]; then
		sed -i "s|^conninfo = .*|conninfo = $DB_CONN|" "$1"
	else
		own_db "$1" || { echo "Bail out! database not prepared"; exit 1; }
	fi
	cat >>"$1" <<CONF
[smsc sim]
host = 127.0.0.1
port = $SIM_PORT
system_id = tawasul
password = secret
enquire_link = 500ms
response_timeout = 1s
reconnect_min = 100ms
reconnect_max = 400ms
CONF
}

# 1. Scenario: MOs, hostile input, enquire_link, drop and rebind, SIGTERM.
start_sim "$T_TMP/sim1.out" --scenario "$top_srcdir/tests/integration/scenarios/daemon_mo_hostile.scn" \
	--summary "$T_TMP/sum1.json" || { echo "Bail out! simulator did not start"; exit 1; }
conf=$T_TMP/d.conf
log=$T_TMP/d.log
link_conf "$conf"
start_daemon "$conf" "$log"
check "daemon binds to the simulator" wait_for 10 log_has "$log" 'link=sim conn=trx state=BINDING->BOUND'
# Four MOs in the scenario; the fourth comes after the rebind, just before
# the scenario waits for the unbind.
check "the scenario reaches its end (MOs, hostile input, rebind)" wait_for 40 bash -c "[ \$(grep -c 'mo=whole .*status=0x00' '$log') -ge 4 ]"
check "MOs answered once committed, phone numbers hashed" bash -c "grep -q 'mo=whole from=m:.* status=0x00' '$log' && ! grep -q 97333000001 '$log'"
check "rebound after the drop" wait_for 10 bash -c "[ \$(grep -c 'state=BINDING->BOUND' '$log') -ge 2 ]"
check "backoff before the rebind" log_has "$log" 'link=sim conn=trx state=BOUND->BACKOFF'
kill -TERM "$DPID"
wait_for 5 bash -c "! kill -0 $DPID"
wait "$DPID"
check "SIGTERM: daemon exits 0" [ $? -eq 0 ]
wait_for 10 bash -c "! kill -0 $SPID"
wait "$SPID"
rc=$?
if [ $rc -eq 0 ]; then
	ok "simulator: every expectation met (hostile input answered, link kept, unbind on SIGTERM)"
else
	not_ok "simulator: every expectation met (exit $rc)"
	tail -n 30 "$T_TMP/sim1.out.err" | diag
	tail -n 30 "$log" | diag
fi
check "daemon unbound before exit" log_has "$log" 'link=sim conn=trx state=UNBINDING->STOPPED'

# 2. enquire_link unanswered -> response timeout -> reconnect.
SIM_PORT=0
start_sim "$T_TMP/sim2.out" --mute-enquire --stay || { echo "Bail out! simulator did not start"; exit 1; }
link_conf "$conf"
start_daemon "$conf" "$T_TMP/d2.log"
check "bound again with a silent SMSC" wait_for 10 log_has "$T_TMP/d2.log" 'link=sim conn=trx state=BINDING->BOUND'
check "unanswered enquire_link drops the link" wait_for 10 log_has "$T_TMP/d2.log" 'link=sim conn=trx state=BOUND->BACKOFF'
check "and it rebinds" wait_for 10 bash -c "[ \$(grep -c 'state=BINDING->BOUND' '$T_TMP/d2.log') -ge 2 ]"
kill -TERM "$DPID" "$SPID"
wait_for 5 bash -c "! kill -0 $DPID"
wait "$DPID"
check "daemon exits 0 while the SMSC is silent" [ $? -eq 0 ]

# 3. bind = pair: transmitter + receiver.
SIM_PORT=0
start_sim "$T_TMP/sim3.out" --scenario "$top_srcdir/tests/integration/scenarios/daemon_pair.scn" ||
	{ echo "Bail out! simulator did not start"; exit 1; }
link_conf "$conf"
printf 'bind = pair\n' >>"$conf"
start_daemon "$conf" "$T_TMP/d3.log"
check "pair: transmitter bound" wait_for 10 log_has "$T_TMP/d3.log" 'link=sim conn=tx state=BINDING->BOUND'
check "pair: receiver bound" wait_for 10 log_has "$T_TMP/d3.log" 'link=sim conn=rx state=BINDING->BOUND'
check "pair: MO taken on the receiver and committed" wait_for 15 log_has "$T_TMP/d3.log" 'link=sim mo=whole .*status=0x00'
kill -TERM "$DPID"
wait_for 5 bash -c "! kill -0 $DPID"
wait "$DPID"
check "pair: daemon exits 0" [ $? -eq 0 ]
wait_for 10 bash -c "! kill -0 $SPID"
wait "$SPID"
check "pair: both connections unbound (scenario met)" [ $? -eq 0 ]

t_done
