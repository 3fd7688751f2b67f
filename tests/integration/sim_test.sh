#!/bin/bash
# sim_test.sh - tawasul-smsc-sim against a scripted ESME (esme_probe):
# binds accepted and refused (credentials, ESME_RALYBND, bind state),
# enquire_link, submit_sm -> resp + delivery receipt (hex/decimal ids),
# unbind; scenario expectations (pass and a clear failure); throttle /
# queue-full / drop / delay / mute faults; malformed PDUs of every named
# kind; concatenated MOs (UCS-2 parts sent 3,1,2; 16-bit UDH; SAR;
# message_payload) and USSD; redelivery after ESME_RX_T_APPN; parts
# spread over two receivers; the JSON summary; the flood; the console.
. "$top_srcdir/tests/integration/lib.sh"

SIM=${SIM:-$top_builddir/tawasul-smsc-sim}
PROBE=${PROBE:-$top_builddir/tests/integration/esme_probe}
for p in "$SIM" "$PROBE"; do
	[ -x "$p" ] || {
		echo "Bail out! $p not built"
		exit 1
	}
done

# start_sim NAME ARGS...: the simulator on an ephemeral port; output in
# $T_TMP/NAME.out (stdout) and NAME.err; sets SPID and SPORT.
start_sim() {
	local name=$1
	shift
	"$SIM" --port 0 "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
	SPID=$!
	T_PIDS="$T_PIDS $SPID"
	if ! wait_for 5 grep -q '^sim listening port=[0-9]' "$T_TMP/$name.out"; then
		echo "Bail out! simulator $name did not start"
		diag <"$T_TMP/$name.err"
		exit 1
	fi
	SPORT=$(sed -n 's/^sim listening port=//p' "$T_TMP/$name.out")
}

# sim_exit SECONDS: waits for $SPID to end; sets SRC to its exit status.
sim_exit() {
	SRC=255
	wait_for "$1" bash -c "! kill -0 $SPID" || return 1
	wait "$SPID"
	SRC=$?
}

# probe NAME: runs $T_TMP/NAME.probe against $SPORT; log in NAME.log.
probe() {
	timeout 30 "$PROBE" -p "$SPORT" "$T_TMP/$1.probe" >"$T_TMP/$1.log" 2>&1
}

# json NAME: the summary line of NAME's stdout.
json() { grep '^{"connections"' "$T_TMP/$1.out"; }

# texts_for NAME DEST: the accepted texts for DEST in the summary, in order.
texts_for() {
	json "$1" | grep -o "\"$2\":\[[^]]*\]" | grep -o '"text":"[^"]*"' |
		sed 's/"text":"//; s/"$//' | paste -sd '|' -
}

fail_diag() {
	diag <"$T_TMP/$1.out"
	tail -n 20 "$T_TMP/$1.err" | diag
	[ -f "$T_TMP/$1.log" ] && diag <"$T_TMP/$1.log"
	return 0
}

# ---- 1. a scripted session: bind, enquire_link, submit + receipt, unbind
cat >"$T_TMP/basic.scn" <<'EOF'
# the ESME's side of a normal session
expect connect
expect bind_transceiver system_id=tawasul password=secret
expect enquire_link
expect submit_sm src=80008001 dst=97333000001 rd=1 dcs=0 text="hello world"
expect deliver_sm_resp status=0
expect submit_sm dst=97333000002 dcs=8 text~="شكرا"
expect unbind
expect disconnect
EOF
cat >"$T_TMP/basic.probe" <<'EOF'
bind trx tawasul secret
wait bind_transceiver_resp status=0
enquire
wait enquire_link_resp
submit 80008001 97333000001 text="hello world" rd=1
wait submit_sm_resp status=0
wait deliver_sm
submit 80008001 97333000002 ucs2="شكرا لكم"
wait submit_sm_resp status=0
unbind
wait unbind_resp
closed
EOF
start_sim basic --system-id tawasul --password secret --dlr --scenario "$T_TMP/basic.scn"
check "basic: the probe's session runs to the end" probe basic
sim_exit 5
check "basic: scenario passes, exit 0" [ "$SRC" = 0 ]
check "basic: 'scenario ok' reported" grep -q '^scenario ok steps=8$' "$T_TMP/basic.out"
check "basic: bind answered with the SMSC's id" grep -q '^< bind_transceiver_resp seq=1 status=0x0 system_id=TAWASULSIM$' "$T_TMP/basic.log"
check "basic: enquire_link answered" grep -q '^< enquire_link_resp seq=2 status=0x0' "$T_TMP/basic.log"
check "basic: submit_sm_resp carries a hex message id" grep -q '^< submit_sm_resp seq=3 status=0x0 msgid=2a000001$' "$T_TMP/basic.log"
check "basic: receipt is deliver_sm esm 0x04 with receipted_message_id and message_state" \
	grep -qE '^< deliver_sm .* src=97333000001 dst=80008001 esm=0x04 dcs=0 rid=2a000001 state=2 ' "$T_TMP/basic.log"
