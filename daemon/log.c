/*
 * log.c - the log writer (DESIGN §3, SPEC §9 "Logs").
 *
 * Owns: the per-category level table, the output fd and the MSISDN hash key.
 * One event is one line, written with a single write(2) so lines from
 * several processes sharing a file do not interleave. Lines longer than
 * LOG_LINE_MAX are cut and end in "...". Does not rotate files or talk to
 * syslog: the daemon runs in the foreground and its supervisor keeps stderr.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "siphash.h"

#define LOG_LINE_MAX 2048

enum log_level log_levels[LC__COUNT] = {
	LL_INFO, LL_INFO, LL_INFO, LL_INFO, LL_INFO, LL_INFO, LL_INFO, LL_INFO,
};

static int log_fd = 2;
static uint8_t log_key[16];

static const char *const level_names[LL__COUNT] = {
	"error", "warn", "notice", "info", "debug",
};

static const char *const cat_names[LC__COUNT] = {
	"main", "conf", "loop", "pg", "redis", "smpp", "admin", "app",
};

const char *
log_level_name(enum log_level lvl)
{
	return (unsigned)lvl < LL__COUNT ? level_names[lvl] : "?";
}

const char *
log_cat_name(enum log_cat cat)
{
	return (unsigned)cat < LC__COUNT ? cat_names[cat] : "?";
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < LL__COUNT; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void
log_set_level(enum log_level lvl)
{
	for (int i = 0; i < LC__COUNT; i++)
		log_levels[i] = lvl;
}

/* "info,pg=debug": a bare level sets every category, cat=level one. */
static int
spec_parse(const char *spec, enum log_level next[LC__COUNT])
{
	char item[64];
	const char *p = spec;

	if (*spec == '\0')
		return -EINVAL;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(item))
			return -EINVAL;
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		if (*p == ',' && *++p == '\0')
			return -EINVAL;

		char *eq = strchr(item, '=');
		enum log_level lvl;
		if (!eq) {
			if (log_level_parse(item, &lvl) < 0)
				return -EINVAL;
			for (int i = 0; i < LC__COUNT; i++)
				next[i] = lvl;
			continue;
		}
		*eq = '\0';
		if (log_level_parse(eq + 1, &lvl) < 0)
			return -EINVAL;
		int cat = -1;
		for (int i = 0; i < LC__COUNT; i++)
			if (strcmp(item, cat_names[i]) == 0)
				cat = i;
		if (cat < 0)
			return -EINVAL;
		next[cat] = lvl;
	}
	return 0;
}

int
log_spec_valid(const char *spec)
{
	enum log_level next[LC__COUNT];

	return spec_parse(spec, next) == 0;
}

int
log_spec_apply(const char *spec)
{
	enum log_level next[LC__COUNT];

	memcpy(next, log_levels, sizeof(next));
	if (spec_parse(spec, next) < 0)
		return -EINVAL;
	memcpy(log_levels, next, sizeof(next));
	return 0;
}

void
log_set_fd(int fd)
{
	log_fd = fd;
}

void
log_set_hash_key(const uint8_t key[16])
{
	memcpy(log_key, key, sizeof(log_key));
}

void
log_msisdn_tag(const char *msisdn, size_t len, char out[LOG_TAG_LEN])
{
	char digits[32];
	size_t n = 0;

	for (size_t i = 0; i < len && n < sizeof(digits); i++)
		if (msisdn[i] >= '0' && msisdn[i] <= '9')
			digits[n++] = msisdn[i];
	uint64_t h = siphash(log_key, digits, n);
	snprintf(out, LOG_TAG_LEN, "m:%012llx", (unsigned long long)(h >> 16));
}

const char *
log_value(char *buf, size_t n, const char *s)
{
	size_t i = 0;
	int quote;

	if (n < 3) {
		if (n)
			buf[0] = '\0';
		return buf;
	}
	if (!s)
		s = "";
	quote = *s == '\0' || strpbrk(s, " =\"\\") != NULL;
	for (const char *p = s; *p && !quote; p++)
		quote = (unsigned char)*p < 0x20 || *p == 0x7f;
	if (quote)
		buf[i++] = '"';
	for (; *s && i + 3 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f) {
			if (i > 1 && buf[i - 1] != ' ')
				buf[i++] =
					' '; /* newlines and tabs: one space */
			continue;
		}
		if (c == '"' || c == '\\')
			buf[i++] = '\\';
		buf[i++] = (char)c;
	}
	while (quote && i > 1 && buf[i - 1] == ' ')
		i--;
	if (quote)
		buf[i++] = '"';
	buf[i] = '\0';
	return buf;
}

void
log_vmsg(enum log_cat cat, enum log_level lvl, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	struct timeval tv;
	struct tm tm;
	size_t off;
	int n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
		     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ lvl=%s cat=%s ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000),
		     log_level_name(lvl), log_cat_name(cat));
	off = n > 0 ? (size_t)n : 0;
	n = vsnprintf(line + off, sizeof(line) - off, fmt, ap);
	if (n < 0)
		n = 0;
	if (off + (size_t)n >= sizeof(line) - 1) {
		off = sizeof(line) - 5;
		memcpy(line + off, "...", 3);
		off += 3;
	} else {
		off += (size_t)n;
	}
	line[off++] = '\n';

	const char *p = line;
	while (off > 0) {
		ssize_t w = write(log_fd, p, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		off -= (size_t)w;
	}
}

void
log_msg(enum log_cat cat, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(cat, lvl, fmt, ap);
	va_end(ap);
}
