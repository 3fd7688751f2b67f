/*
 * secret.h - the gateway's secret file (SPEC §4, §9): keys for the
 * reference-number permutation and for MSISDN log tags.
 *
 * Format: "name = hex" lines and '#' comments:
 *   ref_key = 64 hex digits (32 bytes)
 *   log_key = 32 hex digits (16 bytes)
 * The file must be a regular file with no group or world permissions.
 */
#ifndef TAWASUL_SECRET_H
#define TAWASUL_SECRET_H

#include <stddef.h>
#include <stdint.h>

struct secret {
	uint8_t ref_key[32];
	uint8_t log_key[16];
};

/* Loads path into s; 0, or a negative errno with a one-line reason in err
 * (which never contains key material). */
int secret_load(const char *path, struct secret *s, char *err, size_t errlen);

/* Parses the file's text (len bytes, any content); same contract as
 * secret_load(), label names the file in errors. */
int secret_parse(const char *label, const char *text, size_t len,
		 struct secret *s, char *err, size_t errlen);

/* Creates path with fresh random keys, mode 0600; fails with -EEXIST if
 * the file exists. */
int secret_generate(const char *path, char *err, size_t errlen);

/* Overwrites the keys in memory. */
void secret_wipe(struct secret *s);

#endif
