/*
 * workdays_test.c - due dates as creation + N working days: Bahraini
 * weekend (Friday, Saturday), holiday runs, creation on a weekend,
 * leap years and year ends, other weekends; civil date conversions over
 * a wide range; strict date and weekend parsing. Working-day sums are
 * also compared with a naive day-by-day count.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workdays.h"

#define FRI_SAT WORKDAYS_WEEKEND_DEFAULT
#define SUN     (1u << WORKDAYS_SUN)

static int32_t
day(const char *s)
{
	int32_t d = 0;

	assert_int_equal(workdays_parse_date(s, &d), 0);
	return d;
}

static void
test_known_dates(void **state)
{
	static const struct {
		int y;
		unsigned m, d;
		int32_t days;
		unsigned wday;
	} v[] = {
		{1970, 1, 1, 0, WORKDAYS_THU},
		{1969, 12, 31, -1, WORKDAYS_WED},
		{1969, 12, 28, -4, WORKDAYS_SUN},
		{1969, 12, 27, -5, WORKDAYS_SAT},
		{2000, 3, 1, 11017, WORKDAYS_WED},
		{2025, 1, 2, 20090, WORKDAYS_THU},
		{2028, 2, 29, 21243, WORKDAYS_TUE},
		{1, 1, 1, -719162, WORKDAYS_MON},
		{0, 3, 1, -719468, WORKDAYS_WED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int y;
		unsigned m, d;

		assert_int_equal(workdays_from_civil(v[i].y, v[i].m, v[i].d),
				 v[i].days);
		workdays_to_civil(v[i].days, &y, &m, &d);
		assert_int_equal(y, v[i].y);
		assert_int_equal(m, v[i].m);
		assert_int_equal(d, v[i].d);
		assert_int_equal(workdays_weekday(v[i].days), v[i].wday);
	}
}

/* Every day of about +-5500 years: the civil date advances by one day,
 * converts back, and the weekday turns. Also the int32_t extremes. */
static void
test_civil_roundtrip(void **state)
{
	int py;
	unsigned pm, pd, pw;
	const int32_t lo = -2700000, hi = 2700000;

	(void)state;
	workdays_to_civil(lo - 1, &py, &pm, &pd);
	pw = workdays_weekday(lo - 1);
	for (int32_t z = lo; z <= hi; z++) {
		int y;
		unsigned m, d, w = workdays_weekday(z);

		workdays_to_civil(z, &y, &m, &d);
		if (workdays_from_civil(y, m, d) != z) {
			print_error("day %d -> %d-%u-%u\n", z, y, m, d);
			fail();
		}
		if (d == pd + 1) {
			assert_true(y == py && m == pm);
		} else {
			assert_int_equal(d, 1);
			assert_true((y == py && m == pm + 1) ||
				    (y == py + 1 && m == 1 && pm == 12));
			assert_true(pd >= 28);
		}
		assert_true(w < 7 && w == (pw + 1) % 7);
		py = y;
		pm = m;
		pd = d;
		pw = w;
	}

	static const int32_t ext[] = {INT32_MIN, INT32_MIN + 1, INT32_MAX - 1,
				      INT32_MAX};
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		int y;
		unsigned m, d;

		workdays_to_civil(ext[i], &y, &m, &d);
		assert_int_equal(workdays_from_civil(y, m, d), ext[i]);
		assert_true(workdays_weekday(ext[i]) < 7);
	}
}

/* Bahrain: Eid al-Fitr 2025, National Day 2025, New Year's Day 2025 and
 * 2026; the same day twice (two sources) is allowed. */
static const char *const holiday_text[] = {
	"2025-01-01", "2025-03-30", "2025-03-31", "2025-04-01",
	"2025-04-01", "2025-12-16", "2025-12-17", "2026-01-01",
};

