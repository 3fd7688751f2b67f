#!/bin/bash
# daemon_test.sh - tawasuld against a private Redis and PostgreSQL:
# readiness, store outages and reconnection (back within 5 s), SIGHUP
# with a broken file keeping the old config, SIGTERM exiting 0 in 2 s.
. "$top_srcdir/tests/integration/lib.sh"

own_services
admin=$(free_port)
conf=$T_TMP/tawasuld.conf
log=$T_TMP/tawasuld.log
write_conf "$conf" "$admin"
start_daemon "$conf" "$log"

# Migrated by the daemon itself; not ready while the triage entity is
# unknown; ready once the entities are imported and reloaded (SIGHUP).
check "schema migrated at start-up" wait_for 15 log_has "$log" 'schema=migrated from=0'
check "not ready without the triage entity" wait_for 5 bash -c "[ \"\$(curl -s -m 1 http://127.0.0.1:$admin/readyz)\" != ok ] && curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:$admin/readyz | grep -q 503"
check "/readyz says why" bash -c "curl -s -m 1 http://127.0.0.1:$admin/readyz | grep -q 'triage entity IGA unknown'"
"$TAWASULCTL" -c "$conf" entities import "$top_srcdir/config/entities.csv" >/dev/null
kill -HUP "$DPID"
if wait_for 15 log_has "$log" 'cat=main state=ready'; then
	ok "daemon becomes ready (schema migrated, stores connected)"
else
	not_ok "daemon becomes ready"
	diag <"$log"
	t_done
fi
check "/healthz answers 200" [ "$(http_get "$admin" /healthz)" = 200 ]
check "/readyz answers 200" [ "$(http_get "$admin" /readyz)" = 200 ]
code=$(http_get "$admin" /metrics)
check "/metrics answers 200" [ "$code" = 200 ]
check "/metrics says ready" grep -q '^tawasul_ready 1$' "$T_TMP/body"
check "/metrics has the schema version" grep -q "^tawasul_schema_version $(ls "$top_srcdir"/sql/*.sql | wc -l)\$" "$T_TMP/body"
check "unknown admin path is 404" [ "$(http_get "$admin" /nope)" = 404 ]

# outage NAME SERVICE LOGPREFIX: stop, see retries, start, back in 5 s.
outage() {
	local name=$1 svc=$2 obj=$3 before t0 ready_before
	ready_before=$(log_count "$log" "$obj state=CONNECTING->READY")
	"$SERVICES" stop "$svc" >/dev/null 2>&1
	if wait_for 5 log_has "$log" "$obj state=READY->BACKOFF"; then
		ok "$name down: the daemon notices"
	else
		not_ok "$name down: the daemon notices"
	fi
	check "$name down: /readyz is 503" wait_for 3 bash -c "[ \"\$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:$admin/readyz)\" = 503 ]"
	before=$(log_count "$log" "$obj state=BACKOFF->CONNECTING")
	check "$name down: it keeps retrying with backoff" wait_for 5 bash -c "[ \$(grep -cE '$obj state=BACKOFF->CONNECTING' '$log') -ge $((before + 2)) ]"
	check "$name down: the daemon stays up" alive "$DPID"
	"$SERVICES" start "$svc" >/dev/null 2>&1
	t0=$(now_ms)
	if wait_for 5 bash -c "[ \$(grep -cE '$obj state=CONNECTING->READY' '$log') -gt $ready_before ]"; then
		ok "$name back: reconnected in $(($(now_ms) - t0)) ms (limit 5000)"
	else
		not_ok "$name back: reconnected within 5 s"
		tail -n 20 "$log" | diag
	fi
	check "$name back: ready again" wait_for 3 log_has "$log" 'cat=main state=ready'
	check "$name back: /readyz is 200" wait_for 3 bash -c "[ \"\$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:$admin/readyz)\" = 200 ]"
}
outage Redis redis redis=main
outage PostgreSQL pg pg=main

