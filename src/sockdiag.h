/* sockdiag.h: mechanism layer. The TCP sockets of the machine's network
 * namespace as the kernel lists them (NETLINK_SOCK_DIAG, inet_diag), and
 * the sockets a process group holds (the socket:[INODE] links under
 * /proc/PID/fd). Finding out whether a service listens never touches the
 * service. */
#ifndef DRAINIT_SOCKDIAG_H
#define DRAINIT_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tcp_sock {
	ino_t ino;
	uint16_t lport, rport;	/* host order */
	unsigned char laddr[16], raddr[16];	/* IPv4: the first 4 bytes */
	uint8_t state;		/* TCP_LISTEN, TCP_ESTABLISHED, ... */
	uint32_t rqueue;	/* listen: accept backlog; else bytes not read yet */
	uint32_t wqueue;	/* bytes not acknowledged yet */
	int64_t last_recv_ms;	/* since data last came in (-1: unknown) */
	int64_t last_sent_ms;	/* since data last went out (-1: unknown) */
	int64_t data_in, data_out;	/* segments with data, in and out (-1: unknown) */
};

/* The TCP sockets (IPv4 and IPv6) in the states of mask (1 << TCP_LISTEN,
 * ...), into out: how many there are (more than max: only max kept), or
 * -errno. */
int sockdiag_tcp(uint32_t mask, struct tcp_sock *out, size_t max);
/* The same, only those whose local port is one of ports: a busy machine
 * has more sockets than the array, and what matters must not be cut. */
int sockdiag_tcp_ports(uint32_t mask, const uint16_t *ports, size_t nports, struct tcp_sock *out,
		       size_t max);

/* The socket inodes held by the processes of group pgid (and by pid,
 * when it is not in that group): how many (at most max kept), -errno. */
int sockdiag_group_inodes(pid_t pgid, pid_t pid, ino_t *out, size_t max);

#endif
