/*
 * gateway.h - the running daemon: config, secret, stores, admin endpoint,
 * reload and drain (SPEC §9).
 */
#ifndef TAWASUL_GATEWAY_H
#define TAWASUL_GATEWAY_H

#include <stddef.h>

struct conf;
struct loop;
struct gateway;

/* Takes ownership of conf. Loads the secret, starts the store clients and
 * the admin endpoint, installs SIGHUP/SIGTERM/SIGINT handlers. Returns a
 * new gateway (free with gateway_free()) or NULL with a line in err. */
struct gateway *gateway_new(struct loop *lp, struct conf *conf, char *err,
			    size_t errlen);
void gateway_free(struct gateway *gw);

/* Re-reads the config file; on any error logs it and keeps the old one.
 * Returns 0 or a negative errno. */
int gateway_reload(struct gateway *gw);
/* Stops taking work, waits for in-flight work (at most drain_timeout),
 * then stops the loop. */
void gateway_drain(struct gateway *gw);

#endif