check "basic: receipt text in the standard form" \
	grep -qE 'text="id:2a000001 sub:001 dlvrd:001 submit date:[0-9]{10} done date:[0-9]{10} stat:DELIVRD err:000 text:hello world"' "$T_TMP/basic.log"
check "basic: no receipt when registered_delivery is 0" [ "$(grep -c '^< deliver_sm ' "$T_TMP/basic.log")" = 1 ]
check "basic: unbind answered, then the SMSC closes" grep -q '^< unbind_resp' "$T_TMP/basic.log"
check "basic: summary counts the binds" bash -c "grep -q '\"binds\":{\"ok\":1,\"refused\":0,\"transceiver\":1' <<<'$(json basic)'"
check "basic: summary lists both destinations" [ "$(texts_for basic 97333000001)/$(texts_for basic 97333000002)" = "hello world/شكرا لكم" ]
check "basic: summary keeps the body hex and data_coding" \
	grep -q '"dcs":8,"esm":0,"registered_delivery":0,"hex":"06340643063106270020064406430645"' "$T_TMP/basic.out"
[ "$SRC" = 0 ] || fail_diag basic

# ---- 2. receipt ids in decimal, submit ids in hex (and --msgid dec)
cat >"$T_TMP/ids.probe" <<'EOF'
bind trx any thing
wait bind_transceiver_resp status=0
submit 80008001 97333000001 text="x" rd=1
wait submit_sm_resp
wait deliver_sm
EOF
start_sim ids --dlr --dlr-id dec
probe ids
kill -TERM "$SPID"
sim_exit 5
check "ids: hex id in the response, decimal id in the receipt" \
	bash -c "grep -q 'msgid=2a000001\$' '$T_TMP/ids.log' && grep -q 'rid=704643073 ' '$T_TMP/ids.log' && grep -q 'text=\"id:704643073 ' '$T_TMP/ids.log'"
check "ids: SIGTERM exits 0 with a summary" bash -c "[ $SRC = 0 ] && grep -q '^{\"connections\":1,' '$T_TMP/ids.out'"
start_sim idsdec --dlr --msgid dec
probe ids
kill -TERM "$SPID"
sim_exit 5
check "ids: --msgid dec answers decimal ids" grep -q 'msgid=704643073$' "$T_TMP/ids.log"

