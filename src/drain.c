/* drain.c: mechanism layer. Samples the services' TCP sockets for the
 * adaptive prestop. Listening sockets and accepted connections are told
 * apart by the kernel's socket list (TCP_LISTEN vs the others) and tied to
 * a service through the socket inodes its process group holds; a
 * connection is one of the service's when its local port is one the
 * service listens on. Remembers the connections of the previous sample
 * to count the new ones; a connection too short to be seen open still
 * leaves a TIME_WAIT socket on the listening port when the server closed
 * it first, which counts as new too. Reads only; sends nothing anywhere. */
#include "drain.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "sockdiag.h"

#define SOCKS_MAX 4096
#define INODES_MAX 8192

struct drain_state {
	uint64_t prev[SOCKS_MAX], cur[SOCKS_MAX];	/* connections, by their addresses */
	size_t nprev;
	bool sampled;		/* prev holds a first look */
	struct tcp_sock socks[SOCKS_MAX];
	ino_t inos[INODES_MAX];
	uint16_t ports[256];
};

/* One connection's addresses and ports, as one number (FNV-1a). */
static uint64_t
conn_key(const struct tcp_sock *s)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p[2] = { s->laddr, s->raddr };
	uint16_t ports[2] = { s->lport, s->rport };

	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 16; i++)
			h = (h ^ p[k][i]) * 1099511628211ULL;
		h = (h ^ ports[k]) * 1099511628211ULL;
	}
	return h;
}

static bool
has_key(const uint64_t *v, size_t n, uint64_t key)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == key)
			return true;
	return false;
}

static bool
has_ino(const ino_t *v, size_t n, ino_t ino)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == ino)
			return true;
	return false;
}

int
drain_sample(struct supervisor *sup, struct drain_sample *out)
{
	struct drain_state *st = sup->drain;
	size_t ni = 0, nports = 0, ncur = 0;
	int ns;

	memset(out, 0, sizeof(*out));
	if (!st && !(st = sup->drain = calloc(1, sizeof(*st))))
		return -ENOMEM;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];
		pid_t t;
		int n;

		if (!service_alive(svc))
			continue;
		t = service_target(sup, svc);
		n = sockdiag_group_inodes(t < 0 ? -t : 0, svc->proc.pid, st->inos + ni,
					  INODES_MAX - ni);
		if (n > 0)
			ni += (size_t)n;
	}
	/* The listening sockets first (few), then the connections on their
	 * ports only: the whole table of a busy machine does not fit, and
	 * cutting it would lose requests in flight. */
	ns = sockdiag_tcp(1u << TCP_LISTEN, st->socks, SOCKS_MAX);
	if (ns < 0)
		return ns;
	if (ns > SOCKS_MAX)
		ns = SOCKS_MAX;	/* listeners beyond are not the services' (few listen) */
	for (int i = 0; i < ns; i++) {
		const struct tcp_sock *s = &st->socks[i];

		if (s->state == TCP_LISTEN && has_ino(st->inos, ni, s->ino)) {
			out->listening++;
			/* connections the service has not accepted yet hold requests too */
			out->inflight += s->rqueue;
			if (nports < sizeof(st->ports) / sizeof(st->ports[0]))
				st->ports[nports++] = s->lport;
		}
	}
	ns = nports ? sockdiag_tcp_ports(~(1u << TCP_LISTEN), st->ports, nports, st->socks, SOCKS_MAX)
		    : 0;
	if (ns < 0)
		return ns;
	if (ns > SOCKS_MAX) {
		/* Not all counted: one left out may hold a request. Not drained,
		 * then; the prestop waits for its maximum. */
		out->too_many = true;
		return 0;
	}
	for (int i = 0; i < ns; i++) {
		const struct tcp_sock *s = &st->socks[i];
		bool ours = false;
		uint64_t key;

		if (s->state == TCP_LISTEN || s->state == TCP_CLOSE)
			continue;
		for (size_t k = 0; k < nports && !ours; k++)
			ours = st->ports[k] == s->lport;
		if (!ours)
			continue;
		/* new since the last look: open, or already closed (TIME_WAIT) */
		key = conn_key(s);
		if (!has_key(st->prev, st->nprev, key))
			out->fresh++;
		if (ncur < SOCKS_MAX)
			st->cur[ncur++] = key;
		if (s->state == TCP_TIME_WAIT || !has_ino(st->inos, ni, s->ino))
			continue;
		out->conns++;
		/* In flight: bytes queued either way, data received after the last
		 * data sent, or data received and none sent yet. The last needs its
		 * own test: on a connection that has sent nothing, the "last sent"
		 * time counts from the handshake, and a request that came with it
		 * shares its millisecond. */
		if (s->rqueue > 0 || s->wqueue > 0 ||
		    (s->last_recv_ms >= 0 && s->last_sent_ms >= 0 && s->last_recv_ms < s->last_sent_ms) ||
		    (s->data_in > 0 && s->data_out == 0))
			out->inflight++;
	}
	if (!st->sampled)	/* the first look only learns what is there */
		out->fresh = 0;
	st->sampled = true;
	memcpy(st->prev, st->cur, ncur * sizeof(st->cur[0]));
	st->nprev = ncur;
	out->ok = true;
	return 0;
}

void
drain_free(struct supervisor *sup)
{
	free(sup->drain);
	sup->drain = NULL;
}
