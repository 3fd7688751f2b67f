/*
 * sim_scenario_fuzz.c - fuzz target for the simulator's scenario parser
 * (sim/sim_scenario.c). Any input either fails with exactly one line of
 * error naming the file and line, or parses; a parsed scenario prints in
 * its canonical form, which parses again and prints the same. Parse and
 * print only: no I/O, no event loop.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	struct sim_scenario *sc = sim_scenario_parse("fuzz", (const char *)data,
						     size, err, sizeof(err));
	if (!sc) {
		if (strncmp(err, "fuzz:", 5) != 0 || strchr(err, '\n'))
			abort();
		return 0;
	}

	char *d1 = NULL, *d2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *f = open_memstream(&d1, &l1);
	sim_scenario_print(sc, f);
	fclose(f);
	size_t n1 = sc->n;
	sim_scenario_free(sc);

	sc = sim_scenario_parse("print", d1, l1, err, sizeof(err));
	if (!sc || sc->n != n1)
		abort(); /* what we print we must read back */
	f = open_memstream(&d2, &l2);
	sim_scenario_print(sc, f);
	fclose(f);
	sim_scenario_free(sc);
	if (l1 != l2 || memcmp(d1, d2, l1) != 0)
		abort();
	free(d1);
	free(d2);
	return 0;
}
