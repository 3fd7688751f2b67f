/*
 * directory.h - entities (codes, names, aliases, SLA days) and holidays,
 * cached from PostgreSQL (SPEC §5 "New case", §7). Reloaded on SIGHUP.
 */
#ifndef TAWASUL_DIRECTORY_H
#define TAWASUL_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

struct pg_client;
struct directory;

struct directory_entity {
	char code[17];
	char *name_en, *name_ar;
	int sla[3]; /* working days: complaint, suggestion, enquiry */
	int active;
};

/* Runs after each load attempt (ok = 1 when the new snapshot is in). */
typedef void directory_loaded_cb(void *arg, int ok);

/* Loads through *pgp (read at each load: the owner may replace the
 * client). */
struct directory *directory_new(struct pg_client *const *pgp,
				directory_loaded_cb *cb, void *arg);
void directory_free(struct directory *d);

/* Starts a load; the current snapshot stays until the new one is
 * complete. Asked while a load runs, it loads again once that one is
 * over (-EALREADY). Returns 0, -EALREADY, -ENOTCONN or -ENOMEM. */
int directory_load(struct directory *d);

/* 1 once a snapshot is loaded. */
int directory_ready(const struct directory *d);

/* Entries are valid until the next load completes (the end of this loop
 * pass at the earliest): copy what you keep. */
const struct directory_entity *directory_entity(const struct directory *d,
						const char *code);
/* An active entity whose code or alias is exactly the normalised word. */
const struct directory_entity *directory_match_token(const struct directory *d,
						     const uint8_t *norm,
						     size_t len);
/* The active entity of the earliest alias in normalised text (whole
 * words; the longest alias at the same place). */
const struct directory_entity *directory_match_text(const struct directory *d,
						    const uint8_t *norm,
						    size_t len);
/* Holidays, ascending, as days since 1970-01-01. */
const int32_t *directory_holidays(const struct directory *d, size_t *n);

#endif
