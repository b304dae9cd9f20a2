/* notify.c: mechanism layer. The sd_notify socket.
 *
 * Created only when some service has "ready = notify": a SOCK_DGRAM unix
 * socket, close-on-exec and non-blocking, at RUNTIME/drainit.XXXXXX/notify
 * where RUNTIME is $RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR, else /run
 * when writable, else /tmp. SO_PASSCRED makes the kernel attach the
 * sender's pid to every datagram; that pid, not anything in the message,
 * says which service spoke. Passed file descriptors (FDSTORE=1) are
 * closed at once: drainit keeps none.
 *
 * Each datagram attributed to a service is posted as EVT_NOTIFY with its
 * parsed assignments (sdnotify.c); what READY=1, WATCHDOG=1, MAINPID=
 * and STATUS= mean is the lifecycle machine's to decide. The watchdog
 * timer of a service lives here too: when it runs out it posts
 * EVT_WATCHDOG_EXPIRED, after reading what is queued on the socket.
 * Never: blocks (reads with MSG_DONTWAIT, at most 64 datagrams per
 * wake-up) or decides. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "reaper.h"

#define IGNORED_MAX 32

struct notify_server {
	int fd;
	ev_io io;
	char dir[PATH_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pid_t ignored[IGNORED_MAX];	/* senders already logged as ignored */
	size_t nignored;
	struct ratelimit warn_rl;	/* for messages from no service's process */
};

/* "; 12 similar warnings held back", or "" */
const char *
suppressed_note(unsigned long held, char *buf, size_t len)
{
	if (!held)
		return "";
	snprintf(buf, len, "; %lu similar warning%s held back", held, held == 1 ? "" : "s");
	return buf;
}

static void notify_read(struct supervisor *sup, struct notify_server *ns);

bool
notify_wanted(const struct svc_config *sc)
{
	return sc->ready.kind == CHECK_NOTIFY;
}

/* ---- attribution -------------------------------------------------------- */

static bool
owns_pid(const struct service *svc, pid_t pid)
{
	return pid == svc->proc.pid || (svc->pr.mainpid > 0 && pid == svc->pr.mainpid);
}

struct service *
notify_owner(struct supervisor *sup, pid_t pid)
{
	pid_t pgid, cur = pid;

	if (pid <= 0)
		return NULL;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];
		if (notify_wanted(svc->cfg) && service_alive(svc) && owns_pid(svc, pid))
			return svc;
	}
	pgid = sup->sys->getpgid(pid);
	for (size_t i = 0; pgid > 0 && i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];
		if (notify_wanted(svc->cfg) && service_alive(svc) && pgid == svc->proc.pid)
			return svc;
	}
	/* Descendants that left the group: walk up, a bounded number of steps. */
	for (int depth = 0; depth < 64; depth++) {
		cur = sup->sys->parent_of(cur);
		if (cur <= 1)
			return NULL;
		for (size_t i = 0; i < sup->nsvcs; i++) {
			struct service *svc = sup->svcs[i];
			if (notify_wanted(svc->cfg) && service_alive(svc) && owns_pid(svc, cur))
				return svc;
		}
	}
	return NULL;
}

/* ---- the watchdog timer --------------------------------------------------- */

static void
notify_watchdog_cb(EV_P_ ev_timer *w, int revents)
{
	struct supervisor *sup = ev_userdata(EV_A);
	struct service *svc = container_of(w, struct service, pr.watchdog);

	(void)revents;
	ev_timer_stop(EV_A, w);
	/* A late loop turn can see the deadline and a WATCHDOG=1 that came
	 * before it at once: what is queued already counts. */
	if (sup->notify)
		notify_read(sup, sup->notify);
	sup_post(sup, &(struct event){ .kind = EVT_WATCHDOG_EXPIRED, .svc = svc });
}

void
notify_watchdog_init_service(struct service *svc)
{
	ev_init(&svc->pr.watchdog, notify_watchdog_cb);
}

void
notify_watchdog_init(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		notify_watchdog_init_service(sup->svcs[i]);
}

void
notify_watchdog_kick(struct supervisor *sup, struct service *svc)
{
	svc->pr.watchdog.repeat = (ev_tstamp)svc->cfg->watchdog_ms / 1000.0;
	ev_timer_again(sup->loop, &svc->pr.watchdog);
}

void
notify_watchdog_stop(struct supervisor *sup, struct service *svc)
{
	ev_timer_stop(sup->loop, &svc->pr.watchdog);
}

bool
notify_watchdog_armed(const struct service *svc)
{
	return ev_is_active(&svc->pr.watchdog);
}

/* ---- the socket ------------------------------------------------------------ */

static bool
already_ignored(struct notify_server *ns, pid_t pid)
{
	for (size_t i = 0; i < ns->nignored && i < IGNORED_MAX; i++)
		if (ns->ignored[i] == pid)
			return true;
	ns->ignored[ns->nignored++ % IGNORED_MAX] = pid;
	return false;
}

