/*
 * sim_main.c - tawasul-smsc-sim, the SMSC simulator (SPEC §1 programs):
 * command line, start-up, the readiness line, dispatch of what the SMSC
 * saw to the scenario runner / flood / console, and the orderly exit with
 * the results on stdout.
 *
 * Owns struct sim and the mode objects. Exit status: 0 (scenario passed,
 * or a plain run stopped by SIGTERM/SIGINT), 1 (scenario failed or was
 * interrupted), 2 (usage, scenario file or listen error).
 *
 * stdout carries, in order: "sim listening port=N" (flushed at once),
 * the scenario result line, the flood JSON line, the summary JSON line
 * (or the summary goes to --summary FILE). Logs go to stderr.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "sim.h"
#include "sim_scenario.h"

#define FINISH_GRACE_MS 1000

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: tawasul-smsc-sim [options]\n"
		"  --port N              listen on 127.0.0.1:N (0: any free "
		"port)\n"
		"  --system-id S         accept binds with this system_id "
		"only\n"
		"  --password S          ... and this password\n"
		"  --smsc-id S           system_id in bind responses "
		"(TAWASULSIM)\n"
		"  --msgid hex|dec       message id format (hex)\n"
		"  --dlr                 send delivery receipts when asked\n"
		"  --dlr-delay-ms N      receipt delay (0)\n"
		"  --dlr-stat WORD       receipt stat (DELIVRD)\n"
		"  --dlr-err N           receipt err (0)\n"
		"  --dlr-id same|hex|dec id format in receipts (same)\n"
		"  --scenario FILE       run a scenario (docs/simulator.md)\n"
		"  --check               parse the scenario, print it, exit\n"
		"  --timeout MS          expect / MO reply timeout (5000; or "
		"Ns)\n"
		"  --stay                keep serving after the scenario\n"
		"  --throttle-every N    every Nth submit ESME_RTHROTTLED\n"
		"  --queue-full-every N  every Nth submit ESME_RMSGQFUL\n"
		"  --delay-ms N          hold every response N ms\n"
		"  --drop-after N        close the connection at the Nth "
		"submit\n"
		"  --mute-enquire        never answer enquire_link\n"
		"  --redeliver-ms N      resend an MO refused with a temporary "
		"error or lost with its connection after N ms\n"
		"  --summary FILE        write the JSON summary there\n"
		"  --record-max N        submits kept for the summary "
		"(100000)\n"
		"  --flood N             inject N MOs, report rate and "
		"latency\n"
		"  --window W            ... at most W unanswered (10)\n"
		"  --numbers K           ... from K numbers (100)\n"
		"  --flood-base MSISDN   first number (97330000000)\n"
		"  --flood-text TEXT     MO text, %%n = MO counter (HELP)\n"
		"  --console             interactive phone console on stdin\n"
		"  --short-code CODE     console/flood destination (80008001)\n"
		"  --log SPEC            log levels (warn; e.g. "
		"info,smpp=debug)\n"
		"  -h, --help            this text\n");
}

static int
parse_num(const char *v, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > max || v[0] == '-')
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* N or Nms (milliseconds), Ns (seconds). */
static int
parse_ms(const char *v, unsigned *out)
{
	char num[16];
	size_t n = strspn(v, "0123456789");
	unsigned mul = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	if (strcmp(v + n, "s") == 0)
		mul = 1000;
	else if (v[n] && strcmp(v + n, "ms") != 0)
		return -1;
	memcpy(num, v, n);
	num[n] = '\0';
	if (parse_num(num, 3600000 / mul, out) < 0)
		return -1;
	*out *= mul;
	return 0;
}

static int
parse_fmt(const char *v, enum sim_msgid_fmt *out, int same_ok)
{
	if (strcmp(v, "hex") == 0)
		*out = SIM_ID_HEX;
	else if (strcmp(v, "dec") == 0)
		*out = SIM_ID_DEC;
	else if (same_ok && strcmp(v, "same") == 0)
		*out = SIM_ID_SAME;
	else {
		fprintf(stderr, "tawasul-smsc-sim: bad id format '%s'\n", v);
		return -1;
	}
	return 0;
}

void
sim_notify_event(struct sim *s, struct sim_conn *c, enum sim_event ev)
{
	sim_deliver_conn_event(s, c, ev);
	if (s->script)
		sim_script_on_event(s->script, c, ev);
	if (s->flood)
		sim_flood_on_event(s->flood, c, ev);
	if (s->console)
		sim_console_on_event(s->console, c, ev);
}

