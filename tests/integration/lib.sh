# lib.sh - helpers for the shell integration tests (TAP output).
#
# Every wait polls for a condition with a deadline: no sleep-then-grep.
# Processes started here are killed by PID when the test exits.
set -u

: "${top_srcdir:?}" "${top_builddir:?}"
TAWASULD=$top_builddir/tawasuld
TAWASULCTL=$top_builddir/tawasulctl
SERVICES=$top_srcdir/scripts/services

T_N=0
T_FAILED=0
T_PIDS=""
T_DROP_DB=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tw-test.XXXXXX")

t_cleanup() {
	exec 2>/dev/null # no "Killed" notices from the shell's job reaping
	for p in $T_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "${T_DROP_DB:-}" ] && [ -z "${T_KEEP:-}" ]; then
		psql -X -q "$TAWASUL_PG_CONNINFO" -c "DROP DATABASE IF EXISTS $T_DROP_DB WITH (FORCE)" >/dev/null 2>&1
	fi
	if [ -n "${T_OWN_SERVICES:-}" ]; then
		TAWASUL_SERVICES_DIR=$T_OWN_SERVICES "$SERVICES" clean >/dev/null 2>&1
	fi
	[ -n "${T_KEEP:-}" ] || rm -rf "$T_TMP"
}
trap t_cleanup EXIT

ok() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $*"
}

not_ok() {
	T_N=$((T_N + 1))
	T_FAILED=1
	echo "not ok $T_N - $*"
}

# check NAME COMMAND...: one test line from a command's exit status.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

diag() {
	sed 's/^/# /'
}

# wait_for SECONDS COMMAND...: polls every 50 ms until COMMAND succeeds.
wait_for() {
	local limit=$1
	shift
	local end=$(($(date +%s%N) / 1000000 + limit * 1000))
	while ! "$@" >/dev/null 2>&1; do
		[ $(($(date +%s%N) / 1000000)) -ge $end ] && return 1
		sleep 0.05
	done
}

# elapsed_ms START_MS
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# log_has FILE PATTERN: the daemon's log holds a line matching PATTERN.
log_has() { grep -qE "$2" "$1"; }

# log_count FILE PATTERN
log_count() { grep -cE "$2" "$1" || true; }

# free_port: a loopback TCP port no socket uses right now, below the
# kernel's ephemeral range (a client's port there, even in TIME_WAIT,
# would make a later bind fail or stray into a capture).
free_port() {
	local lo p
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$lo" -gt 21000 ] || lo=32768
	while :; do
		p=$((20000 + RANDOM % (lo - 20000)))
		[ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ] &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
			{
				echo "$p"
				return
			}
	done
}

# avoid_midnight TZ SECS: when midnight in TZ is less than SECS away,
# sleeps past it, so that checks counting days see one day throughout.
avoid_midnight() {
	local h m s left
	IFS=: read -r h m s <<<"$(TZ=$1 date +%H:%M:%S)"
	left=$((86400 - 10#$h * 3600 - 10#$m * 60 - 10#$s))
	[ "$left" -gt "$2" ] || sleep $((left + 2))
}

# http_get PORT PATH: prints the status code and body.
http_get() {
	curl -s -m 2 -o "$T_TMP/body" -w '%{http_code}' "http://127.0.0.1:$1$2" || true
}

# own_services: a private Redis + PostgreSQL for tests that stop them.
own_services() {
	T_OWN_SERVICES=$T_TMP/services
	export TAWASUL_SERVICES_DIR=$T_OWN_SERVICES
	"$SERVICES" start all >"$T_TMP/services.log" 2>&1 || {
		echo "Bail out! services did not start"
		diag <"$T_TMP/services.log"
		exit 1
	}
	# shellcheck disable=SC1091
	. "$T_OWN_SERVICES/env"
}

# write_conf FILE [EXTRA-LINES]: a config for the services in the env.
write_conf() {
	local f=$1 admin_port=$2
	cat >"$f" <<CONF
[gateway]
short_code = 80008001
secret_file = $T_TMP/secret
catalog_file = $top_srcdir/config/messages.conf
log_level = info
drain_timeout = 5s
[redis]
host = 127.0.0.1
port = $TAWASUL_REDIS_PORT
key_prefix = t$$:
connect_timeout = 500ms
command_timeout = 1s
reconnect_min = 50ms
reconnect_max = 1s
[postgres]
conninfo = $TAWASUL_PG_CONNINFO
connect_timeout = 1s
reconnect_min = 50ms
reconnect_max = 1s
[admin]
listen = 127.0.0.1:$admin_port
CONF
	[ -f "$T_TMP/secret" ] || "$TAWASULCTL" gen-secret "$T_TMP/secret" >/dev/null
}

# add_sim_link CONF PORT [KEY=VALUE...]: an [smsc sim] section for the
# simulator on PORT (system_id tawasul, password secret), extra keys after.
add_sim_link() {
	local f=$1 port=$2
	shift 2
	printf '[smsc sim]\nhost = 127.0.0.1\nport = %s\nsystem_id = tawasul\npassword = secret\n' "$port" >>"$f"
	for kv in "$@"; do printf '%s\n' "${kv/=/ = }" >>"$f"; done
}

# prepare_db CONF: the schema and the sample entities, as an operator
# would set up before starting the daemon.
prepare_db() {
	"$TAWASULCTL" -c "$1" migrate >/dev/null &&
		"$TAWASULCTL" -c "$1" entities import "$top_srcdir/config/entities.csv" >/dev/null
}

# own_db CONF: points CONF at a fresh database of the suite's PostgreSQL
# (dropped at exit) and prepares it; sets DB_CONN.
own_db() {
	local db=tw_$(basename "$0" .sh)_$$
	psql -X -q "$TAWASUL_PG_CONNINFO" -c "CREATE DATABASE $db" >/dev/null || return 1
	DB_CONN=$(sed "s/dbname=[^ ]*/dbname=$db/" <<<"$TAWASUL_PG_CONNINFO")
	T_DROP_DB="$db"
	sed -i "s|^conninfo = .*|conninfo = $DB_CONN|" "$1"
	prepare_db "$1"
}

# sql QUERY: one value (or rows, unaligned) from DB_CONN.
sql() { psql -X -At "$DB_CONN" -c "$1"; }

# start_daemon CONF LOG: starts tawasuld in the background; sets DPID.
start_daemon() {
	"$TAWASULD" -c "$1" >"$2" 2>&1 &
	DPID=$!
	T_PIDS="$T_PIDS $DPID"
}

alive() { kill -0 "$1" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# nothing_left DIR PORT...: no live process mentions DIR, no PORT listens.
# (Redis renames its process title, hence the ports; zombies hold nothing.)
nothing_left() {
	local dir=$1 p
	shift
	for p in "$@"; do
		port_open "$p" && return 1
	done
	! ps -eo stat=,args= | awk -v d="$dir" '$1 !~ /^Z/ && index($0, d) && !/ps -eo|awk/' | grep -q .
}

t_done() {
	echo "1..$T_N"
	exit $T_FAILED
}