# ---- 3. bind refusals, ESME_RALYBND, bind state
cat >"$T_TMP/binds.probe" <<'EOF'
bind trx tawasul wrong
wait bind_transceiver_resp status=0xe
bind trx other secret
wait bind_transceiver_resp status=0xf
submit 80008001 97333000001 text="too early"
wait submit_sm_resp status=0x4
bind tx tawasul secret
wait bind_transmitter_resp status=0
bind rx tawasul secret
wait bind_receiver_resp status=0x5
submit 80008001 97333000001 text="as transmitter"
wait submit_sm_resp status=0
EOF
cat >"$T_TMP/rxonly.probe" <<'EOF'
bind rx tawasul secret
wait bind_receiver_resp status=0
submit 80008001 97333000001 text="receivers cannot submit"
wait submit_sm_resp status=0x4
EOF
start_sim binds --system-id tawasul --password secret
check "binds: wrong password ESME_RINVPASWD, wrong system_id ESME_RINVSYSID, second bind ESME_RALYBND" probe binds
check "binds: a receiver's submit_sm is refused ESME_RINVBNDSTS" probe rxonly
kill -TERM "$SPID"
sim_exit 5
check "binds: summary counts 2 accepted, 3 refused" bash -c "grep -q '\"binds\":{\"ok\":2,\"refused\":3,\"transceiver\":0,\"transmitter\":1,\"receiver\":1}' '$T_TMP/binds.out'"
check "binds: only the accepted submit is listed" [ "$(texts_for binds 97333000001)" = "as transmitter" ]
[ "$SRC" = 0 ] || fail_diag binds

# ---- 4. throttle / queue full: scenario counts and command-line flags
cat >"$T_TMP/thr.scn" <<'EOF'
expect bind_transceiver
fault throttle 2
fault queue_full 1
expect submit_sm text="one"
expect submit_sm text="one"
expect submit_sm text="one"
expect submit_sm text="one"
expect submit_sm text="two"
expect unbind
EOF
cat >"$T_TMP/thr.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
submit 80008001 97333000001 text="one"
wait submit_sm_resp status=0x58
submit 80008001 97333000001 text="one"
wait submit_sm_resp status=0x58
submit 80008001 97333000001 text="one"
wait submit_sm_resp status=0x14
submit 80008001 97333000001 text="one"
wait submit_sm_resp status=0
submit 80008001 97333000001 text="two"
wait submit_sm_resp status=0
unbind
closed
EOF
start_sim thr --scenario "$T_TMP/thr.scn"
check "throttle: next 2 ESME_RTHROTTLED, then 1 ESME_RMSGQFUL, then accepted" probe thr
sim_exit 5
check "throttle: scenario passes" [ "$SRC" = 0 ]
check "throttle: summary counts them and lists only accepted submits, in order" \
	bash -c "grep -q '\"submits\":{\"received\":5,\"accepted\":2,\"data_sm\":0,\"throttled\":2,\"queue_full\":1' '$T_TMP/thr.out' && [ \"\$(grep -o '\"97333000001\":\[[^]]*\]' '$T_TMP/thr.out' | grep -o '\"text\":\"[a-z]*\"' | paste -sd ' ' -)\" = '\"text\":\"one\" \"text\":\"two\"' ]"
[ "$SRC" = 0 ] || fail_diag thr

cat >"$T_TMP/every.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
submit 80008001 97333000001 text="m1"
wait submit_sm_resp status=0
submit 80008001 97333000001 text="m2"
wait submit_sm_resp status=0x14
submit 80008001 97333000001 text="m3"
wait submit_sm_resp status=0x58
submit 80008001 97333000001 text="m4"
wait submit_sm_resp status=0x14
submit 80008001 97333000001 text="m5"
wait submit_sm_resp status=0
submit 80008001 97333000001 text="m6"
wait submit_sm_resp status=0x58
EOF
start_sim every --throttle-every 3 --queue-full-every 2
check "flags: --throttle-every 3 and --queue-full-every 2" probe every
kill -TERM "$SPID"
sim_exit 5
check "flags: summary lists m1 and m5" [ "$(texts_for every 97333000001)" = "m1|m5" ]
start_sim everyall --throttle-every 3 --queue-full-every 2 --record-all
probe every
kill -TERM "$SPID"
sim_exit 5
check "flags: --record-all lists refused submits too, with their status" \
	bash -c "[ \"\$(grep -o '\"97333000001\":\[[^]]*\]' '$T_TMP/everyall.out' | grep -o '\"src\":\"80008001\"\(,\"status\":[0-9]*\)\?' | sed 's/.*status\":/s/; s/.*80008001\"/ok/' | paste -sd ' ' -)\" = 'ok s20 s88 s20 ok s88' ]"