void
sim_notify_pdu(struct sim *s, struct sim_conn *c, const struct smpp_pdu *p,
	       const uint8_t *raw, size_t len)
{
	if (s->script)
		sim_script_on_pdu(s->script, c, p, raw, len);
	if (s->flood && p)
		sim_flood_on_pdu(s->flood, c, p);
	if (s->console && p)
		sim_console_on_pdu(s->console, c, p);
}

static void
on_finish_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sim *s = arg;
	static unsigned long long started;
	struct timeval tv = {0, 20000};

	if (!started)
		started = loop_now_ms();
	if (s->nconns == 0 || loop_now_ms() - started > FINISH_GRACE_MS) {
		sim_conn_free_all(s);
		loop_stop(s->lp);
		return;
	}
	evtimer_add(s->finish_ev, &tv);
}

void
sim_finish(struct sim *s, int code)
{
	struct timeval tv = {0, 0};

	if (s->finishing)
		return;
	s->finishing = 1;
	s->exit_code = code;
	LOG(LC_MAIN, LL_INFO, "sim=main state=finishing code=%d", code);
	sim_conn_stop_listening(s);
	sim_conn_close_all(s, 1, "exit");
	s->finish_ev = evtimer_new(s->base, on_finish_tick, s);
	if (!s->finish_ev) {
		loop_stop(s->lp);
		return;
	}
	evtimer_add(s->finish_ev, &tv);
}

static void
on_signal(int sig, void *arg)
{
	struct sim *s = arg;

	LOG(LC_MAIN, LL_NOTICE, "sim=main signal=%d", sig);
	sim_finish(s, 0);
}

static struct sim_scenario *
load_scenario(const char *path)
{
	char err[512];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct sim_scenario *sc;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "tawasul-smsc-sim: %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			char *nb;
			if (cap > SIM_SCENARIO_MAX_BYTES)
				break;
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	sc = sim_scenario_parse(path, buf ? buf : "", len, err, sizeof(err));
	free(buf);
	if (!sc)
		fprintf(stderr, "tawasul-smsc-sim: %s\n", err);
	return sc;
}

enum {
	O_PORT = 256,
	O_SYSID,
	O_PASSWORD,
	O_SMSCID,
	O_MSGID,
	O_DLR,
	O_DLR_DELAY,
	O_DLR_STAT,
	O_DLR_ERR,
	O_DLR_ID,
	O_SCENARIO,
	O_CHECK,
	O_TIMEOUT,
	O_STAY,
	O_THROTTLE,
	O_QFULL,
	O_DELAY,
	O_DROP,
	O_MUTE,
	O_REDELIVER,
	O_SUMMARY,
	O_RECORD_MAX,
	O_RECORD_ALL,
	O_FLOOD,
	O_WINDOW,
	O_NUMBERS,
	O_FLOOD_BASE,
	O_FLOOD_TEXT,
	O_CONSOLE,
	O_SHORT_CODE,
	O_LOG,
};

