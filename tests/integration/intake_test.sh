#!/bin/bash
# intake_test.sh - SMS intake end to end (SPEC §2-§5, §7, §8) through the
# SMSC simulator, with a real Redis and PostgreSQL: cases filed in both
# languages (explicit entity, alias in the text, triage), suggestions and
# enquiries, long MOs joined from parts (3-part Arabic UDH out of order,
# 2-part SAR, 16-bit UDH, a missing part delivered with a gap marker after
# the timeout), duplicates, STATUS by owner and stranger, mistyped
# references, MY, INFO, STOP/START/HELP/AR/EN, the guided flow, Arabic-
# Indic digits, rate limits and the loop guard.
#
# Each phase is one simulator scenario on the same port; the daemon stays
# bound across phases (it rebinds to the next simulator). Replies are read
# from the simulator's summary, cases from PostgreSQL.
. "$top_srcdir/tests/integration/lib.sh"

SIM=$top_builddir/tawasul-smsc-sim
: "${TAWASUL_REDIS_PORT:?}" "${TAWASUL_PG_CONNINFO:?}"
SC=80008001
SIM_PORT=$(free_port)

# phase NAME: runs scenario $T_TMP/NAME.scn to its end; summary NAME.json.
phase() {
	"$SIM" --port "$SIM_PORT" --system-id tawasul --password secret \
		--redeliver-ms 300 --log warn --scenario "$T_TMP/$1.scn" \
		--summary "$T_TMP/$1.json" >"$T_TMP/$1.out" 2>&1 &
	SPID=$!
	T_PIDS="$T_PIDS $SPID"
	wait_for 10 grep -q '^sim listening' "$T_TMP/$1.out"
	wait "$SPID"
	local rc=$?
	check "phase $1: every expectation met" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || grep -v '^{' "$T_TMP/$1.out" | tail -n 5 | diag
}

# replies PHASE MSISDN: the texts the simulator received for MSISDN, one
# per line, the parts of a concatenated SMS joined (newlines inside a
# text as \n).
replies() {
	jq -r --arg d "$2" '.destinations[$d] // []
		| reduce .[] as $m ([]; if ($m.concat and $m.concat.seq > 1)
			then .[-1] += $m.text else . + [$m.text] end)
		| .[] | gsub("\n"; "\\n")' "$T_TMP/$1.json"
}

# expect_replies MSISDN N [FILTER]: N replies (one part each) to MSISDN.
expect_replies() {
	local i
	for ((i = 0; i < $2; i++)); do
		echo "expect submit_sm dst=$1 ${3:-}timeout=20s"
	done
}

# mo FROM BODY...: one MO and its deliver_sm_resp 0 (the next one is sent
# only once this one is committed).
mo() {
	local from=$1
	shift
	printf 'send mo from=%s to=%s %s\nexpect deliver_sm_resp status=0 timeout=20s\n' "$from" "$SC" "$*"
}

admin=$(free_port)
conf=$T_TMP/d.conf
write_conf "$conf" "$admin"
add_sim_link "$conf" "$SIM_PORT" enquire_link=1s reconnect_min=100ms reconnect_max=300ms
sed -i 's/^log_level = .*/log_level = info\nlimit_cases_per_day = 8\nlimit_lookups_per_hour = 8\nreassembly_timeout = 2s\nreassembly_sweep = 500ms/' "$conf"
own_db "$conf" || { echo "Bail out! database not prepared"; exit 1; }
# Tomorrow is a public holiday (Bahrain time, as the daemon counts days);
# the due dates and the daily limit are checked on one Bahrain day.
avoid_midnight Asia/Bahrain 180
sql "INSERT INTO holidays VALUES ((now() AT TIME ZONE 'Asia/Bahrain')::date + 1, 'test holiday')" >/dev/null
start_daemon "$conf" "$T_TMP/d.log"
wait_for 15 log_has "$T_TMP/d.log" 'cat=main state=ready' || {
	echo "Bail out! daemon not ready"
	diag <"$T_TMP/d.log"
	exit 1
}

A=97366100001 B=97366100002 C=97366100003 D=97366100004 E=97366100005
F=97366100006 G=97366100007 H=97366100008 I=97366100009 X=97366100010
K=97366100011 L=97366100012 M=97366100013 N=97366100014 O=97366100015
P=97366100016 Q=97366100017 R=97366100018 S=97366100019 V=97366100021
FLASH_TEXT="شكوى الماء مقطوع"
FLASH=$(python3 -c 'import sys; print(sys.argv[1].encode("utf-16-be").hex())' "$FLASH_TEXT")

