/*
 * replay.c - plain driver for a fuzz target: runs every file of the
 * target's seed corpus through LLVMFuzzerTestOneInput and prints TAP.
 *
 * Usage: X_replay [FILE...]; with no arguments it reads
 * $top_srcdir/tests/fuzz/corpus/X/, X being the program name without
 * "_replay", and reports it as one test. A crash or abort() fails the
 * test (its result line is never printed).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX (1 << 20)

static int
run_file(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, REPLAY_MAX, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	uint8_t *buf = malloc(REPLAY_MAX);
	char dir[1024], path[2048], name[128];
	char *files[4096];
	int n = 0, failed = 0;

	if (!buf)
		return 1;
	if (argc > 1) {
		printf("1..%d\n", argc - 1);
		for (int i = 1; i < argc; i++) {
			int rc = run_file(argv[i], buf);
			printf("%s %d - %s\n", rc ? "not ok" : "ok", i,
			       argv[i]);
			failed |= rc != 0;
		}
		free(buf);
		return failed;
	}

	const char *base = strrchr(argv[0], '/');
	snprintf(name, sizeof(name), "%s", base ? base + 1 : argv[0]);
	char *suffix = strstr(name, "_replay");
	if (suffix)
		*suffix = '\0';
	const char *top = getenv("top_srcdir");
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".",
		 name);

	DIR *d = opendir(dir);
	if (!d) {
		printf("1..1\nnot ok 1 - corpus %s missing\n", dir);
		free(buf);
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d)) && n < 4096)
		if (e->d_name[0] != '.')
			files[n++] = strdup(e->d_name);
	closedir(d);
	qsort(files, (size_t)n, sizeof(files[0]), cmp);

	/* One test per corpus; each input is named in a TAP comment first,
	 * so the log shows which one crashed. */
	printf("1..1\n");
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		printf("# %s\n", files[i]);
		fflush(stdout);
		failed |= run_file(path, buf) != 0;
		free(files[i]);
	}
	printf("%s 1 - %s corpus: %d inputs replayed\n",
	       failed ? "not ok" : "ok", name, n);
	free(buf);
	return failed;
}