static const struct option longopts[] = {
	{"port", required_argument, NULL, O_PORT},
	{"system-id", required_argument, NULL, O_SYSID},
	{"password", required_argument, NULL, O_PASSWORD},
	{"smsc-id", required_argument, NULL, O_SMSCID},
	{"msgid", required_argument, NULL, O_MSGID},
	{"dlr", no_argument, NULL, O_DLR},
	{"dlr-delay-ms", required_argument, NULL, O_DLR_DELAY},
	{"dlr-stat", required_argument, NULL, O_DLR_STAT},
	{"dlr-err", required_argument, NULL, O_DLR_ERR},
	{"dlr-id", required_argument, NULL, O_DLR_ID},
	{"scenario", required_argument, NULL, O_SCENARIO},
	{"check", no_argument, NULL, O_CHECK},
	{"timeout", required_argument, NULL, O_TIMEOUT},
	{"stay", no_argument, NULL, O_STAY},
	{"throttle-every", required_argument, NULL, O_THROTTLE},
	{"queue-full-every", required_argument, NULL, O_QFULL},
	{"delay-ms", required_argument, NULL, O_DELAY},
	{"drop-after", required_argument, NULL, O_DROP},
	{"mute-enquire", no_argument, NULL, O_MUTE},
	{"redeliver-ms", required_argument, NULL, O_REDELIVER},
	{"summary", required_argument, NULL, O_SUMMARY},
	{"record-max", required_argument, NULL, O_RECORD_MAX},
	{"record-all", no_argument, NULL, O_RECORD_ALL},
	{"flood", required_argument, NULL, O_FLOOD},
	{"window", required_argument, NULL, O_WINDOW},
	{"numbers", required_argument, NULL, O_NUMBERS},
	{"flood-base", required_argument, NULL, O_FLOOD_BASE},
	{"flood-text", required_argument, NULL, O_FLOOD_TEXT},
	{"console", no_argument, NULL, O_CONSOLE},
	{"short-code", required_argument, NULL, O_SHORT_CODE},
	{"log", required_argument, NULL, O_LOG},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Fills s->o from argv; returns 0, 1 (help printed) or -1 (usage). */
static int
parse_args(struct sim *s, int argc, char **argv, int *check)
{
	struct sim_opts *o = &s->o;
	unsigned v;
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PORT:
			rc = parse_num(optarg, 65535, &v);
			o->port = (int)v;
			break;
		case O_SYSID:
			o->system_id = optarg;
			rc = strlen(optarg) < SMPP_SYSTEM_ID_MAX ? 0 : -1;
			break;
		case O_PASSWORD:
			o->password = optarg;
			rc = strlen(optarg) < SMPP_PASSWORD_MAX ? 0 : -1;
			break;
		case O_SMSCID:
			o->smsc_id = optarg;
			rc = strlen(optarg) < SMPP_SYSTEM_ID_MAX ? 0 : -1;
			break;
		case O_MSGID:
			rc = parse_fmt(optarg, &o->msgid_fmt, 0);
			break;
		case O_DLR:
			o->dlr = 1;
			break;
		case O_DLR_DELAY:
			rc = parse_num(optarg, 3600000, &o->dlr_delay_ms);
			break;
		case O_DLR_STAT:
			rc = strlen(optarg) == 7 ? 0 : -1;
			snprintf(o->dlr_stat, sizeof(o->dlr_stat), "%s",
				 optarg);
			break;
		case O_DLR_ERR:
			rc = parse_num(optarg, 999, &o->dlr_err);
			break;
		case O_DLR_ID:
			rc = parse_fmt(optarg, &o->dlr_id_fmt, 1);
			break;
		case O_SCENARIO:
			o->scenario = optarg;
			break;
		case O_CHECK:
			*check = 1;
			break;
		case O_TIMEOUT:
			rc = parse_ms(optarg, &o->timeout_ms);
			break;
		case O_STAY:
			o->stay = 1;
			break;
		case O_THROTTLE:
			rc = parse_num(optarg, 1u << 30, &o->throttle_every);
			break;
		case O_QFULL:
			rc = parse_num(optarg, 1u << 30, &o->queue_full_every);
			break;
		case O_DELAY:
			rc = parse_num(optarg, 3600000, &o->delay_ms);
			break;
		case O_DROP:
			rc = parse_num(optarg, 1u << 30, &o->drop_after);
			break;
		case O_MUTE:
			o->mute_enquire = 1;
			break;
		case O_REDELIVER:
			rc = parse_num(optarg, 3600000, &o->redeliver_ms);
			break;
		case O_SUMMARY:
			o->summary_path = optarg;
			break;
		case O_RECORD_MAX:
			rc = parse_num(optarg, 10000000, &o->record_max);
			break;
		case O_RECORD_ALL:
			o->record_all = 1;
			break;
		case O_FLOOD:
			rc = parse_num(optarg, 10000000, &o->flood_n);
			break;
		case O_WINDOW:
			rc = parse_num(optarg, 60000, &o->flood_window);
			break;
		case O_NUMBERS:
			rc = parse_num(optarg, 1000000, &o->flood_numbers);
			break;
		case O_FLOOD_BASE:
			o->flood_base = optarg;
			break;
		case O_FLOOD_TEXT:
			o->flood_text = optarg;
			break;
		case O_CONSOLE:
			o->console = 1;
			break;
		case O_SHORT_CODE:
			o->short_code = optarg;
			rc = strlen(optarg) < 21 ? 0 : -1;
			break;
		case O_LOG:
			o->log_spec = optarg;
			rc = log_spec_valid(optarg) ? 0 : -1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
		if (rc < 0) {
			const char *name = "?";
			for (const struct option *lo = longopts; lo->name; lo++)
				if (lo->val == opt)
					name = lo->name;
			fprintf(stderr, "tawasul-smsc-sim: bad --%s '%s'\n",
				name, optarg);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	if (!!o->scenario + !!o->flood_n + !!o->console > 1) {
		fprintf(stderr, "tawasul-smsc-sim: --scenario, --flood and "
				"--console exclude each other\n");
		return -1;
	}
	if (o->flood_n && (!o->flood_window || !o->flood_numbers)) {
		fprintf(stderr, "tawasul-smsc-sim: --window and --numbers "
				"must be at least 1\n");
		return -1;
	}
	return 0;
}

static void
defaults(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->smsc_id = "TAWASULSIM";
	o->msgid_fmt = SIM_ID_HEX;
	o->dlr_id_fmt = SIM_ID_SAME;
	memcpy(o->dlr_stat, "DELIVRD", 8);
	o->timeout_ms = SIM_DEFAULT_TIMEOUT_MS;
	o->record_max = 100000;
	o->flood_window = 10;
	o->flood_numbers = 100;
	o->flood_base = "97330000000";
	o->flood_text = "HELP";
	o->short_code = "80008001";
	o->log_spec = "warn";
}

static int
write_summary(struct sim *s)
{
	FILE *f = s->out;

	if (s->o.summary_path) {
		f = fopen(s->o.summary_path, "w");
		if (!f) {
			fprintf(stderr, "tawasul-smsc-sim: %s: %s\n",
				s->o.summary_path, strerror(errno));
			return -1;
		}
	} else if (s->flood) {
		return 0; /* the flood report is the result */
	}
	sim_summary_write(s, f);
	if (f != s->out)
		fclose(f);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct sim sim;
	struct sim *s = &sim;
	struct sim_scenario *sc = NULL;
	int check = 0, rc = 2;

	defaults(&s->o);
	s->out = stdout;
	switch (parse_args(s, argc, argv, &check)) {
	case 1:
		return 0;
	case -1:
		return 2;
	}
	log_spec_apply(s->o.log_spec);
	signal(SIGPIPE, SIG_IGN);
	if (s->o.scenario) {
		sc = load_scenario(s->o.scenario);
		if (!sc)
			return 2;
		if (check) {
			sim_scenario_print(sc, stdout);
			sim_scenario_free(sc);
			return 0;
		}
	} else if (check) {
		fprintf(stderr, "tawasul-smsc-sim: --check needs --scenario\n");
		return 2;
	}
	s->fault.throttle_every = s->o.throttle_every;
	s->fault.queue_full_every = s->o.queue_full_every;
	s->fault.delay_ms = s->o.delay_ms;
	s->fault.drop_after = s->o.drop_after;
	s->fault.mute_enquire = s->o.mute_enquire;
	s->next_msgid = 0x2a000001u;
	s->next_ref = 1;

	s->lp = loop_new();
	s->sum = sim_summary_new(s->o.record_max);
	if (!s->lp || !s->sum)
		goto out;
	s->base = loop_base(s->lp);
	if (sim_conn_listen(s) < 0) {
		fprintf(stderr,
			"tawasul-smsc-sim: cannot listen on "
			"127.0.0.1:%d: %s\n",
			s->o.port, strerror(errno));
		goto out;
	}
	loop_on_signal(s->lp, SIGTERM, on_signal, s);
	loop_on_signal(s->lp, SIGINT, on_signal, s);
	fprintf(s->out, "sim listening port=%d\n", s->port);
	fflush(s->out);
	LOG(LC_MAIN, LL_INFO, "sim=main state=listening port=%d", s->port);
	if (sc) {
		s->script = sim_script_new(s, sc);
		if (!s->script)
			goto out;
		sc = NULL;
	} else if (s->o.flood_n) {
		s->flood = sim_flood_new(s);
		if (!s->flood)
			goto out;
	} else if (s->o.console) {
		s->console = sim_console_new(s);
		if (!s->console)
			goto out;
	}
	if (s->script)
		sim_script_start(s->script);
	loop_run(s->lp);

	rc = s->exit_code;
	if (s->script && sim_script_report(s->script, s->out))
		rc = 1;
	if (s->flood)
		sim_flood_report(s->flood, s->out);
	if (write_summary(s) < 0 && rc == 0)
		rc = 2;
out:
	sim_console_free(s->console);
	s->console = NULL;
	sim_flood_free(s->flood);
	s->flood = NULL;
	sim_script_free(s->script);
	s->script = NULL;
	sim_scenario_free(sc);
	if (s->lp) {
		sim_conn_stop_listening(s);
		sim_conn_free_all(s);
		sim_deliver_free_all(s);
		if (s->finish_ev)
			event_free(s->finish_ev);
		loop_free(s->lp);
	}
	sim_summary_free(s->sum);
	return rc;
}