AR_LONG="شكوى أود الإبلاغ عن انقطاع الكهرباء المتكرر في منطقتنا منذ أسبوعين، وقد تضررت الأجهزة المنزلية بسبب تذبذب التيار، نرجو إرسال فريق فني لفحص المحول القريب من المسجد في أقرب وقت ممكن"
SAR_TEXT="S it would help families a lot if the buses to the university ran every fifteen minutes in the morning and also later in the evening after the last lectures end"

# ---- phase 1: filing -----------------------------------------------------
{
	echo "expect bind_transceiver timeout=10s"
	mo $A 'text="C EWA no water since this morning"'
	mo $A 'text="COMPLAINT the street lights near the school are off"'
	mo $A 'text="C my neighbour is very noisy at night"'
	mo $A 'text="S please add more buses on weekends"'
	mo $A 'text="Q how do I renew my passport"'
	mo $A 'text="Q how do I renew my passport"'
	mo $B 'ucs2="شكوى كهرباء انقطاع متكرر"'
	mo $B 'ucs2="شكوى انقطاع الماء في الحي منذ يومين"'
	mo $B 'ucs2="شكوى الجيران يزعجوننا كل ليلة"'
	mo $B 'ucs2="اقتراح زيادة الحافلات في الصباح"'
	mo $B 'ucs2="استفسار عن موعد صرف المعاش"'
	mo $C 'text="the road outside my house has a big hole"'
	mo $C 'text="1"'
	mo $D 'ucs2="الشارع مكسور أمام بيتي"'
	mo $D 'ucs2="١"'
	mo $E 'text="hello"'
	mo $E 'text="0"'
	mo $E 'text="   "'
	mo $E 'text="C EWA"'
	echo 'send mo from=Batelco to=80008001 text="Your bill is ready"'
	echo 'expect deliver_sm_resp status=0 timeout=20s'
	mo $E 'text="C EWA sent to the wrong number"' | sed 's/to=80008001/to=80001234/'
	printf 'send mo from=%s to=%s parts=3 order=3,1,2 ucs2="%s"\n' $F $SC "$AR_LONG"
	printf 'expect deliver_sm_resp status=0 timeout=20s\n%.0s' 1 2 3
	printf 'send mo from=%s to=%s parts=2 udh=sar text="%s"\n' $G $SC "$SAR_TEXT"
	printf 'expect deliver_sm_resp status=0 timeout=20s\n%.0s' 1 2
	printf 'send mo from=%s to=%s parts=2 udh=16 order=2,1 text="%s"\n' $H $SC "C $SAR_TEXT"
	printf 'expect deliver_sm_resp status=0 timeout=20s\n%.0s' 1 2
	printf 'send mo from=%s to=%s parts=3 skip=2 text="%s"\n' $I $SC "C the water pipe in front of house number twelve has been leaking for three days and the street is flooded, please send someone to repair it soon"
	printf 'expect deliver_sm_resp status=0 timeout=20s\n%.0s' 1 2
	echo "wait 4s"
	echo "expect submit_sm dst=$I timeout=10s"
	echo "wait 1s"
} >"$T_TMP/p1.scn"
phase p1

cases() { sql "SELECT kind, entity, lang FROM cases WHERE msisdn = '$1' ORDER BY id" | tr '\n' ' '; }
check "EN: explicit entity, alias in text, triage, suggestion, enquiry" \
	[ "$(cases $A)" = "complaint|EWA|en complaint|MOE|en complaint|IGA|en suggestion|MTT|en enquiry|NPRA|en " ]
check "AR: explicit entity, alias in text, triage, suggestion, enquiry" \
	[ "$(cases $B)" = "complaint|EWA|ar complaint|EWA|ar complaint|IGA|ar suggestion|MTT|ar enquiry|SIO|ar " ]
