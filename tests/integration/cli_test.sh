#!/bin/bash
# cli_test.sh - tawasuld's and tawasulctl's command lines: config checks
# with one-line errors naming file, line and key; dump; secret refusal;
# migrations against the suite's PostgreSQL.
. "$top_srcdir/tests/integration/lib.sh"

SAMPLE=$top_srcdir/config/tawasuld.conf.sample

out=$("$TAWASULD" --version)
check "--version prints the version" [ "${out#tawasuld }" != "$out" ]
"$TAWASULD" >/dev/null 2>&1
check "no arguments is a usage error (2)" [ $? -eq 2 ]
check "-h exits 0" "$TAWASULD" -h

out=$("$TAWASULD" -t -c "$SAMPLE" 2>&1)
check "-t accepts the sample" [ $? -eq 0 ]

# expect_error NAME FILE PATTERN: -t fails with one line matching PATTERN.
expect_error() {
	local name=$1 file=$2 pat=$3 out rc
	out=$("$TAWASULD" -t -c "$file" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
		printf '%s' "$out" | grep -qE "$pat"; then
		ok "$name"
	else
		not_ok "$name (rc=$rc)"
		printf '%s\n' "$out" | diag
	fi
}

bad=$T_TMP/bad.conf
sed 's/^max_inflight = 1024$/max_inflight = 1024\nmax_inflite = 3/' "$SAMPLE" >"$bad"
line=$(grep -n '^max_inflite' "$bad" | cut -d: -f1)
expect_error "unknown key names file, line and key" "$bad" "^tawasuld: $bad:$line: unknown key 'max_inflite' in \[redis\]$"

sed 's/^command_timeout = 1s$/command_timeout = 1 sec/' "$SAMPLE" >"$bad"
line=$(grep -n '^command_timeout' "$bad" | cut -d: -f1)
expect_error "bad duration names file, line and key" "$bad" "^tawasuld: $bad:$line: key 'command_timeout': bad duration '1 sec'"

sed '/^short_code = /d' "$SAMPLE" >"$bad"
line=$(grep -n '^\[gateway\]' "$bad" | cut -d: -f1)
expect_error "missing required key names file, line and key" "$bad" "^tawasuld: $bad:$line: missing required key 'short_code' in \[gateway\]$"

sed '/^system_id = /d' "$SAMPLE" >"$bad"
line=$(grep -n '^\[smsc batelco\]' "$bad" | cut -d: -f1)
expect_error "missing link key names the link" "$bad" "^tawasuld: $bad:$line: missing required key 'system_id' in \[smsc batelco\]$"

expect_error "missing file" "$T_TMP/nope.conf" "^tawasuld: $T_TMP/nope.conf:0: cannot open"

dump=$("$TAWASULD" --dump-config -c "$SAMPLE")
check "--dump-config shows defaults" grep -q '^enquire_link = 30s$' <<<"$dump"
check "--dump-config shows every section" [ "$(grep -c '^\[' <<<"$dump")" -eq 5 ]
sed 's/^password = ""$/password = hunter2/' "$SAMPLE" >"$bad"
dump=$("$TAWASULD" --dump-config -c "$bad")
check "--dump-config hides passwords" bash -c '! grep -q hunter2 <<<"$1" && grep -q "^password = \*\*\*\*\*\*\*\*$" <<<"$1"' _ "$dump"
printf '%s\n' "$dump" >"$T_TMP/dump.conf"
check "--dump-config output is a valid config" "$TAWASULD" -t -c "$T_TMP/dump.conf"

# The secret file: refused when group/world may read it.
"$TAWASULCTL" gen-secret "$T_TMP/secret" >/dev/null
check "gen-secret creates a 0600 file" [ "$(stat -c %a "$T_TMP/secret")" = 600 ]
"$TAWASULCTL" gen-secret "$T_TMP/secret" >/dev/null 2>&1
check "gen-secret never overwrites (exit 1)" [ $? -eq 1 ]
chmod 640 "$T_TMP/secret"
port=$(free_port)
cat >"$T_TMP/d.conf" <<CONF
[gateway]
short_code = 80008001
secret_file = $T_TMP/secret
[postgres]
conninfo = hostaddr=127.0.0.1 port=$port connect_timeout=1
[admin]
listen = 127.0.0.1:0
CONF
out=$(timeout 5 "$TAWASULD" -c "$T_TMP/d.conf" 2>&1)
rc=$?
check "daemon refuses a group-readable secret (exit 1)" [ $rc -eq 1 ]
check "and says why" grep -q "chmod 600" <<<"$out"
chmod 600 "$T_TMP/secret"

# tawasulctl exit codes: 1 user error, 2 system error.
"$TAWASULCTL" -c "$T_TMP/d.conf" frobnicate >/dev/null 2>&1
check "tawasulctl unknown command exits 1" [ $? -eq 1 ]
"$TAWASULCTL" -c "$T_TMP/d.conf" migrate >/dev/null 2>&1
check "tawasulctl migrate with PostgreSQL down exits 2" [ $? -eq 2 ]
"$TAWASULCTL" -c "$bad.missing" migrate >/dev/null 2>&1
check "tawasulctl with a missing config exits 1" [ $? -eq 1 ]

# Migrations against the suite's PostgreSQL, in a database of our own.
if [ -n "${TAWASUL_PG_CONNINFO:-}" ]; then
	db=tw_cli_$$
	psql -X -q "$TAWASUL_PG_CONNINFO" -c "CREATE DATABASE $db" >/dev/null
	conn=$(sed "s/dbname=[^ ]*/dbname=$db/" <<<"$TAWASUL_PG_CONNINFO")
	sed "s|^conninfo = .*|conninfo = $conn|" "$T_TMP/d.conf" >"$T_TMP/m.conf"
	out=$("$TAWASULCTL" -c "$T_TMP/m.conf" migrate 2>&1)
	check "migrate applies the schema" grep -q "migrated from version 0" <<<"$out"
	out=$("$TAWASULCTL" -c "$T_TMP/m.conf" migrate 2>&1)
	check "migrate again is a no-op" grep -q "schema is current" <<<"$out"
	n=$(psql -X -At "$conn" -c "SELECT count(*) FROM schema_version")
	check "schema_version holds one row per migration" [ "$n" = "$(ls "$top_srcdir"/sql/*.sql | wc -l)" ]
	psql -X -q "$conn" -c "INSERT INTO schema_version VALUES (9999, 'future')" >/dev/null
	"$TAWASULCTL" -c "$T_TMP/m.conf" migrate >"$T_TMP/out" 2>&1
	check "a newer database schema is refused (exit 1)" [ $? -eq 1 ]
	check "and says so" grep -q "newer than this build" "$T_TMP/out"
	psql -X -q "$TAWASUL_PG_CONNINFO" -c "DROP DATABASE $db" >/dev/null
else
	echo "# TAWASUL_PG_CONNINFO not set"
	not_ok "migrations need the suite's PostgreSQL"
fi

t_done