# ---- 5. drop, delay, mute enquire_link
cat >"$T_TMP/drop.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
submit 80008001 97333000001 text="first"
wait submit_sm_resp status=0
submit 80008001 97333000001 text="second"
closed timeout=3000
EOF
start_sim drop --drop-after 2
probe drop
check "drop: --drop-after 2 closes the connection at the 2nd submit, unanswered" \
	bash -c "[ \$(grep -c '^< submit_sm_resp' '$T_TMP/drop.log') = 1 ] && grep -q '^\* closed by peer' '$T_TMP/drop.log'"
kill -TERM "$SPID"
sim_exit 5
check "drop: summary counts the dropped connection" grep -q '"dropped_connections":1' "$T_TMP/drop.out"

cat >"$T_TMP/delay.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
enquire
wait enquire_link_resp
EOF
start_sim delay --delay-ms 300
t0=$(now_ms)
probe delay
el=$(($(now_ms) - t0))
check "delay: --delay-ms 300 holds both responses ($el ms >= 600)" [ "$el" -ge 600 ]
kill -TERM "$SPID"
sim_exit 5

cat >"$T_TMP/mute.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
enquire
wait enquire_link_resp timeout=500
EOF
start_sim mute --mute-enquire
probe mute
rc=$?
check "mute: --mute-enquire leaves enquire_link unanswered" bash -c "[ $rc = 1 ] && grep -q '^! timeout waiting for enquire_link_resp' '$T_TMP/mute.log'"
kill -TERM "$SPID"
sim_exit 5
check "mute: summary counts the muted enquire_link" grep -q '"enquire_link":{"received":1,"answered":0,"muted":1}' "$T_TMP/mute.out"

# ---- 6. malformed PDUs of every kind; the link stays usable
cat >"$T_TMP/mal.scn" <<'EOF'
expect bind_transceiver
fault malformed bad_length_0
expect generic_nack status=0x2
fault malformed bad_length_15
expect generic_nack status=0x2
fault malformed bad_length_4097
expect generic_nack status=0x2
fault malformed truncated_tlv
expect generic_nack status=0xc0
fault malformed many_tlvs_100
expect generic_nack status=0xc0
fault malformed missing_nul
expect generic_nack status=0x1
fault malformed unknown_cmd
expect generic_nack status=0x3
fault malformed bad_tlv_len
expect generic_nack status=0xc2
fault malformed sm_overrun
expect generic_nack status=0x1
send mo from=97333000001 to=80008001 text="still alive"
expect deliver_sm_resp status=0
send raw 00000010 00000015 00000000 00000063
expect enquire_link_resp
send enquire_link
expect enquire_link_resp
fault malformed bad_length_huge
expect generic_nack status=0x2
expect unbind
EOF
cat >"$T_TMP/mal.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
wait undecodable count=9
wait deliver_sm
wait enquire_link count=2
wait undecodable
unbind
wait unbind_resp
EOF
start_sim mal --scenario "$T_TMP/mal.scn" --log debug
check "malformed: the probe sees all ten and answers them" probe mal
sim_exit 5
check "malformed: scenario passes (each answered generic_nack with its status)" [ "$SRC" = 0 ]
check "malformed: bad lengths 0, 15, 4097, 2^31-1 reach the ESME" \
	bash -c "[ \"\$(grep -o '^< bad_length command_length=[0-9]*' '$T_TMP/mal.log' | paste -sd ' ')\" = '< bad_length command_length=0 < bad_length command_length=15 < bad_length command_length=4097 < bad_length command_length=2147483647' ]"
check "malformed: unknown command id reaches the ESME" grep -q '^< undecodable len=20 cmd=0x00000099 status=0x3' "$T_TMP/mal.log"
check "malformed: an MO after them still goes through" grep -q 'text="still alive"' "$T_TMP/mal.log"
check "malformed: summary counts 10 malformed and the nacks received" \
	bash -c "grep -q '\"nacks\":{\"sent\":0,\"received\":10}' '$T_TMP/mal.out' && grep -q '\"malformed_sent\":10,\"raw_sent\":1' '$T_TMP/mal.out'"