n=$(replies p1 $A | wc -l)
check "every EN message got one reply" [ "$n" = 6 ]
check "AR: every message got one reply" [ "$(replies p1 $B | wc -l)" = 5 ]
r1=$(replies p1 $A | sed -n 1p)
ref1=$(sql "SELECT reference FROM cases WHERE msisdn = '$A' ORDER BY id LIMIT 1")
check "EN reply carries the grouped reference, entity and due date" \
	bash -c "grep -q '${ref1:0:3} ${ref1:3:3} ${ref1:6:4}' <<<'$r1' && grep -q 'Electricity and Water Authority' <<<'$r1' && grep -q \"\$(psql -X -At '$DB_CONN' -c \"SELECT due_date FROM cases WHERE reference = '$ref1'\")\" <<<'$r1'"
check "due date is 5 working days after today (Fri/Sat weekend, tomorrow a holiday)" \
	[ "$(sql "SELECT due_date FROM cases WHERE reference = '$ref1'")" = "$(python3 - <<'PY'
import datetime
today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)).date()
d = today
n = 0
while n < 5:
    d += datetime.timedelta(days=1)
    if d.weekday() not in (4, 5) and d != today + datetime.timedelta(days=1):
        n += 1
print(d)
PY
)" ]
damm_ok() {
	python3 - "$@" <<'PY'
import sys
T = ["0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
     "3674209581", "5869720134", "8945362017", "9438617205", "2581436790"]
for ref in sys.argv[1:]:
    i = 0
    for c in ref:
        i = int(T[i][int(c)])
    if i != 0 or len(ref) != 10 or ref[0] == "0":
        sys.exit(1)
PY
}
check "every reference has 10 digits and a valid Damm check digit" damm_ok $(sql "SELECT reference FROM cases")
dup=$(replies p1 $A | sed -n '5,6p' | sort -u | wc -l)
check "the same MO twice: one case, the same reply (same reference)" \
	bash -c "[ $dup = 1 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$A' AND kind = 'enquiry'\") = 1 ]"
check "the duplicate is recorded as such" [ "$(sql "SELECT count(*) FROM inbound_messages WHERE msisdn = '$A' AND outcome = 'duplicate'")" = 1 ]
rb=$(replies p1 $B | sed -n 1p)
check "AR reply starts with an Arabic word and shows the reference unbroken" \
	bash -c "python3 -c 'import sys,unicodedata; t=sys.argv[1]; sys.exit(0 if \"ARABIC\" in unicodedata.name(t[0]) else 1)' '$rb' && grep -q \"\$(psql -X -At '$DB_CONN' -c \"SELECT reference FROM cases WHERE msisdn = '$B' ORDER BY id LIMIT 1\")\" <<<'$rb'"
check "guided: free text, then 1 files the draft as a complaint" \
	[ "$(sql "SELECT kind || '|' || entity || '|' || original_text FROM cases WHERE msisdn = '$C'")" = "complaint|MOW|the road outside my house has a big hole" ]
check "guided in Arabic: Arabic-Indic ١ files it" \
	[ "$(sql "SELECT kind || '|' || entity || '|' || lang FROM cases WHERE msisdn = '$D'")" = "complaint|MOW|ar" ]
check "guided reply offers 1/2/3/0" grep -q '1.*2.*3.*0' <<<"$(replies p1 $C | sed -n 1p)"
check "guided: 0 cancels, no case" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$E'\") = 0 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '$E' AND outcome = 'draft_cancelled'\") = 1 ]"
check "a blank message gets the usage (help) reply, in the default language" \
	bash -c "[ \"\$(psql -X -At '$DB_CONN' -c \"SELECT outcome FROM inbound_messages WHERE msisdn = '$E' AND body = '   '\")\" = help ] && grep -q 'حالة' <<<'$(replies p1 $E | sed -n 3p)'"
check "a keyword and an entity with nothing to say: usage, no case" \
	bash -c "[ \"\$(psql -X -At '$DB_CONN' -c \"SELECT outcome FROM inbound_messages WHERE msisdn = '$E' AND body = 'C EWA'\")\" = usage ]"
check "a sender without a number is recorded, not answered" \
	[ "$(sql "SELECT outcome FROM inbound_messages WHERE msisdn = 'Batelco'")" = no_reply_address ]
check "a message to another address is recorded, not answered, files nothing" \
	bash -c "[ \"\$(psql -X -At '$DB_CONN' -c \"SELECT outcome FROM inbound_messages WHERE short_code = '80001234'\")\" = other_address ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$E'\") = 0 ] && [ $(replies p1 $E | wc -l) = 4 ]"