# SIGHUP with a broken file keeps the old config (and its admin port).
cp "$conf" "$T_TMP/good.conf"
new_admin=$(free_port)
sed "s/^listen = .*/listen = 127.0.0.1:$new_admin/" "$T_TMP/good.conf" >"$conf"
printf 'bogus_key = 1\n' >>"$conf"
kill -HUP "$DPID"
check "broken reload is refused" wait_for 3 log_has "$log" "reload=failed kept=old reason=\".*unknown key 'bogus_key'"
check "daemon still running after a broken reload" alive "$DPID"
check "old admin address still serves" [ "$(http_get "$admin" /healthz)" = 200 ]
check "new admin address not taken" [ "$(http_get "$new_admin" /healthz)" != 200 ]
check "still ready after a broken reload" [ "$(http_get "$admin" /readyz)" = 200 ]

# A good reload takes effect: new admin address, debug logging.
sed "s/^listen = .*/listen = 127.0.0.1:$new_admin/; s/^log_level = .*/log_level = info,admin=debug/" "$T_TMP/good.conf" >"$conf"
kill -HUP "$DPID"
check "good reload is applied" wait_for 3 log_has "$log" 'reload=ok'
check "new admin address serves" wait_for 3 bash -c "[ \"\$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:$new_admin/healthz)\" = 200 ]"
check "old admin address released" [ "$(http_get "$admin" /healthz)" != 200 ]
check "stores untouched by an unrelated reload" log_has "$log" 'reload=ok .* pg=kept redis=kept admin=replaced'

# A reload that changes the stores' settings replaces just those clients.
cp "$conf" "$T_TMP/good2.conf"
sed "s/^\(conninfo = .*\)$/\1 application_name=tawasuld_reloaded/; s/^command_timeout = .*/command_timeout = 2s/" "$T_TMP/good2.conf" >"$conf"
kill -HUP "$DPID"
check "store reload replaces both clients" wait_for 3 log_has "$log" 'reload=ok .* pg=replaced redis=replaced admin=kept'
check "ready again on the new clients" wait_for 5 bash -c "[ \"\$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:$new_admin/readyz)\" = 200 ]"
n=$(psql -X -At "$TAWASUL_PG_CONNINFO" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tawasuld_reloaded'")
check "the new PostgreSQL client uses the new conninfo" [ "$n" = 1 ]
sed "s/^drain_timeout = .*/drain_timeout = 4s/" "$conf" >"$T_TMP/c3" && cp "$T_TMP/c3" "$conf"
kill -HUP "$DPID"
check "a gateway-only change keeps both store connections" wait_for 3 log_has "$log" 'reload=ok .* pg=kept redis=kept admin=kept'

# Phone numbers never reach the log in clear; passwords never.
check "log lines are key=value with ts, lvl and cat" bash -c "! grep -vE '^ts=[0-9T:.-]+Z lvl=[a-z]+ cat=[a-z]+ [a-z_]+=' '$log'"

# SIGTERM: drain and exit 0 within 2 s.
t0=$(now_ms)
kill -TERM "$DPID"
if wait_for 2 bash -c "! kill -0 $DPID"; then
	wait "$DPID"
	rc=$?
	ok "SIGTERM: exited in $(($(now_ms) - t0)) ms (limit 2000)"
	check "SIGTERM: exit status 0" [ $rc -eq 0 ]
else
	not_ok "SIGTERM: exited within 2 s"
fi
check "SIGTERM: drained before stopping" log_has "$log" 'cat=main state=drained'

# Nothing left running once the private services are cleaned.
TAWASUL_SERVICES_DIR=$T_OWN_SERVICES "$SERVICES" stop all >/dev/null 2>&1
check "private services stopped, nothing left running" nothing_left "$T_OWN_SERVICES" "$TAWASUL_REDIS_PORT" "$TAWASUL_PG_PORT"

t_done
