#!/bin/bash
# ctl_cases_test.sh - tawasulctl's entity and case commands against a real
# PostgreSQL: CSV import (new/updated counts, idempotence, quoting, every
# validation error with FILE:LINE), entities list, case list with filters,
# show with lenient references, set-status and respond (history, notes,
# NOTIFY), JSON checked with jq, exit 2 with the database unreachable.
. "$top_srcdir/tests/integration/lib.sh"

DATA=$top_srcdir/tests/integration/data
CTL=$TAWASULCTL

# The suite's PostgreSQL when scripts/test started it, else a private one.
[ -n "${TAWASUL_PG_CONNINFO:-}" ] || own_services
command -v jq >/dev/null || {
	echo "Bail out! jq is needed"
	exit 1
}

# new_db NAME: a fresh database; prints its conninfo.
new_db() {
	psql -X -q "$TAWASUL_PG_CONNINFO" -c "DROP DATABASE IF EXISTS $1" \
		-c "CREATE DATABASE $1" >/dev/null 2>&1
	sed "s/dbname=[^ ]*/dbname=$1/" <<<"$TAWASUL_PG_CONNINFO"
}

# conf_for FILE CONNINFO
conf_for() {
	cat >"$1" <<CONF
[gateway]
short_code = 80008001
secret_file = $T_TMP/secret
timezone = Asia/Bahrain
[postgres]
conninfo = $2
CONF
}

DB=tw_ctl_$$
DB2=tw_ctl2_$$
CONN=$(new_db $DB)
CONF=$T_TMP/ctl.conf
conf_for "$CONF" "$CONN"
trap 'psql -X -q "$TAWASUL_PG_CONNINFO" -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS $DB2" >/dev/null 2>&1; t_cleanup' EXIT

q() { psql -X -At -v ON_ERROR_STOP=1 "$CONN" -c "$1"; }

# jqe FILTER [ARGS...] FILE: jq -e, quietly.
jqe() { jq -e "$@" >/dev/null; }

# run ARGS...: runs tawasulctl; sets OUT, ERR, RC.
run() {
	"$CTL" -c "$CONF" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	ERR=$(cat "$T_TMP/err")
}

# expect RC PATTERN NAME: last run exited RC and its output (stdout for 0,
# else exactly one line of stderr) matches PATTERN.
expect() {
	local rc=$1 pat=$2 name=$3 text
	if [ "$rc" -eq 0 ]; then text=$OUT; else text=$ERR; fi
	if [ "$RC" -eq "$rc" ] && grep -qE -- "$pat" <<<"$text" &&
		{ [ "$rc" -eq 0 ] || [ "$(wc -l <"$T_TMP/err")" -eq 1 ]; }; then
		ok "$name"
	else
		not_ok "$name (rc=$RC)"
		{
			echo "stdout: $OUT"
			echo "stderr: $ERR"
		} | diag
	fi
}

run migrate
expect 0 "migrated from version 0" "migrate a fresh database"

# ---- entities import --------------------------------------------------------
run entities import "$DATA/entities_ok.csv"
expect 0 "^imported 5 entities \(5 new, 0 updated\)$" "import: 5 new entities"
check "quoted field with a comma" [ "$(q "SELECT name_en FROM entities WHERE code = 'EWA'")" = "Electricity and Water Authority, Bahrain" ]
check "quoted field with a line break (folded to a space)" [ "$(q "SELECT name_en FROM entities WHERE code = 'MOE'")" = "Ministry of Education" ]
check "doubled quotes inside a quoted field" [ "$(q "SELECT aliases_en[2] FROM entities WHERE code = 'MOE'")" = '"schools"' ]
check "aliases split on | and trimmed" [ "$(q "SELECT aliases_en FROM entities WHERE code = 'MOH'")" = "{health,hospital,clinic}" ]
check "Arabic aliases kept" [ "$(q "SELECT aliases_ar[2] FROM entities WHERE code = 'MOH'")" = "مستشفى" ]
check "active 0 and true" [ "$(q "SELECT string_agg(code || '=' || active, ',' ORDER BY code) FROM entities WHERE code IN ('LMRA', 'MOH')")" = "LMRA=false,MOH=true" ]
check "SLAs stored" [ "$(q "SELECT sla_complaint || '/' || sla_suggestion || '/' || sla_enquiry FROM entities WHERE code = 'EWA'")" = "7/15/3" ]

