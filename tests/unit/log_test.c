/*
 * log_test.c - line format, level filtering, level specs and MSISDN tags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static size_t
capture(int fd, char *buf, size_t n)
{
	ssize_t r = read(fd, buf, n - 1);
	buf[r > 0 ? r : 0] = '\0';
	return r > 0 ? (size_t)r : 0;
}

static void
test_line_format(void **state)
{
	int p[2];
	char buf[4096];

	assert_int_equal(pipe(p), 0);
	log_set_fd(p[1]);
	log_set_level(LL_INFO);
	LOG(LC_PG, LL_INFO, "pg=%s state=%s", "main", "READY");
	LOG(LC_PG, LL_DEBUG, "pg=main body=secret-text");
	LOG(LC_REDIS, LL_ERROR, "redis=main reason=\"%s\"", "x y");
	log_set_fd(2);
	close(p[1]);
	capture(p[0], buf, sizeof(buf));
	close(p[0]);

	/* two lines: debug dropped */
	char *nl = strchr(buf, '\n');
	assert_non_null(nl);
	assert_non_null(strchr(nl + 1, '\n'));
	assert_null(strchr(strchr(nl + 1, '\n') + 1, '\n'));
	assert_null(strstr(buf, "secret-text"));
	assert_memory_equal(buf, "ts=", 3);
	assert_non_null(strstr(buf, "Z lvl=info cat=pg pg=main state=READY\n"));
	assert_non_null(
		strstr(buf, "lvl=error cat=redis redis=main reason=\"x y\"\n"));
}

static void
test_long_line_cut(void **state)
{
	int p[2];
	char buf[8192], big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(pipe(p), 0);
	log_set_fd(p[1]);
	LOG(LC_APP, LL_WARN, "k=%s", big);
	log_set_fd(2);
	close(p[1]);
	size_t n = capture(p[0], buf, sizeof(buf));
	close(p[0]);
	assert_true(n <= 2048);
	assert_memory_equal(buf + n - 4, "...\n", 4);
}

static void
test_spec(void **state)
{
	log_set_level(LL_INFO);
	assert_int_equal(log_spec_apply("warn,pg=debug"), 0);
	assert_int_equal(log_levels[LC_PG], LL_DEBUG);
	assert_int_equal(log_levels[LC_REDIS], LL_WARN);
	/* a bad spec changes nothing */
	assert_true(log_spec_apply("info,nosuch=debug") < 0);
	assert_true(log_spec_apply("info,pg=loud") < 0);
	assert_true(log_spec_apply("") < 0);
	assert_int_equal(log_levels[LC_PG], LL_DEBUG);
	assert_int_equal(log_levels[LC_REDIS], LL_WARN);
	assert_int_equal(log_spec_valid("debug"), 1);
	assert_int_equal(log_spec_valid("debug,"), 0);
	log_set_level(LL_INFO);
}

static void
test_msisdn_tag(void **state)
{
	uint8_t k1[16] = {1, 2, 3}, k2[16] = {9};
	char a[LOG_TAG_LEN], b[LOG_TAG_LEN], c[LOG_TAG_LEN], d[LOG_TAG_LEN];

	log_set_hash_key(k1);
	log_msisdn_tag("97333123456", 11, a);
	log_msisdn_tag("+973 3312 3456", 14, b);
	log_msisdn_tag("97333123457", 11, c);
	log_set_hash_key(k2);
	log_msisdn_tag("97333123456", 11, d);

	assert_int_equal(strlen(a), 14);
	assert_memory_equal(a, "m:", 2);
	assert_string_equal(a, b);     /* formatting does not matter */
	assert_string_not_equal(a, c); /* the number does */
	assert_string_not_equal(a, d); /* so does the key */
	assert_null(strstr(a, "3123456"));
}

static void
test_value(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"READY", "READY"},
		{"", "\"\""},
		{NULL, "\"\""},
		{"a b", "\"a b\""},
		{"k=v", "\"k=v\""},
		{"say \"hi\"", "\"say \\\"hi\\\"\""},
		{"back\\slash", "\"back\\\\slash\""},
		{"two\nlines\n", "\"two lines\""},
		{"tab\there", "\"tab here\""},
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_string_equal(log_value(buf, sizeof(buf), v[i].in),
				    v[i].out);
	/* cut to fit, still quoted and terminated */
	char small[8];
	log_value(small, sizeof(small), "a long reason here");
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(small[0], '"');
	assert_int_equal(small[strlen(small) - 1], '"');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_format),
		cmocka_unit_test(test_long_line_cut),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_msisdn_tag),
		cmocka_unit_test(test_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
