/*
 * catalog_fuzz.c - fuzz target for the reply catalogue parser and
 * renderer (config/messages.conf, include/catalog.h). Any input either
 * parses, or fails with a one-line error that names the label; a parsed
 * catalogue renders every key in both languages with every placeholder
 * given: into a big buffer always, into a small one either whole or with
 * -ENOSPC, the output NUL-terminated, within cap, of the length returned,
 * well-formed UTF-8 and the same both times. Plain names are UTF-8 too.
 * The seed corpus holds the shipped file and broken variants of it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMALL 48
/* A compiled text is at most CATALOG_LINE_MAX bytes, each placeholder
 * taking at least 3 of them; no value below is longer than 64 bytes. */
#define BIG (CATALOG_LINE_MAX + CATALOG_LINE_MAX / 3 * 64 + 1)

static const struct catalog_arg args[] = {
	{"kind", "complaint"},
	{"ref", "483 920 1753"},
	{"entity", "هيئة الكهرباء والماء"},
	{"due", "2026-12-10"},
	{"status", "{ref} \\n"}, /* values are never re-parsed */
	{"updated", ""},
	{"count", "5"},
	{"text", "\xf0\x9f\x98\x80 end"},
};

static void
check_out(const char *out, size_t cap, int rc)
{
	if (rc < 0) {
		if (rc != -ENOSPC || out[0] != '\0')
			abort();
		return;
	}
	if ((size_t)rc >= cap || out[rc] != '\0' || strlen(out) != (size_t)rc)
		abort();
	if (!utf8_valid((const uint8_t *)out, (size_t)rc))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char big[BIG];
	char small[SMALL], err[CATALOG_ERR_SIZE];
	struct catalog *c;
	const size_t nargs = sizeof(args) / sizeof(args[0]);

	memset(err, 'x', sizeof(err));
	c = catalog_parse("fuzz", (const char *)data, size, err, sizeof(err));
	if (!c) {
		if (!memchr(err, '\0', sizeof(err)) ||
		    strncmp(err, "fuzz:", 5) != 0 || strchr(err, '\n'))
			abort();
		return 0;
	}
	for (size_t i = 0; i < catalog_nkeys(); i++) {
		const char *key = catalog_key(i);

		for (int l = 0; l < CATALOG_NLANG; l++) {
			enum catalog_lang lang = (enum catalog_lang)l;
			const char *t = catalog_text(c, key, lang);
			int rb, rs;

			if (t && !utf8_valid((const uint8_t *)t, strlen(t)))
				abort();
			rb = catalog_render(c, key, lang, args, nargs, big,
					    sizeof(big));
			if (rb <= 0)
				abort();
			check_out(big, sizeof(big), rb);
			if (t && strcmp(t, big) != 0)
				abort();
			rs = catalog_render(c, key, lang, args, nargs, small,
					    sizeof(small));
			check_out(small, sizeof(small), rs);
			if (rs >= 0 && (rs != rb || strcmp(small, big) != 0))
				abort();
			if (rs < 0 && (size_t)rb < sizeof(small))
				abort();
		}
	}
	catalog_free(c);
	return 0;
}
