/*
 * secret_test.c - secret file creation, loading and refusal.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "secret.h"

static char dir[] = "/tmp/tw-secret-XXXXXX";

static void
path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_generate_load(void **state)
{
	char p[256], err[256];
	struct secret a, b;
	struct stat st;

	path_in(p, sizeof(p), "gen");
	assert_int_equal(secret_generate(p, err, sizeof(err)), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(secret_load(p, &a, err, sizeof(err)), 0);
	/* never overwrites */
	assert_int_equal(secret_generate(p, err, sizeof(err)), -EEXIST);
	assert_int_equal(secret_load(p, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));

	/* two generations differ */
	path_in(p, sizeof(p), "gen2");
	assert_int_equal(secret_generate(p, err, sizeof(err)), 0);
	assert_int_equal(secret_load(p, &b, err, sizeof(err)), 0);
	assert_memory_not_equal(a.ref_key, b.ref_key, sizeof(a.ref_key));
}

static void
test_refusals(void **state)
{
	static const char good[] =
		"ref_key = "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"
		"1f\nlog_key = 0f0e0d0c0b0a09080706050403020100\n";
	static const struct {
		const char *text;
		mode_t mode;
		int rc;
		const char *err;
	} cases[] = {
		{good, 0600, 0, NULL},
		{good, 0400, 0, NULL},
		{good, 0640, -EPERM, "chmod 600"},
		{good, 0604, -EPERM, "lets group or others in"},
		{"log_key = 0f0e0d0c0b0a09080706050403020100\n", 0600, -EINVAL,
		 "missing ref_key"},
		{"ref_key = 00\nlog_key = 00\n", 0600, -EINVAL,
		 "ref_key needs 64 hex digits"},
		{"ref_keyz = 00\n", 0600, -EINVAL, ":1: unknown key"},
		{"ref_key x = 00\n", 0600, -EINVAL, ":1: expected"},
		{"log_key = 0f0e0d0c0b0a09080706050403020100 junk\n", 0600,
		 -EINVAL, ":1: expected"},
		{"log_key = 0f0e0d0c0b0a0908070605040302010g\n", 0600, -EINVAL,
		 "log_key needs 32 hex digits"},
		{"# c\nfoo = 00\n", 0600, -EINVAL, ":2: unknown key"},
		{"ref_key\n", 0600, -EINVAL, ":1: expected"},
	};
	char p[256], err[256];
	struct secret s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path_in(p, sizeof(p), "case");
		unlink(p);
		write_file(p, cases[i].text, cases[i].mode);
		err[0] = '\0';
		int rc = secret_load(p, &s, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d (%s)", i, rc, err);
		if (cases[i].err && !strstr(err, cases[i].err))
			fail_msg("case %zu: error '%s'", i, err);
		/* key material never appears in an error */
		assert_null(strstr(err, "0f0e0d"));
		if (rc == 0) {
			assert_int_equal(s.ref_key[31], 0x1f);
			assert_int_equal(s.log_key[0], 0x0f);
		}
	}
	path_in(p, sizeof(p), "absent");
	assert_int_equal(secret_load(p, &s, err, sizeof(err)), -ENOENT);
	unlink(p);
}

static int
setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char p[256];
	const char *names[] = {"gen", "gen2", "case"};
	for (size_t i = 0; i < 3; i++) {
		path_in(p, sizeof(p), names[i]);
		unlink(p);
	}
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_load),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