before=$(q "SELECT max(updated_at) FROM entities")
run entities import "$DATA/entities_ok.csv"
expect 0 "^imported 5 entities \(0 new, 0 updated\)$" "re-import changes nothing"
check "re-import leaves updated_at alone" [ "$(q "SELECT max(updated_at) FROM entities")" = "$before" ]

run entities import "$DATA/entities_update.csv"
expect 0 "^imported 5 entities \(1 new, 1 updated\)$" "import with BOM and CRLF: 1 new, 1 updated"
check "and notes the entity missing from the file" grep -qE "^note: 1 entity in the database is not in .*entities_update.csv: left unchanged$" <<<"$OUT"
check "the missing entity is left alone" [ "$(q "SELECT active FROM entities WHERE code = 'LMRA'")" = f ]
check "the updated SLA is stored" [ "$(q "SELECT sla_complaint FROM entities WHERE code = 'MOH'")" = 12 ]
check "active No" [ "$(q "SELECT active FROM entities WHERE code = 'MOW'")" = f ]
count=$(q "SELECT count(*) || ' ' || max(updated_at) FROM entities")

# bad NAME LINE PATTERN CONTENT: the import fails (exit 1) with one line
# "tawasulctl: FILE:LINE: PATTERN" and the table is unchanged.
H='code,name_en,name_ar,aliases_en,aliases_ar,sla_complaint,sla_suggestion,sla_enquiry,active'
bad() {
	local name=$1 line=$2 pat=$3 f=$T_TMP/bad.csv
	printf '%b' "$4" >"$f"
	run entities import "$f"
	expect 1 "^tawasulctl: $f:$line: $pat" "rejected: $name"
	[ "$(q "SELECT count(*) || ' ' || max(updated_at) FROM entities")" = "$count" ] ||
		not_ok "table changed after: $name"
}
ROW='NEW,New Entity,جهة جديدة,,,1,2,3,1'
bad "header" 1 "bad header: expected code,name_en" 'code,name,name_ar\nA,b,c\n'
bad "header with a missing column" 1 "bad header" 'code,name_en,name_ar,aliases_en,aliases_ar,sla_complaint,sla_suggestion,sla_enquiry\n'
bad "empty file" 1 "empty file" ''
bad "header only" 2 "no entities" "$H\n"
bad "field count" 3 "expected 9 fields, found 8" "$H\n$ROW\nX,x,y,,,1,2,3\n"
bad "lower-case code" 3 "bad code 'abc'" "$H\n$ROW\nabc,x,y,,,1,2,3,1\n"
bad "code too long" 2 "bad code 'ABCDEFGHIJKLMNOPQ'" "$H\nABCDEFGHIJKLMNOPQ,x,y,,,1,2,3,1\n"
bad "empty English name" 3 "name_en is empty" "$H\n$ROW\nX, ,y,,,1,2,3,1\n"
bad "empty Arabic name" 2 "name_ar is empty" "$H\nX,x,,,,1,2,3,1\n"
bad "SLA over 365" 2 "sla_enquiry must be whole days 0-365, not '366'" "$H\nX,x,y,,,1,2,366,1\n"
bad "SLA not a number" 2 "sla_complaint must be whole days 0-365, not '5d'" "$H\nX,x,y,,,5d,2,3,1\n"
bad "SLA negative" 2 "sla_suggestion must be whole days 0-365, not '-1'" "$H\nX,x,y,,,1,-1,3,1\n"
bad "active" 2 "active must be 1/0, true/false or yes/no, not 'maybe'" "$H\nX,x,y,,,1,2,3,maybe\n"
bad "duplicate code" 4 "duplicate code NEW \(first on line 2\)" "$H\n$ROW\nOTHER,x,y,,,1,2,3,1\n$ROW\n"
bad "alias used twice (English, any case)" 3 "alias 'FOOD' of B clashes with alias 'food' of A \(line 2\)" "$H\nA,x,y,food,,1,2,3,1\nB,x,y,FOOD,,1,2,3,1\n"
bad "alias used twice (Arabic, hamza folded)" 3 "alias 'احمد' of B clashes with alias 'أحمد' of A" "$H\nA,x,y,,أحمد,1,2,3,1\nB,x,y,,احمد,1,2,3,1\n"
bad "alias is another entity's code" 3 "alias 'a' of B clashes with code A" "$H\nA,x,y,,,1,2,3,1\nB,x,y,a,,1,2,3,1\n"
bad "code is another entity's alias" 3 "code B is an alias of A" "$H\nA,x,y,b,,1,2,3,1\nB,x,y,,,1,2,3,1\n"
bad "alias of an entity only in the database" 2 "alias 'visa' of NEW clashes with alias 'visa' of LMRA, which is in the database" "$H\nNEW,x,y,visa,,1,2,3,1\n"
LONG=$(printf 'x%.0s' $(seq 129))
bad "alias too long" 2 "aliases_en: alias 'x{40}\.\.\.' is longer than 128 bytes" "$H\nX,x,y,ok|$LONG,,1,2,3,1\n"
bad "unterminated quote" 3 "quoted field not closed" "$H\n$ROW\nX,\"open,y,,,1,2,3,1\n"
bad "quote inside an unquoted field" 2 "quote inside an unquoted field" "$H\nX,a\"b,y,,,1,2,3,1\n"
bad "text after a closing quote" 2 "text after a closing quote" "$H\nX,\"a\"b,y,,,1,2,3,1\n"
bad "line numbers count lines inside quotes" 5 "sla_complaint must be whole days" "$H\nX,\"two\nlines\",y,,,1,2,3,1\nY,x,y,,,1,2,3,1\nZ,x,y,,,999,2,3,1\n"
bad "invalid UTF-8" 2 "name_ar is not valid UTF-8" "$H\nX,x,\xff\xfe,,,1,2,3,1\n"
bad "control character" 2 "name_en has a control character" "$H\nX,a\x01b,y,,,1,2,3,1\n"
bad "first error wins" 2 "bad code" "$H\nx,x,y,,,1,2,3,1\nY,x,y,,,999,2,3,1\n"

