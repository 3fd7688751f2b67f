#!/bin/bash
# tls_test.sh - a link with tls = yes binds through TLS to an SMSC whose
# certificate its CA file trusts (numeric host checked against the
# certificate's IP address), and refuses one it does not trust. The SMSC
# side is the simulator behind a TLS terminator (socat).
. "$top_srcdir/tests/integration/lib.sh"

SIM=$top_builddir/tawasul-smsc-sim
: "${TAWASUL_REDIS_PORT:?}" "${TAWASUL_PG_CONNINFO:?}"
for t in openssl socat; do
	command -v $t >/dev/null || { echo "Bail out! $t missing (scripts/deps installs it)"; exit 1; }
done

cert() { # cert NAME: a self-signed certificate for IP 127.0.0.1
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$1" \
		-addext "subjectAltName=IP:127.0.0.1" \
		-keyout "$T_TMP/$1.key" -out "$T_TMP/$1.pem" >/dev/null 2>&1
}
cert smsc
cert stranger

"$SIM" --port 0 --system-id tawasul --password secret --log warn --stay >"$T_TMP/sim.out" 2>&1 &
SPID=$!
T_PIDS="$T_PIDS $SPID"
wait_for 10 grep -q '^sim listening' "$T_TMP/sim.out" || { echo "Bail out! simulator"; exit 1; }
sim_port=$(sed -n 's/^sim listening port=\([0-9]*\).*/\1/p' "$T_TMP/sim.out")
tls_port=$(free_port)
socat "openssl-listen:$tls_port,bind=127.0.0.1,reuseaddr,fork,verify=0,cert=$T_TMP/smsc.pem,key=$T_TMP/smsc.key" \
	"tcp:127.0.0.1:$sim_port" 2>"$T_TMP/socat.err" &
T_PIDS="$T_PIDS $!"
wait_for 10 port_open "$tls_port" || { echo "Bail out! TLS terminator"; exit 1; }

admin=$(free_port)
write_conf "$T_TMP/d.conf" "$admin"
cat >>"$T_TMP/d.conf" <<CONF
[smsc trusted]
host = 127.0.0.1
port = $tls_port
system_id = tawasul
password = secret
tls = yes
tls_ca_file = $T_TMP/smsc.pem
[smsc untrusted]
host = 127.0.0.1
port = $tls_port
system_id = tawasul
password = secret
tls = yes
tls_ca_file = $T_TMP/stranger.pem
reconnect_min = 200ms
reconnect_max = 500ms
CONF
start_daemon "$T_TMP/d.conf" "$T_TMP/d.log"
check "binds over TLS when the certificate is trusted" wait_for 10 log_has "$T_TMP/d.log" 'link=trusted conn=trx state=BINDING->BOUND'
check "refuses an SMSC whose certificate it does not trust" wait_for 10 log_has "$T_TMP/d.log" 'link=untrusted conn=trx state=CONNECTING->BACKOFF reason=.*certificate verify failed'
check "and never binds there" bash -c "! grep -q 'link=untrusted conn=trx state=BINDING->BOUND' '$T_TMP/d.log'"
kill -TERM "$DPID"
wait_for 5 bash -c "! kill -0 $DPID"
wait "$DPID"
check "SIGTERM over TLS: exit 0" [ $? -eq 0 ]
check "unbound over TLS before exit" log_has "$T_TMP/d.log" 'link=trusted conn=trx state=UNBINDING->STOPPED'

t_done
