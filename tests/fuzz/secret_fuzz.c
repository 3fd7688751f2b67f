/*
 * secret_fuzz.c - fuzz target for the secret file parser: any input either
 * yields both keys or fails with one line that names the file and holds
 * no key material.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secret s;
	char err[256] = "";

	memset(&s, 0xa5, sizeof(s));
	if (secret_parse("fuzz", (const char *)data, size, &s, err,
			 sizeof(err)) == 0)
		return 0;
	if (strncmp(err, "secret file fuzz", 16) != 0 || strchr(err, '\n'))
		abort();
	/* a failed parse wipes whatever it had read */
	for (size_t i = 0; i < sizeof(s); i++)
		if (((const uint8_t *)&s)[i] != 0)
			abort();
	return 0;
}
