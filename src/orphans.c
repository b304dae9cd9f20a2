/* orphans.c: mechanism layer. Finds and signals the processes drainit
 * adopted.
 *
 * drainit's children are read from /proc/PID/stat (parent field), but
 * only when /proc belongs to drainit's pid namespace (/proc/self names
 * drainit's own pid): a /proc of the parent namespace would name pids
 * that mean other processes here. As PID 1 without a usable /proc the
 * kernel's kill(-1), which stays inside the namespace, stands in.
 * Whether any child is left at all is asked of the kernel (waitid with
 * WNOWAIT), which needs no /proc. Never waits, never reaps. */
#include "orphans.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "procstat.h"

#define SCAN_MAX 4096

/* State letter and parent of pid; false when it is gone. */
static bool
proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	struct procstat st;

	if (!procstat_read(pid, &st))
		return false;
	*state = st.state;
	*ppid = st.ppid;
	return true;
}

static bool
proc_is_ours(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return atoi(buf) == (int)getpid();
}

int
orphans_children(pid_t *buf, int max)
{
	DIR *d;
	struct dirent *de;
	pid_t self = getpid();
	int n = 0;

	if (!proc_is_ours() || !(d = opendir("/proc")))
		return -1;
	while ((de = readdir(d))) {
		char st;
		pid_t pid = (pid_t)atoi(de->d_name), pp;

		if (pid <= 0 || pid == self || !proc_stat(pid, &st, &pp) || pp != self)
			continue;
		if (n < max)
			buf[n] = pid;
		n++;
	}
	closedir(d);
	return n < max ? n : max;
}

bool
orphans_has_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0;
}

static bool
signalled(const struct supervisor *sup, pid_t pid)
{
	for (size_t i = 0; i < sup->norphans_signalled; i++)
		if (sup->orphans_signalled[i] == pid)
			return true;
	return false;
}

static void
remember(struct supervisor *sup, pid_t pid)
{
	if (sup->norphans_signalled == sup->orphans_cap) {
		size_t ncap = sup->orphans_cap ? sup->orphans_cap * 2 : 64;
		pid_t *nv = realloc(sup->orphans_signalled, ncap * sizeof(*nv));

		if (!nv)
			return;	/* it may get the signal twice: harmless */
		sup->orphans_signalled = nv;
		sup->orphans_cap = ncap;
	}
	sup->orphans_signalled[sup->norphans_signalled++] = pid;
}

void
orphans_forget(struct supervisor *sup)
{
	sup->norphans_signalled = 0;
}

/* A child left in the process group of a service that is still being
 * stopped is that service's: its stop signal and SIGKILL go to that
 * group, and it is not counted as adopted. */
static bool
in_stopping_group(struct supervisor *sup, pid_t pg)
{
	for (size_t i = 0; pg > 0 && i < sup->nsvcs; i++)
		if (sup->svcs[i]->spawn_pgid == pg && service_alive(sup->svcs[i]))
			return true;
	return false;
}

size_t
orphans_count(struct supervisor *sup)
{
	static pid_t kids[SCAN_MAX];
	int n = sup->sys->children(kids, SCAN_MAX);
	size_t left = 0;

	if (n < 0)
		return sup->is_pid1 && sup->sys->has_children() ? 1 : 0;	/* cannot tell: maybe */
	for (int i = 0; i < n; i++)
		if (!proc_find(sup, kids[i]) && !in_stopping_group(sup, sup->sys->getpgid(kids[i])))
			left++;
	return left;
}

size_t
orphans_signal(struct supervisor *sup, int sig, char *list, size_t len, bool *everyone)
{
	static pid_t kids[SCAN_MAX];
	int n = sup->sys->children(kids, SCAN_MAX);
	size_t sent = 0, off = 0;

	*everyone = false;
	if (len)
		list[0] = '\0';
	if (n < 0) {
		if (!sup->is_pid1)
			return 0;
		if (sup->sys->kill(-1, sig) == 0) {
			snprintf(list, len, "every process (kill -1)");
			*everyone = true;
			return 1;
		}
		return 0;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = kids[i], pg;

		if (proc_find(sup, pid) || signalled(sup, pid))
			continue;
		pg = sup->sys->getpgid(pid);
		if (in_stopping_group(sup, pg))
			continue;
		/* A leader's group holds its own descendants; anything else
		 * (a process still in a service's old group) gets only itself. */
		if (sup->sys->kill(pg == pid ? -pid : pid, sig) < 0 && errno != ESRCH) {
			log_warn("cannot send %s to adopted pid %d: %s", signal_name(sig), (int)pid,
				 strerror(errno));
			continue;
		}
		remember(sup, pid);
		sent++;
		if (off < len)
			off += (size_t)snprintf(list + off, len - off, "%s%d", sent > 1 ? " " : "",
						(int)pid);
	}
	return sent;
}

void
orphans_describe(struct supervisor *sup, char *buf, size_t len)
{
	static pid_t kids[SCAN_MAX];
	int n = sup->sys->children(kids, SCAN_MAX);
	size_t off = 0;

	buf[0] = '\0';
	if (n < 0) {
		snprintf(buf, len, "(unknown: /proc is not this pid namespace's)");
		return;
	}
	for (int i = 0; i < n && off < len; i++) {
		char st = '?';
		pid_t pp;
		const char *what;

		struct proc *p = proc_find(sup, kids[i]);
		char who[96] = "";

		(void)proc_stat(kids[i], &st, &pp);
		if (p && p->kind == PROC_SERVICE)
			snprintf(who, sizeof(who), " (service %s)",
				 container_of(p, struct service, proc)->cfg->name);
		else if (p)
			snprintf(who, sizeof(who), " (%s)", p->kind == PROC_HOOK ? "drain hook" : "check");
		switch (st) {
		case 'D': what = "in uninterruptible sleep (D), cannot die yet"; break;
		case 'Z': what = "a zombie not reaped yet"; break;
		case 'T': case 't': what = "stopped"; break;
		default: what = "still running"; break;
		}
		off += (size_t)snprintf(buf + off, len - off, "%spid %d%s %s", i ? ", " : "",
					(int)kids[i], who, what);
	}
	if (n == 0)
		snprintf(buf, len, "none left");
}