check "malformed: every log line is key=value with ts, lvl and cat" \
	bash -c "grep -q . '$T_TMP/mal.err' && ! grep -vE '^ts=[0-9T:.-]+Z lvl=[a-z]+ cat=[a-z]+ [a-z_]+=' '$T_TMP/mal.err'"
[ "$SRC" = 0 ] || fail_diag mal

# ---- 7. concatenated MOs in any order, by every method; USSD
AR="السلام عليكم، أود تقديم شكوى بخصوص تأخر معاملة الترخيص التجاري في الوزارة منذ ثلاثة أشهر دون أي رد، وأرجو المتابعة العاجلة مع الجهة المختصة"
cat >"$T_TMP/mo.scn" <<EOF
expect bind_receiver
send mo from=97333000001 to=80008001 parts=3 order=3,1,2 ref=42 ucs2="$AR"
send mo from=97333000002 to=80008001 parts=2 order=2,1 udh=16 ref=4660 text="Part one of a GSM text with {braces} and the euro sign €, then part two."
send mo from=97333000003 to=80008001 parts=3 order=2,3,1 udh=sar ref=513 ucs2="$AR"
send mo from=97333000004 to=80008001 udh=payload ucs2="$AR"
send mo from=97333000005 to=80008001 text="$(printf 'x%.0s' $(seq 200))"
send ussd from=97333000006 to=*8001# op=1 session=0x1234 text="*8001#"
send ussd from=97333000006 to=*8001# op=18 session=0x1236 ucs2="١"
EOF
for i in $(seq 13); do echo "expect deliver_sm_resp status=0" >>"$T_TMP/mo.scn"; done
echo "expect unbind" >>"$T_TMP/mo.scn"
cat >"$T_TMP/mo.probe" <<'EOF'
bind rx a b
wait bind_receiver_resp
wait deliver_sm count=13
unbind
wait unbind_resp
EOF
start_sim mo --scenario "$T_TMP/mo.scn"
check "mo: 13 deliver_sm received and acknowledged" probe mo
sim_exit 5
check "mo: scenario passes" [ "$SRC" = 0 ]
# seq_of SRC KIND: the concatenation sequence numbers of SRC's parts as sent
seq_of() { grep "src=$1 " "$T_TMP/mo.log" | grep -o "concat=$2/[0-9]*/[0-9]*/[0-9]*" | sed 's|.*/||' | paste -sd ' ' -; }
# joined SRC: the parts' texts joined in sequence order
joined() { grep "src=$1 " "$T_TMP/mo.log" | sed -E 's|.*concat=[a-z0-9]+/[0-9]+/[0-9]+/([0-9]+).* text="(.*)" hex=.*|\1 \2|' | sort -n | cut -d' ' -f2- | tr -d '\n'; }
check "mo: UCS-2 parts by 8-bit UDH arrive in the order 3,1,2" [ "$(seq_of 97333000001 udh8)" = "3 1 2" ]
check "mo: UCS-2 parts carry data_coding 8, reference 42, total 3" [ "$(grep -c 'src=97333000001 .*esm=0x40 dcs=8 concat=udh8/42/3/' "$T_TMP/mo.log")" = 3 ]
check "mo: the UCS-2 parts join back to the text" [ "$(joined 97333000001)" = "$AR" ]
check "mo: 16-bit UDH parts arrive 2,1 with reference 4660" [ "$(seq_of 97333000002 udh16)" = "2 1" ]
check "mo: GSM text with escapes joins back" [ "$(joined 97333000002)" = "Part one of a GSM text with {braces} and the euro sign €, then part two." ]
check "mo: SAR parts arrive 2,3,1 with reference 513" [ "$(seq_of 97333000003 sar)" = "2 3 1" ]
check "mo: SAR parts join back" [ "$(joined 97333000003)" = "$AR" ]
check "mo: message_payload carries the whole text in one deliver_sm" grep -q "src=97333000004 .*dcs=8 payload=[0-9]* text=\"$AR\"" "$T_TMP/mo.log"
check "mo: 200 GSM characters split into 153 + 47 automatically" [ "$(seq_of 97333000005 udh8)" = "1 2" ]
check "mo: USSD begin with service_type, ussd_service_op and its_session_info" grep -q 'svc=USSD src=97333000006 dst=\*8001# esm=0x00 dcs=0 op=1 session=0x1234 text="\*8001#"' "$T_TMP/mo.log"
check "mo: USSD user reply, UCS-2" grep -q 'svc=USSD src=97333000006 .* dcs=8 op=18 session=0x1236 text="١"' "$T_TMP/mo.log"
[ "$SRC" = 0 ] || fail_diag mo