static void
test_add_table(void **state)
{
	static const struct {
		const char *start;
		unsigned n;
		unsigned weekend;
		int use_holidays;
		const char *due;
	} c[] = {
		/* Thursday + 1 skips the weekend */
		{"2025-01-02", 1, FRI_SAT, 1, "2025-01-05"},
		{"2025-01-02", 5, FRI_SAT, 1, "2025-01-09"},
		{"2025-01-02", 6, FRI_SAT, 1, "2025-01-12"},
		/* n = 0 is the creation day, even on a weekend or holiday */
		{"2025-01-02", 0, FRI_SAT, 1, "2025-01-02"},
		{"2025-01-03", 0, FRI_SAT, 1, "2025-01-03"},
		{"2025-03-30", 0, FRI_SAT, 1, "2025-03-30"},
		/* created on the weekend */
		{"2025-01-03", 1, FRI_SAT, 1, "2025-01-05"},
		{"2025-01-04", 1, FRI_SAT, 1, "2025-01-05"},
		{"2025-01-04", 5, FRI_SAT, 1, "2025-01-09"},
		/* Eid al-Fitr: Sunday to Tuesday off */
		{"2025-03-27", 1, FRI_SAT, 1, "2025-04-02"},
		{"2025-03-27", 3, FRI_SAT, 1, "2025-04-06"},
		{"2025-03-27", 3, FRI_SAT, 0, "2025-04-01"},
		/* created on a holiday */
		{"2025-03-31", 1, FRI_SAT, 1, "2025-04-02"},
		/* National Day, then the weekend */
		{"2025-12-15", 2, FRI_SAT, 1, "2025-12-21"},
		/* year end with New Year's Day */
		{"2024-12-26", 5, FRI_SAT, 1, "2025-01-05"},
		{"2025-12-31", 1, FRI_SAT, 1, "2026-01-04"},
		{"2025-12-31", 1, FRI_SAT, 0, "2026-01-01"},
		/* leap day counts */
		{"2028-02-25", 3, FRI_SAT, 1, "2028-02-29"},
		{"2028-02-28", 2, FRI_SAT, 1, "2028-03-01"},
		{"2027-02-26", 3, FRI_SAT, 1, "2027-03-02"},
		/* Sunday-only weekend */
		{"2025-01-04", 1, SUN, 1, "2025-01-06"},
		{"2025-01-02", 2, SUN, 1, "2025-01-04"},
		/* no weekend */
		{"2025-01-02", 3, 0, 1, "2025-01-05"},
		{"2025-03-29", 1, 0, 1, "2025-04-02"},
		/* six-day weekend: only Wednesdays work */
		{"2025-01-02", 2, WORKDAYS_ALL_DAYS & ~(1u << WORKDAYS_WED), 0,
		 "2025-01-15"},
		/* the cap */
		{"2025-01-02", WORKDAYS_MAX_N, FRI_SAT, 0, "2038-12-30"},
	};
	int32_t hol[8];

	(void)state;
	for (size_t i = 0; i < 8; i++)
		hol[i] = day(holiday_text[i]);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int32_t due = 0;
		char got[WORKDAYS_DATE_SIZE];
		int rc = workdays_add(day(c[i].start), c[i].n, c[i].weekend,
				      c[i].use_holidays ? hol : NULL,
				      c[i].use_holidays ? 8 : 0, &due);

		assert_int_equal(rc, 0);
		assert_int_equal(workdays_format_date(due, got), 0);
		if (strcmp(got, c[i].due) != 0) {
			print_error("case %zu: %s + %u = %s, want %s\n", i,
				    c[i].start, c[i].n, got, c[i].due);
			fail();
		}
	}
}

/* The due date against a naive count with a linear holiday lookup. */
static int
naive_working(int32_t z, unsigned mask, const int32_t *h, size_t nh)
{
	if (mask & (1u << workdays_weekday(z)))
		return 0;
	for (size_t i = 0; i < nh; i++)
		if (h[i] == z)
			return 0;
	return 1;
}

static void
test_add_against_naive(void **state)
{
	static const unsigned masks[] = {FRI_SAT, SUN, 0, 0x41, 0x3e};
	int32_t h[40];
	size_t nh = 0;
	uint32_t rnd = 12345;
	int32_t base = day("2024-06-01");

	(void)state;
	for (int32_t z = base; nh < 40; z += 5 + (z % 7)) /* some clusters */
		h[nh++] = z;
	for (unsigned k = 0; k < 5000; k++) {
		int32_t start, due = 0, z;
		unsigned n, mask = masks[k % 5], count = 0;

		rnd = rnd * 1103515245 + 12345;
		start = base - 10 + (int32_t)((rnd >> 8) % 400);
		n = (rnd >> 20) % 60;
		assert_int_equal(workdays_add(start, n, mask, h, nh, &due), 0);
		for (z = start; count < n;)
			count += naive_working(++z, mask, h, nh);
		assert_int_equal(due, z);
	}
}

static void
test_add_errors(void **state)
{
	int32_t start = day("2025-01-02"), due = 777;
	int32_t unsorted[2] = {day("2025-01-05"), day("2025-01-04")};
	int32_t one = start + 1;

	(void)state;
	assert_int_equal(
		workdays_add(start, 1, WORKDAYS_ALL_DAYS, NULL, 0, &due),
		-EINVAL);
	assert_int_equal(
		workdays_add(start, 0, WORKDAYS_ALL_DAYS, NULL, 0, &due),
		-EINVAL);
	assert_int_equal(workdays_add(start, 1, 0x80, NULL, 0, &due), -EINVAL);
	assert_int_equal(
		workdays_add(start, WORKDAYS_MAX_N + 1, FRI_SAT, NULL, 0, &due),
		-EINVAL);
	assert_int_equal(workdays_add(start, 1, FRI_SAT, NULL, 1, &due),
			 -EINVAL);
	assert_int_equal(workdays_add(start, 1, FRI_SAT, unsorted, 2, &due),
			 -EINVAL);
	assert_int_equal(due, 777);
	assert_int_equal(workdays_add(INT32_MAX - 3, 10, 0, NULL, 0, &due),
			 -ERANGE);
	assert_int_equal(workdays_add(INT32_MAX - 3, 3, 0, NULL, 0, &due), 0);
	assert_int_equal(due, INT32_MAX);
	assert_int_equal(workdays_add(start, 1, 0, &one, 1, &due), 0);
	assert_int_equal(due, start + 2);
}

