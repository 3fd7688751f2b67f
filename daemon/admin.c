/*
 * admin.c - loopback HTTP for operators and probes (SPEC §9), on evhttp.
 *
 * Owns the evhttp server. Knows nothing of the gateway: what to print and
 * whether we are ready come from the two callbacks. GET and HEAD only;
 * anything else is 405, unknown paths 404. Keep it on loopback: it has no
 * authentication.
 */
#include "admin.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct admin {
	struct evhttp *http;
	admin_metrics_fn *metrics;
	admin_ready_fn *ready;
	void *arg;
};

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
	   const char *ctype, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct admin *ad = arg;
	struct evbuffer *body = evbuffer_new();
	const char *uri = evhttp_request_get_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	size_t plen;

	if (!body) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	plen = strcspn(uri, "?");
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evbuffer_add_printf(body, "method not allowed\n");
		reply_text(req, 405, "Method Not Allowed", "text/plain", body);
	} else if (plen == 8 && strncmp(uri, "/metrics", 8) == 0) {
		ad->metrics(ad->arg, body);
		reply_text(req, 200, "OK", "text/plain; version=0.0.4", body);
	} else if (plen == 8 && strncmp(uri, "/healthz", 8) == 0) {
		evbuffer_add_printf(body, "ok\n");
		reply_text(req, 200, "OK", "text/plain", body);
	} else if (plen == 7 && strncmp(uri, "/readyz", 7) == 0) {
		char why[128] = "";
		int ok = ad->ready(ad->arg, why, sizeof(why));
		evbuffer_add_printf(body, "%s\n", ok ? "ready" : why);
		reply_text(req, ok ? 200 : 503,
			   ok ? "OK" : "Service Unavailable", "text/plain",
			   body);
	} else {
		evbuffer_add_printf(body, "not found\n");
		reply_text(req, 404, "Not Found", "text/plain", body);
	}
	evbuffer_free(body);
}

struct admin *
admin_new(struct event_base *base, const char *listen,
	  admin_metrics_fn *metrics, admin_ready_fn *ready, void *arg,
	  char *err, size_t errlen)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	struct admin *ad;
	size_t hlen;
	long port;

	err[0] = '\0';
	if (!colon || (hlen = (size_t)(colon - listen)) >= sizeof(host)) {
		snprintf(err, errlen, "admin listen '%s': bad address", listen);
		return NULL;
	}
	port = strtol(colon + 1, NULL, 10);
	if (port == 0)
		return NULL;
	if (listen[0] == '[' && hlen >= 2) {
		memcpy(host, listen + 1, hlen - 2);
		host[hlen - 2] = '\0';
	} else {
		memcpy(host, listen, hlen);
		host[hlen] = '\0';
	}

	ad = calloc(1, sizeof(*ad));
	if (!ad || !(ad->http = evhttp_new(base))) {
		snprintf(err, errlen, "admin: out of memory");
		free(ad);
		return NULL;
	}
	ad->metrics = metrics;
	ad->ready = ready;
	ad->arg = arg;
	evhttp_set_allowed_methods(
		ad->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
				  EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_max_headers_size(ad->http, 8192);
	evhttp_set_max_body_size(ad->http, 4096);
	evhttp_set_timeout(ad->http, 10);
	evhttp_set_gencb(ad->http, on_request, ad);
	if (evhttp_bind_socket(ad->http, host, (unsigned short)port) < 0) {
		snprintf(err, errlen, "admin listen %s: cannot bind: %s",
			 listen, strerror(errno));
		admin_free(ad);
		return NULL;
	}
	LOG(LC_ADMIN, LL_INFO, "admin=%s state=listening", listen);
	return ad;
}

void
admin_free(struct admin *ad)
{
	if (!ad)
		return;
	if (ad->http)
		evhttp_free(ad->http);
	free(ad);
}