check "3-part Arabic UDH out of order: one message, exactly the text sent" \
	[ "$(sql "SELECT count(*) || '|' || bool_and(original_text = '$AR_LONG') FROM cases WHERE msisdn = '$F'")" = "1|true" ]
check "its inbound record says 3 parts, complete" \
	[ "$(sql "SELECT parts || '|' || complete FROM inbound_messages WHERE msisdn = '$F'")" = "3|true" ]
check "2-part SAR: one message, exactly the text sent" \
	[ "$(sql "SELECT count(*) || '|' || bool_and(original_text = '$SAR_TEXT') FROM cases WHERE msisdn = '$G'")" = "1|true" ]
check "2-part 16-bit UDH out of order: one message" \
	[ "$(sql "SELECT count(*) || '|' || bool_and(original_text = 'C $SAR_TEXT') FROM cases WHERE msisdn = '$H'")" = "1|true" ]
check "a part that never came: after the timeout, the rest with a gap marker" \
	[ "$(sql "SELECT count(*) FROM inbound_messages WHERE msisdn = '$I' AND NOT complete AND body LIKE 'C the water%[…]%'")" = 1 ]
check "long Arabic reply went out as UCS-2 parts" \
	[ "$(jq --arg d $F '[.destinations[$d][] | select(.dcs == 8)] | length' "$T_TMP/p1.json")" -ge 2 ]
check "outbox rows record the submit results" \
	[ "$(sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND message_ids IS NOT NULL")" -ge 15 ]

# ---- phase 2: follow-up --------------------------------------------------
refA=$ref1
refB=$(sql "SELECT reference FROM cases WHERE msisdn = '$B' ORDER BY id LIMIT 1")
refB_ar=$(python3 -c "import sys; print(''.join(chr(0x660 + int(c)) for c in sys.argv[1]))" "$refB")
mistyped=${refA:0:9}$(((${refA:9:1} + 1) % 10))
unknown=$(python3 - "$refA" <<'PY'
import sys
T = ["0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
     "3674209581", "5869720134", "8945362017", "9438617205", "2581436790"]
p = "987654321"
i = 0
for c in p:
    i = int(T[i][int(c)])
print(p + str(i))
PY
)
# B's first case is made overdue by the back office's clock.
sql "UPDATE cases SET due_date = current_date - 1 WHERE reference = '$refB'" >/dev/null
# C's case: the entity asks for more information.
refC=$(sql "SELECT reference FROM cases WHERE msisdn = '$C'")
sql "SELECT tawasul_set_status('$refC', 'awaiting_info', 'How wide is the hole?', 'office')" >/dev/null
{
	echo "expect bind_transceiver timeout=10s"
	mo $A "text=\"STATUS $refA\""
	mo $A "text=\"${refA:0:3} ${refA:3:3} ${refA:6:4}\""
	mo $B "ucs2=\"حالة $refB_ar\""
	mo $X "text=\"STATUS $refA\""
	mo $X "text=\"STATUS $unknown\""
	mo $A "text=\"STATUS $mistyped\""
	mo $A "text=\"STATUS 12345\""
	mo $A 'text="MY"'
	mo $A "text=\"INFO $refA the water came back at 9pm\""
	mo $A 'text="STOP"'
	mo $A 'text="STOP"'
	mo $A 'text="START"'
	mo $A 'text="HELP"'
	mo $A 'text="AR"'
	mo $A 'text="MY"'
	mo $A 'text="EN"'
	mo $A "text=\"INFO $refA the water came back at 9pm\""
	mo $B "ucs2=\"ايقاف $refB_ar\""
	mo $C 'text="about two metres wide"'
	for t in HELP '?' 'مساعدة' '؟'; do mo $K "ucs2=\"$t\""; done
	for i in 1 2 3; do mo $L 'text="hello"'; done
	for i in 1 2 3 4 5 6 7 8 9; do mo $M "text=\"C case number $i\""; done
	mo $M 'text="the bins were not collected"'
	mo $M 'text="1"'
	for t in STOP START STOP START STOP; do mo $N "text=\"$t\""; done
	for i in 1 2 3; do mo $Q 'text="the park lights are broken"'; mo $Q 'text="1"'; done
	mo $O "hex=$FLASH dcs=24"
	# a burst: ten new cases in flight at once, limit 8 a day
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "send mo from=$P to=$SC text=\"C burst report $i\""; done
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "expect deliver_sm_resp status=0 timeout=20s"; done
	# bursts for the help limit and the loop guard, all in flight at once
	for t in HELP '?' 'مساعدة' '؟' 'HELP' '?'; do echo "send mo from=$R to=$SC ucs2=\"$t\""; done
	for i in 1 2 3 4 5; do echo "send mo from=$S to=$SC text=\"MY\""; done
	for t in STOP STOPALL UNSUBSCRIBE CANCEL END QUIT; do echo "send mo from=$V to=$SC text=\"$t\""; done
	for i in $(seq 1 17); do echo "expect deliver_sm_resp status=0 timeout=20s"; done
	# the bursts' replies (one part each), then time for any extra
	expect_replies $S 2
	expect_replies $V 1
	echo "wait 2s"
} >"$T_TMP/p2.scn"
phase p2