run entities import "$T_TMP/nope.csv"
expect 1 "cannot open" "import of a missing file exits 1"
run entities import
expect 1 "usage" "import without a file exits 1"

# The shipped sample, when present, imports cleanly into an empty database.
if [ -f "$top_srcdir/config/entities.csv" ]; then
	conf_for "$T_TMP/ctl2.conf" "$(new_db $DB2)"
	"$CTL" -c "$T_TMP/ctl2.conf" migrate >/dev/null 2>&1
	out=$("$CTL" -c "$T_TMP/ctl2.conf" entities import "$top_srcdir/config/entities.csv" 2>&1)
	rc=$?
	check "config/entities.csv imports" bash -c '[ "$1" -eq 0 ] && grep -qE "^imported ([0-9]+) entities \(\1 new, 0 updated\)$" <<<"$2"' _ $rc "$out"
	[ $rc -eq 0 ] || echo "$out" | diag
	out=$("$CTL" -c "$T_TMP/ctl2.conf" entities import "$top_srcdir/config/entities.csv" 2>&1)
	check "config/entities.csv re-imports as a no-op" grep -qE "\(0 new, 0 updated\)$" <<<"$out"
else
	ok "config/entities.csv imports # SKIP not present"
	ok "config/entities.csv re-imports as a no-op # SKIP not present"
fi

