/*
 * workdays.h - calendar dates and working-day arithmetic for case due
 * dates (SPEC §7: due = creation + N working days; weekend configurable,
 * default Friday and Saturday; holidays table). Dates are days since
 * 1970-01-01 in the proleptic Gregorian calendar. Pure, no I/O, no clock.
 */
#ifndef TAWASUL_WORKDAYS_H
#define TAWASUL_WORKDAYS_H

#include <stddef.h>
#include <stdint.h>

/* Weekdays as returned by workdays_weekday(); mask bits are 1u << day. */
enum workdays_day {
	WORKDAYS_SUN,
	WORKDAYS_MON,
	WORKDAYS_TUE,
	WORKDAYS_WED,
	WORKDAYS_THU,
	WORKDAYS_FRI,
	WORKDAYS_SAT,
};

#define WORKDAYS_ALL_DAYS        0x7fu
#define WORKDAYS_WEEKEND_DEFAULT ((1u << WORKDAYS_FRI) | (1u << WORKDAYS_SAT))
/* Largest n workdays_add() accepts (about ten years of working days). */
#define WORKDAYS_MAX_N     3650u
#define WORKDAYS_DATE_SIZE 11 /* "YYYY-MM-DD" and NUL */

/*
 * Days since 1970-01-01 of the civil date y-m-d (H. Hinnant's
 * days_from_civil). The caller passes a valid date (m 1-12, d within the
 * month) with |y| <= 5000000; otherwise the result is unspecified (but
 * the call is still defined behaviour).
 */
int32_t workdays_from_civil(int y, unsigned m, unsigned d);

/* The civil date of days (any int32_t value; H. Hinnant's
 * civil_from_days). */
void workdays_to_civil(int32_t days, int *y, unsigned *m, unsigned *d);

/* Day of the week of days: 0 = Sunday .. 6 = Saturday. */
unsigned workdays_weekday(int32_t days);

/*
 * Parses a weekend such as "fri,sat" or "Fri, Sat": names sun mon tue
 * wed thu fri sat in any case, separated by commas, spaces and tabs
 * allowed around names. An empty or blank string is the empty weekend
 * (mask 0). 0 with *mask set, or -EINVAL (mask untouched) for an unknown
 * name, an empty item ("fri,,sat", "fri,"), a repeated day, or all seven
 * days. Borrows s (NUL-terminated) for the call.
 */
int workdays_parse_weekend(const char *s, unsigned *mask);

/*
 * The date of the n-th working day after start: start itself does not
 * count, and n = 0 returns start even when start is not a working day. A
 * day works when its weekday is not in weekend_mask and it is not one of
 * the holidays. holidays must be sorted ascending; duplicates are
 * allowed (see workdays_holidays_normalize()). Borrows holidays for the
 * call. 0 with *due set; -EINVAL (due untouched) when weekend_mask has
 * bits outside WORKDAYS_ALL_DAYS or holds all seven days, n exceeds
 * WORKDAYS_MAX_N, holidays is NULL with nholidays > 0, or holidays is
 * not sorted; -ERANGE when the due date does not fit an int32_t.
 */
int workdays_add(int32_t start, unsigned n, unsigned weekend_mask,
		 const int32_t *holidays, size_t nholidays, int32_t *due);

/*
 * Sorts holidays ascending in place and drops duplicates; returns the
 * new count (<= n). For lists from a source that does not sort.
 */
size_t workdays_holidays_normalize(int32_t *holidays, size_t n);

/*
 * Parses exactly "YYYY-MM-DD" (four, two and two ASCII digits, year
 * 0000-9999, a real day of that month, 29 February only in leap years)
 * followed by the NUL. 0 with *days set, or -EINVAL (days untouched).
 */
int workdays_parse_date(const char *s, int32_t *days);

/*
 * Writes days as "YYYY-MM-DD" and a NUL into out. 0, or -ERANGE when the
 * year is outside 0000-9999 (out then holds an empty string).
 */
int workdays_format_date(int32_t days, char out[11]);

#endif
