/* sockdiag.c: mechanism layer. Asks the kernel for TCP sockets over
 * NETLINK_SOCK_DIAG (sock_diag(7)): one dump request per address family,
 * answered at once by the kernel (no remote party, so the recv loop does
 * not wait on anyone), bounded by the caller's array. Matches sockets to
 * processes by inode through /proc/PID/fd. */
#include "sockdiag.h"

#include "procstat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool
port_wanted(uint16_t port, const uint16_t *ports, size_t nports)
{
	if (!ports)
		return true;
	for (size_t i = 0; i < nports; i++)
		if (ports[i] == port)
			return true;
	return false;
}

static int
dump_family(int fd, int family, uint32_t mask, const uint16_t *ports, size_t nports,
	    struct tcp_sock *out, size_t max, size_t *n)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = mask;
	req.r.idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			struct inet_diag_msg *m;
			struct rtattr *a;
			int alen;
			struct tcp_sock s;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error ? e->error : -EIO;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			m = NLMSG_DATA(h);
			if (!port_wanted(ntohs(m->id.idiag_sport), ports, nports))
				continue;	/* kept out before the array can fill */
			memset(&s, 0, sizeof(s));
			s.ino = m->idiag_inode;
			s.lport = ntohs(m->id.idiag_sport);
			s.rport = ntohs(m->id.idiag_dport);
			memcpy(s.laddr, m->id.idiag_src, sizeof(s.laddr));
			memcpy(s.raddr, m->id.idiag_dst, sizeof(s.raddr));
			s.state = m->idiag_state;
			s.rqueue = m->idiag_rqueue;
			s.wqueue = m->idiag_wqueue;
			s.last_recv_ms = s.last_sent_ms = -1;
			s.data_in = s.data_out = -1;
			alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (a = (struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type == INET_DIAG_INFO &&
				    (size_t)RTA_PAYLOAD(a) >= offsetof(struct tcp_info, tcpi_last_ack_recv)) {
					struct tcp_info ti;
					size_t pl = (size_t)RTA_PAYLOAD(a);

					memset(&ti, 0, sizeof(ti));
					memcpy(&ti, RTA_DATA(a), pl < sizeof(ti) ? pl : sizeof(ti));
					s.last_recv_ms = ti.tcpi_last_data_recv;
					s.last_sent_ms = ti.tcpi_last_data_sent;
					if (pl >= offsetof(struct tcp_info, tcpi_data_segs_out) +
						      sizeof(ti.tcpi_data_segs_out)) {
						s.data_in = ti.tcpi_data_segs_in;
						s.data_out = ti.tcpi_data_segs_out;
					}
				}
			if (*n < max)
				out[*n] = s;
			(*n)++;
		}
	}
}

int
sockdiag_tcp(uint32_t mask, struct tcp_sock *out, size_t max)
{
	return sockdiag_tcp_ports(mask, NULL, 0, out, max);
}

int
sockdiag_tcp_ports(uint32_t mask, const uint16_t *ports, size_t nports, struct tcp_sock *out,
		   size_t max)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	size_t n = 0;
	int r;

	if (fd < 0)
		return -errno;
	r = dump_family(fd, AF_INET, mask, ports, nports, out, max, &n);
	if (r == 0)
		r = dump_family(fd, AF_INET6, mask, ports, nports, out, max, &n);
	close(fd);
	if (r < 0)
		return r;
	return (int)(n < (size_t)INT32_MAX ? n : (size_t)INT32_MAX);	/* all of them; max kept */
}

/* The process group of pid; -1 when gone. */
static pid_t
pgid_of(pid_t pid)
{
	struct procstat st;

	return procstat_read(pid, &st) ? st.pgrp : -1;
}

static void
fd_inodes(pid_t pid, ino_t *out, size_t max, size_t *n)
{
	char path[64], link[64];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		ssize_t l;
		unsigned long ino;

		if (de->d_name[0] == '.')
			continue;
		l = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		if (*n < max)
			out[*n] = (ino_t)ino;
		(*n)++;
	}
	closedir(d);
}

int
sockdiag_group_inodes(pid_t pgid, pid_t pid, ino_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;
	bool pid_seen = pid <= 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t p = (pid_t)atoi(de->d_name);

		if (p <= 0)
			continue;
		if (p == pid || (pgid > 0 && pgid_of(p) == pgid)) {
			fd_inodes(p, out, max, &n);
			pid_seen |= p == pid;
		}
	}
	closedir(d);
	if (!pid_seen)
		fd_inodes(pid, out, max, &n);
	return (int)(n < max ? n : max);
}