ra() { replies p2 "$1" | sed -n "${2}p"; }
check "STATUS by the owner: status, entity, due date" \
	bash -c "grep -q 'Received' <<<'$(ra $A 1)' || grep -qi 'received' <<<'$(ra $A 1)'"
check "STATUS names the entity" grep -q 'Electricity and Water Authority' <<<"$(ra $A 1)"
check "a message that is only a (spaced) reference is a STATUS (no letters: default language, Arabic)" \
	grep -q "$refA" <<<"$(ra $A 2)"
check "Arabic STATUS with Arabic-Indic digits answers in Arabic" grep -q "$refB" <<<"$(ra $B 1)"
check "a case past its due date is flagged overdue" grep -q 'متأخر' <<<"$(ra $B 1)"
check "a case within its due date is not" bash -c "! grep -q 'Overdue' <<<'$(ra $A 1)'"
check "a stranger's STATUS gets exactly the unknown-reference reply" \
	[ "$(ra $X 1 | sed "s/${refA:0:3} ${refA:3:3} ${refA:6:4}/REF/")" = "$(ra $X 2 | sed "s/${unknown:0:3} ${unknown:3:3} ${unknown:6:4}/REF/")" ]
check "the stranger learns nothing about the case" bash -c "! grep -q 'Electricity' <<<'$(ra $X 1)'"
check "a bad check digit is called mistyped" grep -qi 'mistyped' <<<"$(ra $A 3)"
check "a reference of the wrong length gets the format reply" [ -n "$(ra $A 4)" ]
check "MY lists open cases, one line each" bash -c "[ \$(grep -o '\\\\n' <<<'$(ra $A 5)' | wc -l) -ge 5 ]"
check "INFO appends the citizen's text to the case" \
	[ "$(sql "SELECT body FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.reference = '$refA' AND author = 'citizen'")" = "the water came back at 9pm" ]
check "the same INFO again (a redelivery) is answered but not appended twice" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT outcome FROM inbound_messages WHERE msisdn = '$A' ORDER BY id DESC LIMIT 1\") = note_again ] && grep -q '${refA:0:3} ${refA:3:3} ${refA:6:4}' <<<'$(ra $A 13)'"
check "STOP opts out and is confirmed once" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '$A' AND outcome = 'stop'\") = 2 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM outbox o JOIN inbound_messages i ON i.id = o.inbound_id WHERE i.msisdn = '$A' AND i.outcome = 'stop'\") = 1 ]"
check "START opts back in" [ "$(sql "SELECT opted_out FROM subscribers WHERE msisdn = '$A'")" = f ]
check "HELP answers with usage" grep -q 'STATUS' <<<"$(ra $A 9)"
check "AR sets Arabic: the next reply is in Arabic" \
	bash -c "python3 -c 'import sys,unicodedata; sys.exit(0 if \"ARABIC\" in unicodedata.name(sys.argv[1][0]) else 1)' '$(ra $A 11)'"
check "EN sets English again" [ "$(sql "SELECT lang FROM subscribers WHERE msisdn = '$A'")" = en ]
check "awaiting information: the next message is attached to the case" \
	[ "$(sql "SELECT body FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.reference = '$refC' AND author = 'citizen'")" = "about two metres wide" ]
