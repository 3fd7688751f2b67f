/*
 * workdays_fuzz.c - fuzz target for the weekend and date parsers. The
 * whole input goes to both parsers; then its first line is read as a
 * weekend, its second as a date and its third byte count as n. A parsed
 * date formats back to the same text and converts back to the same
 * civil date; a parsed weekend never holds all seven days nor unknown
 * bits; a due date from both is a working day with exactly n working
 * days after the start.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workdays.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WORKDAYS_FUZZ_MAX 256

static void
check_date(const char *s, int *ok, int32_t *out)
{
	int32_t d = 12345;
	char back[WORKDAYS_DATE_SIZE];
	unsigned m, dd;
	int y;

	*ok = workdays_parse_date(s, &d) == 0;
	if (!*ok) {
		if (d != 12345)
			abort();
		return;
	}
	if (workdays_format_date(d, back) != 0 || strcmp(back, s) != 0)
		abort();
	workdays_to_civil(d, &y, &m, &dd);
	if (workdays_from_civil(y, m, dd) != d || y < 0 || y > 9999)
		abort();
	*out = d;
}

static void
check_weekend(const char *s, int *ok, unsigned *out)
{
	unsigned mask = 0xdead;

	*ok = workdays_parse_weekend(s, &mask) == 0;
	if (!*ok) {
		if (mask != 0xdead)
			abort();
		return;
	}
	if ((mask & ~WORKDAYS_ALL_DAYS) != 0 || mask == WORKDAYS_ALL_DAYS)
		abort();
	*out = mask;
}

/* Copies the next line of data (up to '\n') into buf as a string. */
static size_t
next_line(const uint8_t *data, size_t size, size_t pos, char *buf)
{
	size_t n = 0;

	while (pos < size && data[pos] != '\n' && n < WORKDAYS_FUZZ_MAX)
		buf[n++] = (char)data[pos++];
	buf[n] = '\0';
	while (pos < size && data[pos] != '\n')
		pos++;
	return pos < size ? pos + 1 : pos;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char whole[WORKDAYS_FUZZ_MAX + 1], wk[WORKDAYS_FUZZ_MAX + 1],
		date[WORKDAYS_FUZZ_MAX + 1];
	int ok_wk, ok_date, ok;
	unsigned mask = 0, n, count = 0, any_mask;
	int32_t start = 0, due = 0, hol[2], any_date;
	size_t pos, len = size < WORKDAYS_FUZZ_MAX ? size : WORKDAYS_FUZZ_MAX;

	memcpy(whole, data, len);
	whole[len] = '\0';
	check_date(whole, &ok, &any_date);
	check_weekend(whole, &ok, &any_mask);

	pos = next_line(data, size, 0, wk);
	pos = next_line(data, size, pos, date);
	check_weekend(wk, &ok_wk, &mask);
	check_date(date, &ok_date, &start);
	if (!ok_wk || !ok_date)
		return 0;

	/* Rest of the input: n is its length (capped), the first holiday
	 * the day after start, the second one far away. */
	n = (unsigned)((size - pos) % 64);
	hol[0] = start + 1;
	hol[1] = start + 100000;
	if (workdays_add(start, n, mask, hol, 2, &due) != 0)
		abort();
	for (int32_t z = start + 1; z <= due; z++)
		if (!(mask & (1u << workdays_weekday(z))) && z != hol[0] &&
		    z != hol[1])
			count++;
	if (count != n)
		abort();
	if (n > 0 && ((mask & (1u << workdays_weekday(due))) || due == hol[0] ||
		      due == hol[1]))
		abort();
	if (n == 0 && due != start)
		abort();
	return 0;
}
