/*
 * env.h - what the application modules (MO routing, intake, replies) use
 * of the running gateway: its config, keys and connections. The gateway
 * owns every field and replaces some on reload (a new conf, a new client
 * whose settings changed); modules hold the struct env pointer, never a
 * copy of a field across loop passes.
 */
#ifndef TAWASUL_ENV_H
#define TAWASUL_ENV_H

#include "secret.h"

struct catalog;
struct conf;
struct directory;
struct links;
struct loop;
struct pg_client;
struct redis_client;

struct env {
	struct loop *lp;
	struct conf *conf;
	struct secret secret;
	struct pg_client *pg;
	struct redis_client *redis;
	struct links *links;
	struct catalog *catalog; /* the reply texts */
	struct directory *dir;   /* entities and holidays */
	int draining;            /* take no new MO */
};

#endif