check "and the case goes back to in_progress" [ "$(sql "SELECT status FROM cases WHERE reference = '$refC'")" = in_progress ]
check "and the citizen is told it was added" grep -q "${refC:0:3} ${refC:3:3} ${refC:6:4}" <<<"$(replies p2 $C | sed -n 1p)"
check "STOP <ref> mutes that case only" \
	[ "$(sql "SELECT count(*) FROM case_mutes m JOIN cases c ON c.id = m.case_id WHERE c.reference = '$refB'")" = 1 ]
nk=$(replies p2 $K | wc -l)
nl=$(replies p2 $L | wc -l)
check "help replies are rate-limited (3 an hour): the 4th is not answered" \
	bash -c "[ $nk = 3 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '$K' AND outcome = 'limited'\") = 1 ]"
check "loop guard: the 3rd identical message in an hour is not answered" \
	bash -c "[ $nl = 2 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT outcome FROM inbound_messages WHERE msisdn = '$L' ORDER BY id DESC LIMIT 1\") = loop ]"
check "new cases are rate-limited (8 a day here): 8 cases" [ "$(sql "SELECT count(*) FROM cases WHERE msisdn = '$M'")" = 8 ]
check "and the 9th gets the limit reply" grep -q 'limit' <<<"$(ra $M 9)"
check "a guided draft filed over the daily limit is refused too" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$M'\") = 8 ] && [ \"\$(psql -X -At '$DB_CONN' -c \"SELECT outcome FROM inbound_messages WHERE msisdn = '$M' ORDER BY id DESC LIMIT 1\")\" = limited ]"
check "loop guard: a 3rd STOP in an hour is not answered but still opts out" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT opted_out FROM subscribers WHERE msisdn = '$N'\") = t ] && [ $(replies p2 $N | wc -l) = 4 ]"
check "the daily limit is exact for a burst of concurrent messages (8 of 10)" \
	[ "$(sql "SELECT count(*) FROM cases WHERE msisdn = '$P'")" = 8 ]
check "the help limit is exact for a burst of concurrent messages (3 of 6 answered)" \
	bash -c "[ $(replies p2 $R | wc -l) = 3 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '$R' AND outcome = 'limited'\") = 3 ]"
check "the loop guard is exact for a burst of identical messages (2 of 5 answered)" \
	bash -c "[ $(replies p2 $S | wc -l) = 2 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '$S' AND outcome = 'loop'\") = 3 ]"
check "six opt-outs in flight together: opted out, confirmed once" \
	bash -c "[ $(replies p2 $V | wc -l) = 1 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT opted_out FROM subscribers WHERE msisdn = '$V'\") = t ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '$V' AND outcome = 'stop'\") = 6 ]"
check "the guided flow three times in an hour: each 1 files (or finds) the case and is answered" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$Q'\") = 1 ] && [ $(replies p2 $Q | grep -c 'STATUS') -ge 3 ]"
check "the daemon is still running" alive "$DPID"
check "an Arabic flash SMS (data_coding 0x18, UCS-2) is read as Arabic" \
	[ "$(sql "SELECT original_text FROM cases WHERE msisdn = '$O'")" = "$FLASH_TEXT" ]
check "every inbound message is recorded once" \
	[ "$(sql "SELECT count(*) FROM inbound_messages")" = "$(cat "$T_TMP"/p[12].scn | grep -c '^send mo')" ]

# ---- a commit that fails takes its counts back ---------------------------
# The first four writes of U's HELP fail (a sequence is not rolled back);
# each attempt was counted in Redis as it arrived. Had the counts stayed,
# the fifth would meet the loop guard and the help limit.
U=97366100020
sql "CREATE SEQUENCE t_fail_seq;
CREATE FUNCTION t_fail() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF NEW.msisdn = '$U' AND nextval('t_fail_seq') <= 4 THEN
		RAISE EXCEPTION 'injected failure';
	END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER t_fail BEFORE INSERT ON inbound_messages
	FOR EACH ROW EXECUTE FUNCTION t_fail();" >/dev/null
{
	echo "send mo from=$U to=$SC text=\"HELP\""
	for i in 1 2 3 4; do echo "expect deliver_sm_resp status=0x64 timeout=20s"; done
	echo "expect deliver_sm_resp status=0 timeout=20s"
	echo "expect submit_sm dst=$U timeout=20s"
} >"$T_TMP/p3.scn"
phase p3
check "a message whose commit failed 4 times is answered normally when it commits" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT outcome FROM inbound_messages WHERE msisdn = '$U'\") = help ] && grep -q STATUS <<<'$(replies p3 $U)'"

