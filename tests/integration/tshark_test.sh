#!/bin/bash
# tshark_test.sh - Wireshark's SMPP dissector reads every PDU that crosses
# the link (MOs of every encoding and concatenation, responses, enquire_
# link, a throttled submit storm, unbind) without a malformed PDU or an
# expert warning. A capture with one deliberately broken PDU proves the
# check itself finds what it should.
. "$top_srcdir/tests/integration/lib.sh"

SIM=$top_builddir/tawasul-smsc-sim
PROBE=$top_builddir/tests/integration/link_submit
: "${TAWASUL_REDIS_PORT:?}" "${TAWASUL_PG_CONNINFO:?}"
command -v tshark >/dev/null || { echo "Bail out! tshark missing (scripts/deps installs it)"; exit 1; }

# capture PORT FILE: starts tshark on loopback for that port; sets CPID.
capture() {
	tshark -i lo -f "tcp port $1" -w "$2" -q >"$2.log" 2>&1 &
	CPID=$!
	T_PIDS="$T_PIDS $CPID"
	wait_for 10 grep -q 'Capture started\|Capturing on' "$2.log"
}

end_capture() {
	sleep 0.3 # let the last packets reach the ring buffer
	kill -INT "$CPID"
	wait_for 10 bash -c "! kill -0 $CPID"
}

# problems FILE PORT: the frames tshark flags, one per line.
problems() {
	tshark -r "$1" -d "tcp.port==$2,smpp" \
		-Y '_ws.malformed || _ws.expert.severity >= "Warning"' \
		-T fields -e frame.number -e _ws.col.Info 2>/dev/null
}

smpp_count() {
	tshark -r "$1" -d "tcp.port==$2,smpp" -Y smpp -T fields -e smpp.command_id 2>/dev/null | tr ',' '\n' | grep -c .
}

port=$(free_port)
cap=$T_TMP/traffic.pcapng
capture "$port" "$cap" || { echo "Bail out! tshark could not capture on lo"; exit 1; }

# The daemon and clean MO traffic.
"$SIM" --port "$port" --system-id tawasul --password secret --log warn \
	--scenario "$top_srcdir/tests/integration/scenarios/clean_traffic.scn" >"$T_TMP/sim.out" 2>&1 &
SPID=$!
T_PIDS="$T_PIDS $SPID"
wait_for 10 grep -q '^sim listening' "$T_TMP/sim.out"
admin=$(free_port)
write_conf "$T_TMP/d.conf" "$admin"
cat >>"$T_TMP/d.conf" <<CONF
[smsc sim]
host = 127.0.0.1
port = $port
system_id = tawasul
password = secret
enquire_link = 300ms
CONF
sed -i 's/^log_level = .*/log_level = info,smpp=debug/' "$T_TMP/d.conf"
start_daemon "$T_TMP/d.conf" "$T_TMP/d.log"
check "daemon took every MO" wait_for 20 bash -c "[ \$(grep -c 'link=sim mo=' '$T_TMP/d.log') -ge 10 ]"
n=$(grep -c 'send=enquire_link ' "$T_TMP/d.log")
check "daemon sends its own enquire_link when idle" wait_for 5 bash -c "[ \$(grep -c 'send=enquire_link ' '$T_TMP/d.log') -gt $n ]"
kill -TERM "$DPID"
wait "$SPID"
rc=$?
check "clean scenario met every expectation" [ $rc -eq 0 ]
[ $rc -eq 0 ] || grep -v '^{' "$T_TMP/sim.out" | tail -n 5 | diag
wait "$DPID"

# A throttled submit storm through the link layer, with receipts.
"$SIM" --port "$port" --system-id tawasul --password secret --log warn \
	--throttle-every 5 --dlr >"$T_TMP/sim2.out" 2>&1 &
SPID=$!
T_PIDS="$T_PIDS $SPID"
wait_for 10 grep -q '^sim listening' "$T_TMP/sim2.out"
check "submit storm accepted" timeout 60 "$PROBE" "$port" 200 7
kill -TERM "$SPID"
wait "$SPID"
end_capture

n=$(smpp_count "$cap" "$port")
check "the dissector decoded the traffic ($n SMPP PDUs)" [ "$n" -gt 400 ]
bad=$(problems "$cap" "$port")
if [ -z "$bad" ]; then
	ok "no malformed PDU, no expert warning"