# ---- 8. a failed expectation is one clear line and exit 1
cat >"$T_TMP/bad.scn" <<'EOF'
expect bind_transceiver timeout=10s
expect submit_sm dst=97399999999
EOF
cat >"$T_TMP/bad.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
submit 80008001 97333000001 text="not that one"
wait submit_sm_resp
closed timeout=5000
EOF
start_sim bad --scenario "$T_TMP/bad.scn" --timeout 1000
probe bad
sim_exit 5
check "failure: exit status 1" [ "$SRC" = 1 ]
check "failure: one line naming the step, the timeout and what came instead" \
	grep -q '^scenario failed line=2: expect submit_sm dst="97399999999": not received within 1000 ms; last seen: submit_sm conn=1 seq=2 .*dst=97333000001 .*text="not that one"$' "$T_TMP/bad.out"
printf 'expect submit_sm\nsend mo from=1 to=2 text="abc" parts=5\n' >"$T_TMP/parse.scn"
"$SIM" --scenario "$T_TMP/parse.scn" --check >/dev/null 2>"$T_TMP/parse.err"
rc=$?
check "failure: a bad scenario file is refused with FILE:LINE (exit 2)" \
	bash -c "[ $rc = 2 ] && grep -q 'parse.scn:2: send: text too short for that many parts' '$T_TMP/parse.err'"

# ---- 9. redelivery after ESME_RX_T_APPN
cat >"$T_TMP/redel.scn" <<'EOF'
expect bind_transceiver
send mo from=97333000001 to=80008001 text="keep me"
expect deliver_sm_resp status=0x64
expect deliver_sm_resp status=0
expect unbind
EOF
cat >"$T_TMP/redel.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
ack 0x64
wait deliver_sm
ack 0
wait deliver_sm
unbind
wait unbind_resp
EOF
start_sim redel --scenario "$T_TMP/redel.scn" --redeliver-ms 100
probe redel
sim_exit 5
check "redeliver: ESME_RX_T_APPN makes the SMSC send the MO again" \
	bash -c "[ $SRC = 0 ] && [ \$(grep -c 'text=\"keep me\"' '$T_TMP/redel.log') = 2 ]"
check "redeliver: summary counts it" grep -q '"deliver_sm":{"sent":2,"acked":1,"errors":1,"redelivered":1,"lost":0,"pending":0}' "$T_TMP/redel.out"

# ---- 10. parts spread over two receivers (two links of one gateway)
cat >"$T_TMP/spread.scn" <<'EOF'
expect bind_receiver
expect bind_receiver
send mo from=97333000001 to=80008001 parts=4 spread=1 text="one two three four five six seven eight"
expect deliver_sm_resp
expect deliver_sm_resp
expect deliver_sm_resp
expect deliver_sm_resp
EOF
printf 'bind rx a b\nwait bind_receiver_resp\nwait deliver_sm count=2\nclosed\n' >"$T_TMP/spread1.probe"
cp "$T_TMP/spread1.probe" "$T_TMP/spread2.probe"
start_sim spread --scenario "$T_TMP/spread.scn"
probe spread1 &
p1=$!
probe spread2 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
sim_exit 5
check "spread: each receiver gets two of the four parts" \
	bash -c "[ $r1 = 0 ] && [ $r2 = 0 ] && [ $SRC = 0 ] && [ \$(grep -c '^< deliver_sm ' '$T_TMP/spread1.log') = 2 ] && [ \$(grep -c '^< deliver_sm ' '$T_TMP/spread2.log') = 2 ]"