# ---- lone digits, repeated information, lookups over the limit -------------
W1=97366100031 W2=97366100032 W3=97366100033 W4=97366100034 W5=97366100035
W6=97366100036 W7=97366100037 W8=97366100038 W9=97366100039
W10=97366100040
{
	echo "expect bind_transceiver timeout=10s"
	mo $W5 'text="C MOW there is a deep pothole near the school"'
	mo $W7 'text="C MOW the traffic light at the roundabout is stuck on red"'
	mo $W9 'text="C MOW the pavement on avenue 5 is broken"'
	mo $W10 'text="C MOW the drain on road 8 overflows"'
} >"$T_TMP/p4a.scn"
phase p4a
refW5=$(sql "SELECT reference FROM cases WHERE msisdn = '$W5'")
refW7=$(sql "SELECT reference FROM cases WHERE msisdn = '$W7'")
refW9=$(sql "SELECT reference FROM cases WHERE msisdn = '$W9'")
refW10=$(sql "SELECT reference FROM cases WHERE msisdn = '$W10'")
for r in $refW5 $refW7 $refW9 $refW10; do
	sql "SELECT tawasul_set_status('$r', 'awaiting_info', 'Is it still so?', 'office')" >/dev/null
done
{
	echo "expect bind_transceiver timeout=10s"
	mo $W1 'text="1"'
	mo $W1 'text="1"'
	mo $W2 'text="the road outside my house has a big hole"'
	mo $W2 'text="7"'
	mo $W2 'text="1"'
	mo $W2 'text="1"'
	mo $W3 'text="STATUS"'
	mo $W3 'text="INFO"'
	for i in 1 2 3 4 5 6 7 8 9 10; do mo $W4 "text=\"STATUS ${i}${i}${i}${i}\""; done
	mo $W5 'text="Road 1234 block 567"'
	mo $W5 'text="Road 1234 block 567"'
	mo "+$A" "text=\"STATUS $refA\""
	mo 36610041 'text="HELP" ton=2'
	mo 0097336610042 'text="HELP" ton=0'
	mo $W7 'text="yes"'
	mo $W9 'text="Block 9 road 4"'
	# the last replies (one part each), then time for any extra
	expect_replies $W3 2
	expect_replies $W4 9
	expect_replies $W5 2 'text~="was added" '
	expect_replies $A 1
	expect_replies 97336610041 1
	expect_replies 97336610042 1
	echo "wait 1s"
} >"$T_TMP/p4.scn"
phase p4
rw() { replies p4 "$1" | sed -n "${2}p"; }
check "a lone digit with no draft says the draft is gone (in the default language), and files nothing" \
	bash -c "grep -q 'انتهت مدة الاحتفاظ' <<<'$(rw $W1 1)' && grep -q 'انتهت مدة الاحتفاظ' <<<'$(rw $W1 2)' && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$W1'\") = 0 ]"
check "a digit past the choices repeats the prompt and keeps the draft" \
	bash -c "grep -q 'reply 1 for a complaint' <<<'$(rw $W2 2)' && [ \"\$(psql -X -At '$DB_CONN' -c \"SELECT original_text FROM cases WHERE msisdn = '$W2'\")\" = 'the road outside my house has a big hole' ]"
check "a \"1\" again after filing (a redelivery) finds the same case" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$W2'\") = 1 ] && r=\$(psql -X -At '$DB_CONN' -c \"SELECT reference FROM cases WHERE msisdn = '$W2'\") && grep -q \"\${r:0:3} \${r:3:3} \${r:6:4}\" <<<'$(rw $W2 3)' && grep -q \"\${r:0:3} \${r:3:3} \${r:6:4}\" <<<'$(rw $W2 4)'"
check "STATUS alone gets how to follow a case up" grep -q 'To follow up a case send STATUS' <<<"$(rw $W3 1)"
check "INFO alone gets how to add information" grep -q 'To add information' <<<"$(rw $W3 2)"
check "lookups over the limit: the first one past it is told, the rest are not answered" \
	bash -c "[ $(replies p4 $W4 | wc -l) = 9 ] && grep -q 'Too many lookups' <<<'$(rw $W4 9)' && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '$W4' AND outcome = 'limited'\") = 2 ]"