else
	not_ok "no malformed PDU, no expert warning"
	head -n 20 <<<"$bad" | diag
fi

# Long Arabic replies (SPEC §3): the daemon's MTs go out as UCS-2 parts
# behind a concatenation UDH, and Wireshark's GSM SMS reassembly joins
# them to exactly the text in the outbox.
port3=$(free_port)
cap3=$T_TMP/mt.pcapng
capture "$port3" "$cap3"
cat >"$T_TMP/mt.scn" <<'SCN'
expect bind_transceiver timeout=10s
send mo from=97366300001 to=80008001 ucs2="شكوى انقطاع الماء في الحي منذ يومين"
expect deliver_sm_resp status=0 timeout=20s
send mo from=97366300002 to=80008001 ucs2="مساعدة"
expect deliver_sm_resp status=0 timeout=20s
send mo from=97366300003 to=80008001 text="hello there"
expect deliver_sm_resp status=0 timeout=20s
expect submit_sm dst=97366300003 timeout=10s
wait 1s
SCN
"$SIM" --port "$port3" --system-id tawasul --password secret --log warn \
	--redeliver-ms 300 --scenario "$T_TMP/mt.scn" >"$T_TMP/sim4.out" 2>&1 &
SPID=$!
T_PIDS="$T_PIDS $SPID"
wait_for 10 grep -q '^sim listening' "$T_TMP/sim4.out"
write_conf "$T_TMP/m.conf" "$(free_port)"
add_sim_link "$T_TMP/m.conf" "$port3"
own_db "$T_TMP/m.conf" || { echo "Bail out! database not prepared"; exit 1; }
start_daemon "$T_TMP/m.conf" "$T_TMP/m.log"
wait "$SPID"
check "replies scenario met every expectation" [ $? -eq 0 ]
kill -TERM "$DPID"
wait "$DPID"
end_capture
# "COUNT TEXT" per message Wireshark joined from parts
tshark -r "$cap3" -d "tcp.port==$port3,smpp" -Y 'gsm_sms_ud.reassembled.length' \
	-T fields -e gsm_sms_ud.fragment.count -e gsm_sms_ud.short_msg 2>/dev/null |
	python3 -c '
import sys
for line in sys.stdin:
    count, body = line.rstrip("\n").split("\t")
    print(count, bytes.fromhex(body.replace(":", "")).decode("utf-16-be").replace("\n", "\\n"))
' >"$T_TMP/joined.txt"
n=$(wc -l <"$T_TMP/joined.txt")
check "two long Arabic replies reassembled by Wireshark ($n)" [ "$n" = 2 ]
for m in 97366300001 97366300002; do
	want=$(sql "SELECT replace(body, E'\n', '\n') FROM outbox WHERE msisdn = '$m'")
	check "reply to $m: reassembled text is exactly the outbox text" grep -qxF -- "$want" <(cut -d' ' -f2- "$T_TMP/joined.txt")
done
check "each went out in at least 2 UCS-2 parts" bash -c "! awk '\$1 < 2' '$T_TMP/joined.txt' | grep -q ."
check "UCS-2 parts carry data_coding 8" [ "$(tshark -r "$cap3" -d "tcp.port==$port3,smpp" -Y 'smpp.command_id == 0x00000004 && smpp.data_coding == 8' -T fields -e frame.number 2>/dev/null | wc -l)" -ge 4 ]
bad=$(problems "$cap3" "$port3")
check "replies: no malformed PDU, no expert warning" [ -z "$bad" ]

# The check can fail: one PDU whose command_length lies.
port2=$(free_port)
cap2=$T_TMP/broken.pcapng
capture "$port2" "$cap2"
"$SIM" --port "$port2" --system-id tawasul --password secret --log warn >"$T_TMP/sim3.out" 2>&1 &
SPID=$!
T_PIDS="$T_PIDS $SPID"
wait_for 10 grep -q '^sim listening' "$T_TMP/sim3.out"
# enquire_link whose command_length (0x20) claims more than is sent
printf '\x00\x00\x00\x10\x00\x00\x00\x15\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x14\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00' >"$T_TMP/broken.bin"
timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port2; cat '$T_TMP/broken.bin' >&3; sleep 0.5" || true
kill -TERM "$SPID"
wait "$SPID"
end_capture
check "control: a broken PDU is flagged by the same check" [ -n "$(problems "$cap2" "$port2")" ]

t_done