/* Reads and acts on up to 64 queued datagrams. */
static void
notify_read(struct supervisor *sup, struct notify_server *ns)
{
	for (int i = 0; i < 64; i++) {
		char buf[NOTIFY_MSG_MAX];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 32)];
		} ctl;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
		struct notify_msg m;
		struct service *svc;
		unsigned long held;
		char note[80];
		pid_t pid = 0;
		ssize_t n;

		n = recvmsg(ns->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("notify socket: recvmsg: %s", strerror(errno));
			return;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET)
				continue;
			if (c->cmsg_type == SCM_CREDENTIALS &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
				struct ucred uc;
				memcpy(&uc, CMSG_DATA(c), sizeof(uc));
				pid = uc.pid;
			} else if (c->cmsg_type == SCM_RIGHTS) {
				size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t k = 0; k < nfd; k++) {
					int fd;
					memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(fd));
					close(fd);
				}
			}
		}
		svc = notify_owner(sup, pid);
		if (!svc) {
			if (!already_ignored(ns, pid) &&
			    ratelimit_allow(&ns->warn_rl, sup->sys->now(), &held))
				log_warn("notify socket: ignoring a message from pid %d: not a process of a service with ready = notify (logged once per pid%s)",
					 (int)pid, suppressed_note(held, note, sizeof(note)));
			continue;
		}
		if ((size_t)n > sizeof(buf) || (mh.msg_flags & MSG_TRUNC)) {
			if (ratelimit_allow(&svc->pr.warn_rl, sup->sys->now(), &held))
				log_warn("service %s: ignoring a notify message of %zd bytes (at most %d%s)",
					 svc->cfg->name, n, NOTIFY_MSG_MAX,
					 suppressed_note(held, note, sizeof(note)));
			continue;
		}
		if (notify_parse(buf, (size_t)n, &m) < 0) {
			if (ratelimit_allow(&svc->pr.warn_rl, sup->sys->now(), &held))
				log_warn("service %s: ignoring an empty notify message or one with a NUL byte%s",
					 svc->cfg->name, suppressed_note(held, note, sizeof(note)));
			continue;
		}
		sup_post(sup, &(struct event){ .kind = EVT_NOTIFY, .svc = svc, .pid = pid,
					       .notify = m });
	}
}

static void
notify_io_cb(EV_P_ ev_io *w, int revents)
{
	(void)revents;
	notify_read(ev_userdata(EV_A), container_of(w, struct notify_server, io));
}

static const char *
runtime_base(void)
{
	static char first[PATH_MAX];
	const char *rd = getenv("RUNTIME_DIRECTORY");

	if (rd && *rd) {
		/* systemd may list several, separated by ':'. */
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(rd, ":"), rd);
		return first;
	}
	rd = getenv("XDG_RUNTIME_DIR");
	if (rd && *rd)
		return rd;
	if (access("/run", W_OK) == 0)
		return "/run";
	return "/tmp";
}

int
notify_setup(struct supervisor *sup)
{
	struct notify_server *ns;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1, r;
	bool wanted = false;

	for (size_t i = 0; i < sup->nsvcs; i++)
		wanted |= notify_wanted(sup->svcs[i]->cfg);
	if (!wanted)
		return 0;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ns->fd = -1;
	if ((size_t)snprintf(ns->dir, sizeof(ns->dir), "%s/drainit.XXXXXX", runtime_base()) >=
	    sizeof(ns->dir)) {
		log_error("notify socket: runtime directory %s: path too long", runtime_base());
		free(ns);
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(ns->dir)) {
		r = -errno;
		log_error("notify socket: cannot create a directory %s: %s", ns->dir, strerror(-r));
		free(ns);
		return r;
	}
	/* Services may run as other users: they must reach the socket. */
	(void)chmod(ns->dir, 0755);
	if ((size_t)snprintf(ns->path, sizeof(ns->path), "%s/notify", ns->dir) >= sizeof(ns->path)) {
		log_error("notify socket: path %s/notify is too long for a unix socket", ns->dir);
		r = -ENAMETOOLONG;
		goto fail;
	}
	memcpy(sa.sun_path, ns->path, strlen(ns->path) + 1);
	ns->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ns->fd < 0 || bind(ns->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(ns->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		r = -errno;
		log_error("notify socket %s: %s", ns->path, strerror(-r));
		goto fail;
	}
	(void)chmod(ns->path, 0666);
	ev_io_init(&ns->io, notify_io_cb, ns->fd, EV_READ);
	ev_io_start(sup->loop, &ns->io);
	sup->notify = ns;
	log_debug("notify socket: %s", ns->path);
	return 0;
fail:
	if (ns->fd >= 0)
		close(ns->fd);
	(void)unlink(ns->path);
	(void)rmdir(ns->dir);
	free(ns);
	return r;
}

void
notify_free(struct supervisor *sup)
{
	struct notify_server *ns = sup->notify;

	if (!ns)
		return;
	ev_io_stop(sup->loop, &ns->io);
	close(ns->fd);
	(void)unlink(ns->path);
	(void)rmdir(ns->dir);
	free(ns);
	sup->notify = NULL;
}

int
notify_env(struct supervisor *sup, const struct service *svc, struct envbuf *e)
{
	if (!sup->notify || !notify_wanted(svc->cfg))
		return 0;
	if (env_setf(e, "NOTIFY_SOCKET=%s", sup->notify->path) < 0)
		return -ENOMEM;
	env_unset(e, "WATCHDOG_PID");
	if (svc->cfg->watchdog_ms > 0)
		return env_setf(e, "WATCHDOG_USEC=%lld", (long long)svc->cfg->watchdog_ms * 1000);
	env_unset(e, "WATCHDOG_USEC");
	return 0;
}
