/*
 * conf_fuzz.c - fuzz target for the config parser. Any input either
 * parses, and then dumps to text that parses again to the same dump, or
 * fails with exactly one line of error naming the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	struct conf *c = conf_parse("fuzz.conf", (const char *)data, size, err,
				    sizeof(err));
	if (!c) {
		if (strncmp(err, "fuzz.conf:", 10) != 0 || strchr(err, '\n'))
			abort();
		return 0;
	}

	char *d1 = NULL, *d2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *f = open_memstream(&d1, &l1);
	conf_dump(c, f);
	fclose(f);
	conf_free(c);

	c = conf_parse("dump", d1, l1, err, sizeof(err));
	if (!c)
		abort(); /* what we print we must read back */
	f = open_memstream(&d2, &l2);
	conf_dump(c, f);
	fclose(f);
	conf_free(c);
	if (l1 != l2 || memcmp(d1, d2, l1) != 0)
		abort();
	free(d1);
	free(d2);
	return 0;
}