# ---- 11. flood: rate and latency of MO -> first MT
printf 'bind trx a b\nwait bind_transceiver_resp\nquiet\nautoreply\nclosed timeout=20000\n' >"$T_TMP/flood.probe"
start_sim flood --flood 300 --window 10 --numbers 30
probe flood
sim_exit 10
check "flood: exits 0 when every MO was answered" [ "$SRC" = 0 ]
check "flood: JSON with 300 replied, no timeout, rate and percentiles" \
	grep -qE '^\{"flood":\{"mos":300,"sent":300,"replied":300,"timeouts":0,"failed":0,"deliver_errors":0,"extra_mt":0,"unsent":0,"numbers":30,"window":10,"elapsed_ms":[0-9.]+,"rate":[0-9.]+,"latency_ms":\{"p50":[0-9.]+,"p90":[0-9.]+,"p99":[0-9.]+,"max":[0-9.]+\}\}\}$' "$T_TMP/flood.out"
[ "$SRC" = 0 ] || fail_diag flood

# ---- 12. the phone console
cat >"$T_TMP/console.in" <<'EOF'
97333000001> hello from a phone
:as 97333000002
مرحبا، أريد تقديم شكوى
*8001#
1
EOF
cat >"$T_TMP/console.probe" <<'EOF'
bind trx a b
wait bind_transceiver_resp
wait deliver_sm count=4
submit 80008001 97333000001 text="Your reference is 483 920 1753"
wait submit_sm_resp
submit 80008001 97333000002 hex=05000377020106450631062d06280627 esm=0x40 dcs=8
submit 80008001 97333000002 hex=0500037702020020062806430645 esm=0x40 dcs=8
wait submit_sm_resp count=2
submit *8001# 97333000002 text="Thank you. Goodbye" op=17 session=0x0103
wait submit_sm_resp
closed timeout=10000
EOF
"$SIM" --port 0 --console <"$T_TMP/console.in" >"$T_TMP/console.out" 2>"$T_TMP/console.err" &
SPID=$!
T_PIDS="$T_PIDS $SPID"
wait_for 5 grep -q '^sim listening port=' "$T_TMP/console.out"
SPORT=$(sed -n 's/^sim listening port=//p' "$T_TMP/console.out")
check "console: the probe exchanges messages until the console leaves" probe console
sim_exit 10
check "console: exits 0 once stdin is done and all went out" [ "$SRC" = 0 ]
check "console: 'NUMBER> text' sends GSM text as data_coding 0" grep -q 'src=97333000001 dst=80008001 esm=0x00 dcs=0 text="hello from a phone"' "$T_TMP/console.log"
check "console: Arabic goes as UCS-2 from the :as number" grep -q 'src=97333000002 dst=80008001 esm=0x00 dcs=8 text="مرحبا، أريد تقديم شكوى"' "$T_TMP/console.log"
check "console: *8001# starts a USSD dialogue" grep -q 'svc=USSD src=97333000002 dst=\*8001# .*op=1 session=0x0100 text="\*8001#"' "$T_TMP/console.log"
check "console: the next line is the user's USSD reply" grep -q 'svc=USSD src=97333000002 dst=\*8001# .*op=18 session=0x0100 text="1"' "$T_TMP/console.log"
check "console: an MT prints decoded" grep -q '^< 97333000001: Your reference is 483 920 1753$' "$T_TMP/console.out"
check "console: concatenated UCS-2 parts print joined" grep -q '^< 97333000002: مرحبا بكم$' "$T_TMP/console.out"
check "console: a USSD end screen ends the dialogue" \
	bash -c "grep -q '^< 97333000002 \[USSD\]: Thank you. Goodbye$' '$T_TMP/console.out' && grep -q 'USSD \*8001#: dialogue ended' '$T_TMP/console.out'"
[ "$SRC" = 0 ] || fail_diag console

t_done
