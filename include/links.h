/*
 * links.h - the set of carrier links from the [smsc NAME] sections
 * (SPEC §2, §9): creation, reload by difference, drain, metrics.
 */
#ifndef TAWASUL_LINKS_H
#define TAWASUL_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "smsc_link.h"

struct conf;
struct evbuffer;
struct event_base;
struct links;

/* Returns the link set for c (not started), free with links_free(); NULL
 * with a reason in err. ops is copied and given to every link. */
struct links *links_new(struct event_base *base, const struct conf *c,
			const struct smsc_link_ops *ops, char *err,
			size_t errlen);
int links_start(struct links *ls);

/* Builds links for the sections of c that are new or changed; on failure
 * nothing changes and err says why. On success the unchanged links keep
 * their connections, the new ones start, the changed and removed ones
 * unbind and go once stopped. Returns 0 or a negative errno. */
int links_reload(struct links *ls, const struct conf *c, char *err,
		 size_t errlen);

/* Unbinds every link (drain). */
void links_stop(struct links *ls);
/* 1 when every link, retired ones included, is stopped. */
int links_stopped(const struct links *ls);
/* Frees retired links that have stopped; call from before_sleep. */
void links_reap(struct links *ls);
void links_free(struct links *ls);

size_t links_count(const struct links *ls);
struct smsc_link *links_get(const struct links *ls, size_t i);
/* The link with that smsc_link_id(), live or retired by a reload and still
 * unbinding (it may still answer the MOs it took), or NULL. */
struct smsc_link *links_find_id(const struct links *ls, uint64_t id);

/* The named link, or NULL. */
struct smsc_link *links_find(const struct links *ls, const char *name);

/* Appends per-link metrics in Prometheus text format. */
void links_metrics(const struct links *ls, struct evbuffer *out);

#endif
