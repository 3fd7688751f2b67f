/*
 * main.c - tawasuld, the Tawasul Gateway daemon (SPEC §9).
 *
 * Runs in the foreground (systemd style) and logs to stderr. Parses the
 * command line, loads the config, then hands over to gateway.c and the
 * loop. Exit status: 0 after a clean drain, 1 on a config or start-up
 * error, 2 on a usage error.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "gateway.h"
#include "log.h"
#include "loop.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: tawasuld -c FILE [-t] [--dump-config]\n"
		"       tawasuld --version | -h\n"
		"  -c, --config FILE   configuration file (required)\n"
		"  -t, --test          check the configuration and exit\n"
		"      --dump-config   print the effective configuration and "
		"exit\n"
		"      --version       print the version and exit\n"
		"  -h, --help          this text\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"test", no_argument, NULL, 't'},
		{"dump-config", no_argument, NULL, 'D'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int test = 0, dump = 0, opt, rc = 1;
	char err[512], val[600];

	while ((opt = getopt_long(argc, argv, "c:th", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'D':
			dump = 1;
			break;
		case 'V':
			printf("tawasuld %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}

	struct conf *c = conf_load(path, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "tawasuld: %s\n", err);
		return 1;
	}
	if (test || dump) {
		if (dump)
			conf_dump(c, stdout);
		else
			printf("tawasuld: configuration %s is ok\n", path);
		conf_free(c);
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	struct loop *lp = loop_new();
	if (!lp) {
		fprintf(stderr, "tawasuld: cannot create the event loop\n");
		conf_free(c);
		return 1;
	}
	struct gateway *gw = gateway_new(lp, c, err, sizeof(err));
	if (!gw) {
		fprintf(stderr, "tawasuld: %s\n", err);
		LOG(LC_MAIN, LL_ERROR, "state=failed reason=%s",
		    log_value(val, sizeof(val), err));
		goto out;
	}
	rc = loop_run(lp) < 0 ? 1 : 0;
	LOG(LC_MAIN, LL_NOTICE, "state=stopped status=%d", rc);
out:
	gateway_free(gw);
	loop_free(lp);
	return rc;
}
