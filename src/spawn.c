/* spawn.c: mechanism layer. fork and exec, done once, carefully.
 *
 * Order (parent):  block all signals -> pipe2(O_CLOEXEC) -> clone(CLONE_VM |
 *                  CLONE_VFORK) -> setpgid(pid, pid) -> restore mask ->
 *                  watch the pipe.
 * Order (child):   setpgid(0, 0) -> empty mask -> process settings of a service
 *                  (child_apply_opts) -> fds >= 3 close-on-exec -> chdir
 *                  -> exec.
 * The child shares drainit's memory until it execs or exits (vfork
 * semantics, on a stack of its own): no page table is copied, which is
 * most of what a fork of drainit costs, and drainit waits meanwhile. So
 * the child must not change anything drainit relies on: it calls only
 * async-signal-safe functions (the ids are changed with raw system calls,
 * never glibc's all-threads setxid), writes only its own stack, and a
 * failing step writes {step, errno} to the pipe and _exit(127)s. EOF on
 * the pipe means exec succeeded.
 * Why the mask: a signal handled in the child would run a handler on
 * drainit's memory, and a stop signal sent to the new group before exec
 * would be lost. Blocked, it stays pending and acts once the child has
 * its default dispositions. drainit installs no handler and has set
 * back to the default whatever it inherited as ignored (signals.c): the
 * child inherits no disposition to reset. */

#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>

#include "log.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

struct exec_report {
	int step;
	int err;
	int detail;	/* the setrlimit resource; -1 */
};

static void __attribute__((noreturn))
child_fail_at(int fd, enum spawn_step step, int err, int detail)
{
	struct exec_report rep = { .step = step, .err = err, .detail = detail };
	(void)!write(fd, &rep, sizeof(rep));
	_exit(127);
}

static void __attribute__((noreturn))
child_fail(int fd, enum spawn_step step, int err)
{
	child_fail_at(fd, step, err, -1);
}

/* A service's process settings, in the child, in an order
 * where each step still has the privilege it needs: stdio, limits,
 * priority and OOM score while still root, then groups -> gid -> uid
 * (the uid last: after it nothing else could be changed). Syscalls on
 * numbers prepared by the parent only: no NSS, no malloc. */
static void
child_apply_opts(int status_fd, const struct spawn_opts *o)
{
	static const enum spawn_step stdio_step[3] = {
		SPAWN_STEP_STDIN, SPAWN_STEP_STDOUT, SPAWN_STEP_STDERR,
	};
	int fd;

	for (int i = 0; i < 3; i++) {
		if (o->stdio[i] < 0)
			continue;
		/* dup2 onto itself would keep FD_CLOEXEC: clear it instead. */
		if (o->stdio[i] == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(o->stdio[i], i) < 0)
			child_fail(status_fd, stdio_step[i], errno);
	}
	for (size_t i = 0; i < o->nrlimits; i++)
		if (setrlimit(o->rlimits[i].resource, &o->rlimits[i].lim) < 0)
			child_fail_at(status_fd, SPAWN_STEP_RLIMIT, errno, o->rlimits[i].resource);
	if (o->set_nice && setpriority(PRIO_PROCESS, 0, o->nice) < 0)
		child_fail(status_fd, SPAWN_STEP_NICE, errno);
	if (o->oom_score_adj) {
		fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, o->oom_score_adj, o->oom_len) != (ssize_t)o->oom_len)
			child_fail(status_fd, SPAWN_STEP_OOM, errno);
		close(fd);
	}
	if (o->set_umask)
		umask(o->umask);
	/* Raw system calls: this process only (glibc's wrappers would try to
	 * change every thread of the memory the child shares with drainit). */
	if (o->set_ids) {
		if (syscall(SYS_setgroups, o->ngroups, o->groups) < 0)
			child_fail(status_fd, SPAWN_STEP_SETGROUPS, errno);
		if (syscall(SYS_setgid, o->gid) < 0)
			child_fail(status_fd, SPAWN_STEP_SETGID, errno);
	}
	if (o->set_uid && syscall(SYS_setuid, o->uid) < 0)
		child_fail(status_fd, SPAWN_STEP_SETUID, errno);
}

/* execvp with the PATH of envp, not drainit's: the command is looked up
 * where the service's own environment says. Async-signal-safe: no
 * malloc, the candidate path is built on the stack. Returns (with errno
 * EACCES when some candidate could not be executed, else the last error)
 * only when nothing could be executed. */
static void
child_exec(char *const *argv, char *const *envp)
{
	const char *file = argv[0], *path = DEFAULT_EXEC_PATH, *p;
	char buf[PATH_MAX];
	size_t flen = strlen(file);
	bool eacces = false;

	if (strchr(file, '/')) {
		execve(file, argv, envp);
		return;
	}
	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0) {
			path = *e + 5;
			break;
		}
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);

		if (dlen + 1 + flen < sizeof(buf)) {
			if (dlen) {
				memcpy(buf, p, dlen);
				buf[dlen++] = '/';
			}	/* an empty entry means the working directory */
			memcpy(buf + dlen, file, flen + 1);
			execve(buf, argv, envp);
			if (errno == EACCES)
				eacces = true;
			else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP &&
				 errno != ENAMETOOLONG)
				return;
		}
		if (!*end)
			break;
		p = end;
	}
	errno = eacces ? EACCES : ENOENT;
}