# ---- entities list ----------------------------------------------------------
run entities list
expect 0 "^MOH +yes +12/20/5 +Ministry of Health$" "entities list shows code, active, SLAs, name"
check "entities list has one line per entity" [ "$(grep -c . <<<"$OUT")" -eq 7 ]
run entities list --json
check "entities list --json is valid JSON" jqe 'length == 6' "$T_TMP/out"
check "entities --json carries aliases and SLAs" jqe '.[] | select(.code == "MOH") | .aliases_ar == ["الصحة", "مستشفى"] and .sla.complaint == 12 and .active == true' "$T_TMP/out"
check "entities --json: inactive is false" jqe '.[] | select(.code == "MOW") | .active == false' "$T_TMP/out"
check "entities --json: quotes escaped" jqe '.[] | select(.code == "MOE") | .aliases_en[1] == "\"schools\""' "$T_TMP/out"

# ---- cases ------------------------------------------------------------------
# new_case SEQ REF KIND ENTITY MSISDN TEXT DUE-OFFSET-DAYS AGE-DAYS
new_case() {
	psql -X -q -v ON_ERROR_STOP=1 "$CONN" \
		-v seq="$1" -v ref="$2" -v kind="$3" -v ent="$4" -v msisdn="$5" \
		-v text="$6" -v due="$7" -v age="$8" >/dev/null <<'SQL'
SELECT created FROM tawasul_new_case(:'msisdn', '80008001', 'sms',
	'batelco', 1, true, :seq, :'ref', :'kind', :'ent', 'ar', :'text',
	current_date + :due, 'reply', '10 minutes', NULL, 100, 'Asia/Bahrain');
UPDATE cases SET created_at = now() - interval '1 day' * :age
WHERE reference = :'ref';
SQL
}
# Damm-valid references (SPEC §4).
R1=4839201753 R2=5120003470 R3=6001234580 R4=7315550192
TEXT3=$(printf 'quote " backslash \\ tab\tline\nbreak \033[31mred\033[0m وزارة')
new_case 1 $R1 complaint MOH 97333123456 "المستشفى مزدحم" -3 3
new_case 2 $R2 suggestion EWA 97339000111 "Please add a night line" 10 2
new_case 3 $R3 enquiry MOH 97336000222 "$TEXT3" -3 1
new_case 4 $R4 complaint MOW 97334000333 "pothole on road 12" 5 0
check "cases inserted" [ "$(q "SELECT count(*) FROM cases")" = 4 ]

run list
expect 0 "^REFERENCE +KIND +ENTITY +STATUS +CREATED +DUE +OVERDUE +MSISDN$" "list prints a header"
check "list: newest first" [ "$(awk 'NR > 1 { printf "%s ", $1 }' <<<"$OUT")" = "$R4 $R3 $R2 $R1 " ]
check "list: overdue flag" [ "$(awk 'NR > 1 { printf "%s ", $8 }' <<<"$OUT")" = "no yes no yes " ]
check "list: numbers masked but the last 3 digits" bash -c 'grep -q "^'$R1' .* \*\*\*\*\*\*\*\*456$" <<<"$1" && ! grep -q 97333123456 <<<"$1"' _ "$OUT"
run list --status received --entity moh
check "list --status --entity filters" [ "$(awk 'NR > 1 { printf "%s ", $1 }' <<<"$OUT")" = "$R3 $R1 " ]
run list --limit 2
check "list --limit" [ "$(grep -c . <<<"$OUT")" -eq 3 ]
run list --json
check "list --json is valid JSON, newest first" jqe --arg a $R4 --arg b $R1 'length == 4 and .[0].reference == $a and .[3].reference == $b' "$T_TMP/out"
check "list --json: overdue booleans, masked numbers only" jqe 'map(.overdue) == [false, true, false, true] and (.[3].msisdn_masked == "********456") and all(has("msisdn") | not)' "$T_TMP/out"
run list --entity EWA --json
check "list --entity --json" jqe --arg r $R2 'length == 1 and .[0].reference == $r and .[0].kind == "suggestion"' "$T_TMP/out"
run list --status closed --json
check "list with no match is []" jqe 'length == 0' "$T_TMP/out"
run list --status bogus
expect 1 "invalid input value for enum case_status" "list --status with a bad status exits 1"
run list --entity NOPE
expect 1 "unknown entity 'NOPE'" "list --entity with an unknown entity exits 1"
run list --limit 0
expect 1 "limit" "list --limit 0 exits 1"
run list --bogus
expect 1 "^tawasulctl: usage: list " "an unknown option is a one-line usage error"