check "the same information sent twice is one note, both answered" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.msisdn = '$W5' AND author = 'citizen'\") = 1 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT string_agg(outcome, ',' ORDER BY id) FROM inbound_messages WHERE msisdn = '$W5'\") = case,note,note_again ] && [ $(replies p4 $W5 | grep -c 'was added') = 2 ]"
check "+973... is the same citizen as 973...: the owner's STATUS" \
	grep -q 'Electricity and Water Authority' <<<"$(replies p4 "$A" | tail -n 1)"
check "a national number (TON 2) is the citizen's international number, answered there" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '97336610041'\") = 1 ] && grep -q STATUS <<<'$(replies p4 97336610041)'"
check "so is an unknown-type number written 00973..." \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM inbound_messages WHERE msisdn = '97336610042'\") = 1 ] && grep -q STATUS <<<'$(replies p4 97336610042)'"

# Asked again, the same answer is new information; a text once taken as
# information is a command again once the sender has said something else.
sql "SELECT tawasul_set_status('$refW7', 'awaiting_info', 'Is it dangerous?', 'office')" >/dev/null
{
	echo "expect bind_transceiver timeout=10s"
	mo $W7 'text="yes"'
	mo $W9 'text="MY"'
	mo $W9 'text="Block 9 road 4"'
	expect_replies $W9 1 'text~="reply 1 for a complaint" '
} >"$T_TMP/p4b.scn"
phase p4b
check "the same answer to a new question is appended and the case goes back to work" \
	bash -c "[ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.msisdn = '$W7' AND author = 'citizen'\") = 2 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT status FROM cases WHERE msisdn = '$W7'\") = in_progress ]"
check "information already given, sent after another message, is not taken as information again" \
	[ "$(sql "SELECT string_agg(outcome, ',' ORDER BY id) FROM inbound_messages WHERE msisdn = '$W9'")" = case,note,list,draft ]

# ---- the loop guard files nothing unanswered --------------------------------
# With a 1 s duplicate window, the same new case sent 4 times 1.5 s apart,
# the 3rd in lower case (one text to the loop guard, another to the
# duplicate check): the 3rd files a case and is answered, the 4th meets
# the loop guard, which finds the case filed. And a guided "1" repeated
# after its case was filed never files a second one.
sed -i 's/^limit_cases_per_day = 8$/limit_cases_per_day = 8\nduplicate_window = 1s/' "$conf"
kill -HUP "$DPID"
wait_for 10 bash -c "[ \$(grep -c 'reload=ok' '$T_TMP/d.log') -ge 1 ]"
{
	echo "expect bind_transceiver timeout=10s"
	for t in "C MOW the streetlight on road 12 is out" "C MOW the streetlight on road 12 is out" \
		"c mow the streetlight on road 12 is out" "C MOW the streetlight on road 12 is out"; do
		mo $W6 "text=\"$t\""
		echo "wait 1500ms"
	done
	mo $W8 'text="the bus shelter glass is broken"'
	mo $W8 'text="1"'
	echo "wait 600ms"
	mo $W8 'text="1"'
	echo "wait 600ms"
	mo $W8 'text="1"'
	echo "wait 1s"
	# information sent three times, 700 ms apart: the second is the
	# same note again; the third is past the window of the note itself
	for i in 1 2 3; do
		mo $W10 'text="near the mosque"'
		echo "wait 700ms"
	done
} >"$T_TMP/p5.scn"
phase p5
check "loop guard: a new case sent 4 times (beyond the duplicate window) files 3, each answered" \
	bash -c "[ $(replies p5 $W6 | wc -l) = 3 ] && [ \$(psql -X -At '$DB_CONN' -c \"SELECT count(*) FROM cases WHERE msisdn = '$W6'\") = 3 ]"
check "a guided \"1\" repeated after filing never files a second case" \
	[ "$(sql "SELECT count(*) FROM cases WHERE msisdn = '$W8'")" = 1 ]
check "information repeated past its note's window is not appended again" \
	[ "$(sql "SELECT count(*) FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.msisdn = '$W10' AND author = 'citizen'")" = 1 ]
check "phone numbers never reach the log in clear" bash -c "! grep -q 973661000 '$T_TMP/d.log'"

kill -TERM "$DPID"
wait_for 10 bash -c "! kill -0 $DPID"
wait "$DPID"
check "daemon exits 0 on SIGTERM" [ $? -eq 0 ]
t_done