struct child_arg {
	int status_fd;
	const struct spawn_req *req;
};

static int
child_run(void *argp)
{
	const struct child_arg *a = argp;
	const struct spawn_req *req = a->req;
	int status_fd = a->status_fd;
	sigset_t empty;

	if (setpgid(0, 0) < 0)
		child_fail(status_fd, SPAWN_STEP_SETPGID, errno);
	/* A command wrapped on a terminal must be able to read it: make its
	 * group the terminal's foreground (SIGTTOU is still blocked here, so
	 * this cannot stop us). Not a terminal: nothing to do. */
	if (req->foreground && isatty(STDIN_FILENO))
		(void)tcsetpgrp(STDIN_FILENO, getpid());

	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, &empty, NULL) < 0)
		child_fail(status_fd, SPAWN_STEP_SIGNALS, errno);

	if (req->opts)
		child_apply_opts(status_fd, req->opts);

	/* Belt and braces: drainit's own fds are O_CLOEXEC from birth. */
	(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

	/* A directory of the service's own must work; drainit's start directory
	 * (a 0700 home, say) may be one its user cannot enter: / then. */
	if (req->dir && chdir(req->dir) < 0 && !(req->dir_default && chdir("/") == 0))
		child_fail(status_fd, SPAWN_STEP_CHDIR, errno);

	child_exec(req->argv, req->envp ? req->envp : environ);
	child_fail(status_fd, SPAWN_STEP_EXEC, errno);
}

/* The child's stack: child_exec's path buffer and a few frames. */
#define CHILD_STACK (32 * 1024)

/* AddressSanitizer marks the redzones of the child's frames in the
 * shadow memory both processes share, and the child never returns to
 * clear them: once it is gone that part of drainit's stack is clean. */
#if defined(__SANITIZE_ADDRESS__)
#define CHILD_STACK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHILD_STACK_ASAN 1
#endif
#endif
#ifdef CHILD_STACK_ASAN
#include <sanitizer/asan_interface.h>
#define child_stack_clean(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define child_stack_clean(p, n) ((void)(p), (void)(n))
#endif

static void
proc_status_cb(EV_P_ ev_io *w, int revents)
{
	struct proc *p = container_of(w, struct proc, status_io);
	(void)revents;
	proc_collect_status(ev_userdata(EV_A), p);
}

void
proc_collect_status(struct supervisor *sup, struct proc *p)
{
	struct exec_report rep;
	ssize_t n;

	if (p->status_fd < 0)
		return;
	do
		n = read(p->status_fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;		/* spurious wake-up: exec still pending */
	ev_io_stop(sup->loop, &p->status_io);
	close(p->status_fd);
	p->status_fd = -1;
	if (n == (ssize_t)sizeof(rep)) {
		p->fail_step = rep.step > SPAWN_STEP_NONE && rep.step < _SPAWN_STEP_MAX
				       ? (enum spawn_step)rep.step
				       : SPAWN_STEP_EXEC;
		p->fail_errno = rep.err;
		p->fail_detail = rep.detail;
	}
	sup_post(sup, &(struct event){ .kind = EVT_PROC_EXEC, .proc = p });
}

int
spawn_proc(struct supervisor *sup, struct proc *p, const struct spawn_req *req)
{
	sigset_t all, old;
	int fds[2], e;
	pid_t pid;
	/* on drainit's stack: drainit waits while the child runs on it */
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	struct child_arg arg;

	struct spawn_req local = *req;

	if (!local.dir) {
		local.dir = sup->cwd;	/* drainit's start directory, not its / */
		local.dir_default = true;
	}
	req = &local;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	/* The read end is close-on-exec, and the child execs or exits: it
	 * needs no close of its own. */
	arg = (struct child_arg){ .status_fd = fds[1], .req = req };
	pid = clone(child_run, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &arg);
	e = errno;
	child_stack_clean(stack, sizeof(stack));
	if (pid > 0 && setpgid(pid, pid) < 0 && errno != EACCES && errno != ESRCH)
		log_warn("setpgid(%d): %s", (int)pid, strerror(errno));
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -e;
	}
	(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
	p->pid = pid;
	p->status_fd = fds[0];
	p->fail_step = SPAWN_STEP_NONE;
	p->fail_errno = 0;
	p->fail_detail = -1;
	ev_io_init(&p->status_io, proc_status_cb, fds[0], EV_READ);
	ev_io_start(sup->loop, &p->status_io);
	return 0;
}

int
spawn_start(struct supervisor *sup, struct proc *p, const struct spawn_req *req)
{
	int r = sup->sys->spawn(sup, p, req);

	if (r < 0)
		return r;
	r = proc_track(sup, p);
	if (r < 0) {
		/* -EEXIST cannot happen for a fresh fork; -ENOMEM: take it back
		 * and fail the start (its reap is then an unknown child's) */
		(void)sup->sys->kill(-p->pid, SIGKILL);
		log_warn("pid %d: cannot track it (%s); killed", (int)p->pid, strerror(-r));
		if (p->status_fd >= 0) {
			ev_io_stop(sup->loop, &p->status_io);
			close(p->status_fd);
			p->status_fd = -1;
		}
		return r;
	}
	return 0;
}

void
fds_cloexec_inherited(void)
{
	DIR *d;
	struct dirent *de;

	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Kernels before 5.11: walk /proc/self/fd instead. */
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd >= 3 && fd != dirfd(d))
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}