# ---- set-status and respond -------------------------------------------------
# The NOTIFY is watched from a psql session that LISTENs on tawasul_case; it
# reads a FIFO and writes a file, which is polled (no coprocess whose file
# descriptors vanish when it exits).
mkfifo "$T_TMP/psql.in"
psql -X -q -At "$CONN" <"$T_TMP/psql.in" >"$T_TMP/psql.out" 2>&1 &
PSQL_PID=$!
T_PIDS="$T_PIDS $PSQL_PID"
exec {PSQL_IN}>"$T_TMP/psql.in"
echo "LISTEN tawasul_case; SELECT 'listening';" >&$PSQL_IN
check "a psql session listens" wait_for 10 grep -qx listening "$T_TMP/psql.out"

run set-status "$R1" acknowledged
expect 0 "^$R1: received -> acknowledged$" "set-status received -> acknowledged"
case_id=$(q "SELECT id FROM cases WHERE reference = '$R1'")
# psql prints what arrived after the next query's result: "mark" brings the
# notification out, "done" follows it.
echo "SELECT 'mark'; SELECT 'done';" >&$PSQL_IN
wait_for 10 grep -qx done "$T_TMP/psql.out"
check "set-status NOTIFYs tawasul_case with id and status" \
	grep -qF "notification \"tawasul_case\" with payload \"$case_id acknowledged\"" "$T_TMP/psql.out"
exec {PSQL_IN}>&-
wait "$PSQL_PID" 2>/dev/null

run set-status "$R1" in_progress --note 'Forwarded to the hospital "admin"'
expect 0 "acknowledged -> in_progress" "set-status with --note"
check "history row with actor and note" [ "$(q "SELECT old_status || '>' || new_status || ' ' || actor || ' ' || note FROM case_status_history WHERE case_id = $case_id ORDER BY id DESC LIMIT 1")" = 'acknowledged>in_progress tawasulctl Forwarded to the hospital "admin"' ]
check "the note is an office note" [ "$(q "SELECT author || ':' || body FROM case_notes WHERE case_id = $case_id")" = 'office:Forwarded to the hospital "admin"' ]
run set-status "$R1" received
expect 1 "^tawasulctl: status received cannot follow in_progress$" "forbidden transition exits 1 with the server's message"
run set-status "$R1" in_progress
expect 1 "cannot follow" "same status again exits 1"
run set-status "$R1" frobbed
expect 1 "invalid input value for enum case_status: \"frobbed\"" "unknown status exits 1"
run set-status 1234567890 closed
expect 1 "^tawasulctl: unknown reference 1234567890$" "set-status unknown reference exits 1"
run set-status "$R1"
expect 1 "usage" "set-status without a status exits 1"
check "refused changes wrote no history" [ "$(q "SELECT count(*) FROM case_status_history WHERE case_id = $case_id")" = 3 ]

run respond "٤٨٣-٩٢٠-١٧٥٣" "تمت معالجة الطلب، شكرا"
expect 0 "^$R1: in_progress -> responded$" "respond (Arabic-Indic digits, hyphens)"
check "respond writes the response as an office note" [ "$(q "SELECT author || ':' || body FROM case_notes WHERE case_id = $case_id ORDER BY id DESC LIMIT 1")" = "office:تمت معالجة الطلب، شكرا" ]
check "respond writes a history row" [ "$(q "SELECT new_status || ' ' || actor FROM case_status_history WHERE case_id = $case_id ORDER BY id DESC LIMIT 1")" = "responded tawasulctl" ]
run respond "$R1" "again"
expect 1 "status responded cannot follow responded" "respond twice exits 1"
run respond "$R2" "   "
expect 1 "response text" "respond with blank text exits 1"
run set-status "$R1" closed --note "Resolved with the hospital"
expect 0 "responded -> closed" "close with a resolution"
check "five history rows for the case" [ "$(q "SELECT count(*) FROM case_status_history WHERE case_id = $case_id")" = 5 ]

