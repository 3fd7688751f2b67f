/*
 * workdays.c - civil dates and working-day arithmetic for case due dates
 * (SPEC §7 "Due date = creation + N working days ... weekend
 * configurable, default Friday and Saturday; holidays table").
 *
 * Dates are int32_t days since 1970-01-01, proleptic Gregorian; the
 * conversions are Howard Hinnant's branch-light algorithms
 * ("chrono-Compatible Low-Level Date Algorithms"), computed in 64 bits
 * so that no input overflows. The weekend is a bitmask of weekdays
 * (bit 0 = Sunday), holidays a sorted array of dates.
 *
 * Owns nothing; works on caller buffers. Deliberately does not know
 * which day it is (the caller passes the creation date in the service's
 * time zone), does not load the holidays table or the entities' SLAs,
 * and does not allocate.
 */
#include <errno.h>
#include <stdlib.h>

#include "workdays.h"

int32_t
workdays_from_civil(int y, unsigned m, unsigned d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);            /* [0, 399] */
	unsigned mp = m > 2 ? m - 3 : m + 9;                  /* March = 0 */
	unsigned doy = (153 * mp + 2) / 5 + d - 1;            /* [0, 365] */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */

	return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

void
workdays_to_civil(int32_t days, int *y, unsigned *m, unsigned *d)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097); /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                      /* [0, 11] */

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

unsigned
workdays_weekday(int32_t days)
{
	int64_t z = days;

	/* 1970-01-01 was a Thursday. */
	return (unsigned)(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

static int
workdays_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
workdays_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Weekday of a three-letter name (any case), or -1. */
static int
workdays_day_name(const char *p)
{
	static const char names[7][4] = {"sun", "mon", "tue", "wed",
					 "thu", "fri", "sat"};

	for (int i = 0; i < 7; i++) {
		int j = 0;

		while (j < 3 && (p[j] | 0x20) == names[i][j])
			j++;
		if (j == 3)
			return i;
	}
	return -1;
}

int
workdays_parse_weekend(const char *s, unsigned *mask)
{
	const char *p = s;
	unsigned m = 0;

	while (workdays_is_blank(*p))
		p++;
	if (*p == '\0') {
		*mask = 0;
		return 0;
	}
	for (;;) {
		int len = 0, day;

		while (workdays_is_blank(*p))
			p++;
		while (len < 4 && workdays_is_alpha(p[len]))
			len++;
		if (len != 3)
			return -EINVAL;
		day = workdays_day_name(p);
		if (day < 0 || (m & (1u << day)))
			return -EINVAL;
		m |= 1u << day;
		p += 3;
		while (workdays_is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	if (m == WORKDAYS_ALL_DAYS)
		return -EINVAL;
	*mask = m;
	return 0;
}

/* Index of the first holiday after day (nholidays if none). */
static size_t
workdays_first_after(const int32_t *h, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
workdays_add(int32_t start, unsigned n, unsigned weekend_mask,
	     const int32_t *holidays, size_t nholidays, int32_t *due)
{
	unsigned wd, count = 0;
	int64_t cur = start;
	size_t i;

	if ((weekend_mask & ~WORKDAYS_ALL_DAYS) != 0 ||
	    weekend_mask == WORKDAYS_ALL_DAYS || n > WORKDAYS_MAX_N ||
	    (holidays == NULL && nholidays > 0))
		return -EINVAL;
	for (i = 1; i < nholidays; i++)
		if (holidays[i] < holidays[i - 1])
			return -EINVAL;
	if (n == 0) {
		*due = start;
		return 0;
	}
	i = workdays_first_after(holidays, nholidays, start);
	wd = workdays_weekday(start);
	/* Every week has a working day that is not a weekend day, and there
	 * are finitely many holidays, so this ends, at the latest at the
	 * int32_t limit. */
	while (count < n) {
		cur++;
		if (cur > INT32_MAX)
			return -ERANGE;
		wd = (wd + 1) % 7;
		while (i < nholidays && holidays[i] < cur)
			i++;
		if (weekend_mask & (1u << wd))
			continue;
		if (i < nholidays && holidays[i] == cur)
			continue;
		count++;
	}
	*due = (int32_t)cur;
	return 0;
}

static int
workdays_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

size_t
workdays_holidays_normalize(int32_t *holidays, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(holidays, n, sizeof(holidays[0]), workdays_cmp);
	for (size_t i = 1; i < n; i++)
		if (holidays[i] != holidays[out])
			holidays[++out] = holidays[i];
	return out + 1;
}

static int
workdays_is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned
workdays_month_days(int y, unsigned m)
{
	static const unsigned char len[12] = {31, 28, 31, 30, 31, 30,
					      31, 31, 30, 31, 30, 31};

	return m == 2 && workdays_is_leap(y) ? 29 : len[m - 1];
}

/* Value of ndigits ASCII digits at s, or -1; stops at the first
 * non-digit, so never reads past a NUL. */
static int
workdays_digits(const char *s, int ndigits)
{
	int v = 0;

	for (int i = 0; i < ndigits; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
workdays_parse_date(const char *s, int32_t *days)
{
	int y, m, d;

	y = workdays_digits(s, 4);
	if (y < 0 || s[4] != '-')
		return -EINVAL;
	m = workdays_digits(s + 5, 2);
	if (m < 1 || m > 12 || s[7] != '-')
		return -EINVAL;
	d = workdays_digits(s + 8, 2);
	if (d < 1 || (unsigned)d > workdays_month_days(y, (unsigned)m) ||
	    s[10] != '\0')
		return -EINVAL;
	*days = workdays_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

static void
workdays_put(char *p, unsigned v, int ndigits)
{
	for (int i = ndigits - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

int
workdays_format_date(int32_t days, char out[11])
{
	unsigned m, d;
	int y;

	workdays_to_civil(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		out[0] = '\0';
		return -ERANGE;
	}
	workdays_put(out, (unsigned)y, 4);
	out[4] = '-';
	workdays_put(out + 5, m, 2);
	out[7] = '-';
	workdays_put(out + 8, d, 2);
	out[10] = '\0';
	return 0;
}