static void
test_holidays_normalize(void **state)
{
	int32_t h[] = {5, 3, 5, -1, 3, 3, 9};
	int32_t one[] = {4};

	(void)state;
	assert_int_equal(workdays_holidays_normalize(h, 7), 4);
	assert_int_equal(h[0], -1);
	assert_int_equal(h[1], 3);
	assert_int_equal(h[2], 5);
	assert_int_equal(h[3], 9);
	assert_int_equal(workdays_holidays_normalize(one, 1), 1);
	assert_int_equal(workdays_holidays_normalize(NULL, 0), 0);
}

static void
test_parse_weekend(void **state)
{
	static const struct {
		const char *in;
		int rc;
		unsigned mask;
	} c[] = {
		{"fri,sat", 0, FRI_SAT},
		{"Fri, Sat", 0, FRI_SAT},
		{" FRI ,\tsAt ", 0, FRI_SAT},
		{"sat,fri", 0, FRI_SAT},
		{"sun", 0, SUN},
		{"", 0, 0},
		{"   ", 0, 0},
		{"sun,mon,tue,wed,thu,fri", 0, 0x3f},
		{"mon,tue,wed,thu,fri,sat", 0, 0x7e},
		{"sun,mon,tue,wed,thu,fri,sat", -EINVAL, 0},
		{"sat,sun,mon,tue,wed,thu,fri", -EINVAL, 0},
		{"fri,,sat", -EINVAL, 0},
		{"fri,", -EINVAL, 0},
		{",fri", -EINVAL, 0},
		{",", -EINVAL, 0},
		{"friday", -EINVAL, 0},
		{"fr", -EINVAL, 0},
		{"fri sat", -EINVAL, 0},
		{"fri;sat", -EINVAL, 0},
		{"fri,fri", -EINVAL, 0},
		{"xyz", -EINVAL, 0},
		{"fri\n", -EINVAL, 0},
		{"f\xc3\xa9t", -EINVAL, 0},
		{"5", -EINVAL, 0},
		{"fri2", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		unsigned mask = 0xdead;
		int rc = workdays_parse_weekend(c[i].in, &mask);

		if (rc != c[i].rc ||
		    mask != (c[i].rc == 0 ? c[i].mask : 0xdead)) {
			print_error("weekend \"%s\": rc %d mask %#x\n", c[i].in,
				    rc, mask);
			fail();
		}
	}
}

static void
test_parse_date(void **state)
{
	static const char *const ok[] = {
		"1970-01-01", "2000-02-29", "2024-02-29", "2025-12-31",
		"0000-01-01", "0000-02-29", "9999-12-31", "2025-04-30",
	};
	static const char *const bad[] = {
		"2025-02-29",
		"1900-02-29",
		"2100-02-29",
		"2024-02-30",
		"2025-04-31",
		"2025-06-31",
		"2025-13-01",
		"2025-00-10",
		"2025-01-00",
		"2025-01-32",
		"2025-1-01",
		"2025-01-1",
		"2025-01-011",
		"2025/01/01",
		" 2025-01-01",
		"2025-01-01 ",
		"",
		"+025-01-01",
		"-025-01-01",
		"20250101",
		"2025-01",
		"2025-01-",
		"２025-01-01",
		"2025-0a-01",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int32_t d = 0;
		char back[WORKDAYS_DATE_SIZE];

		assert_int_equal(workdays_parse_date(ok[i], &d), 0);
		assert_int_equal(workdays_format_date(d, back), 0);
		assert_string_equal(back, ok[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int32_t d = 4242;

		if (workdays_parse_date(bad[i], &d) != -EINVAL || d != 4242) {
			print_error("date \"%s\" accepted\n", bad[i]);
			fail();
		}
	}
}

static void
test_format_date(void **state)
{
	char out[WORKDAYS_DATE_SIZE + 1];

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(workdays_format_date(0, out), 0);
	assert_string_equal(out, "1970-01-01");
	assert_int_equal(out[WORKDAYS_DATE_SIZE], 'x');
	assert_int_equal(workdays_format_date(-1, out), 0);
	assert_string_equal(out, "1969-12-31");
	assert_int_equal(
		workdays_format_date(workdays_from_civil(10000, 1, 1), out),
		-ERANGE);
	assert_string_equal(out, "");
	assert_int_equal(
		workdays_format_date(workdays_from_civil(-1, 12, 31), out),
		-ERANGE);
	assert_int_equal(workdays_format_date(INT32_MIN, out), -ERANGE);
	assert_int_equal(
		workdays_format_date(workdays_from_civil(9999, 12, 31), out),
		0);
	assert_string_equal(out, "9999-12-31");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_civil_roundtrip),
		cmocka_unit_test(test_add_table),
		cmocka_unit_test(test_add_against_naive),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_holidays_normalize),
		cmocka_unit_test(test_parse_weekend),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_format_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