# ---- show -------------------------------------------------------------------
run show "483 920 1753"
expect 0 "^reference +483 920 1753 \($R1\)$" "show with a spaced reference"
check "show: full number, status, resolution" bash -c 'grep -q "^from  *97333123456 (sms, ar)$" <<<"$1" && grep -q "^status  *closed$" <<<"$1" && grep -q "^resolution  *Resolved with the hospital$" <<<"$1"' _ "$OUT"
check "show: history" bash -c 'grep -qE "^  .* \(new\) -> received  by sms$" <<<"$1" && grep -qE "^  .* in_progress -> responded  by tawasulctl$" <<<"$1"' _ "$OUT"
check "show: notes" grep -qE "^  .* office +تمت معالجة الطلب، شكرا$" <<<"$OUT"
run show "٤٨٣ ٩٢٠ ١٧٥٣"
expect 0 "^reference +483 920 1753" "show with Arabic-Indic digits"
run show "483-920-1753" --json
check "show --json is valid JSON" jqe --arg r $R1 '.reference == $r and .reference_display == "483 920 1753" and .msisdn == "97333123456" and .status == "closed"' "$T_TMP/out"
check "show --json: history and notes" jqe '(.history | length) == 5 and .history[0].old_status == null and .history[4].new_status == "closed" and (.notes | length) == 3 and .notes[0].author == "office"' "$T_TMP/out"
check "show --json: resolution, overdue false once closed" jqe '.resolution == "Resolved with the hospital" and .overdue == false and .entity_name_ar == "وزارة الصحة"' "$T_TMP/out"
run show "$R3" --json
check "show --json escapes quotes, backslashes, tabs, line breaks, ESC" [ "$(jq -r .original_text "$T_TMP/out")" = "$TEXT3" ]
check "show --json: overdue" jqe '.overdue == true' "$T_TMP/out"
run show "$R3"
check "show text: no control characters reach the terminal" bash -c '! grep -q "$2" <<<"$1" && grep -q "?\[31mred?\[0m" <<<"$1"' _ "$OUT" $'\033'
check "show text: multi-line text indented" grep -qE "^ {12}break " <<<"$OUT"
run show 1234567890
expect 1 "^tawasulctl: unknown reference 1234567890$" "show unknown reference exits 1"
run show "48392"
expect 1 "unknown reference '48392'" "show a non-reference exits 1"
run show
expect 1 "usage" "show without a reference exits 1"

# ---- PostgreSQL unreachable: exit 2 -----------------------------------------
conf_for "$T_TMP/down.conf" "hostaddr=127.0.0.1 port=$(free_port) connect_timeout=2"
for cmd in "entities list" "entities import $DATA/entities_ok.csv" "list" "show $R1" "set-status $R1 closed" "respond $R2 text"; do
	# shellcheck disable=SC2086
	"$CTL" -c "$T_TMP/down.conf" $cmd >/dev/null 2>"$T_TMP/err"
	rc=$?
	check "$cmd with PostgreSQL down exits 2" bash -c '[ "$1" -eq 2 ] && grep -q "cannot connect" "$2"' _ $rc "$T_TMP/err"
done
# A bad file is still a user error, before any connection.
printf 'nope\n' >"$T_TMP/hdr.csv"
"$CTL" -c "$T_TMP/down.conf" entities import "$T_TMP/hdr.csv" >/dev/null 2>&1
check "a bad file with PostgreSQL down is still exit 1" [ $? -eq 1 ]

t_done
