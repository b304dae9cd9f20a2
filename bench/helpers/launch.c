/* bench-launch: starts a supervisor, drives it, and timestamps what it does.
 *
 * usage: bench-launch [OPTIONS] -- SUPERVISOR [ARG...]
 *   --stamp             put BENCH_T0=<CLOCK_MONOTONIC ns> in the supervisor's
 *                       environment, read from the clock just before execv
 *                       (no system call in between: the clock is the vDSO)
 *   --ready-dir DIR     wait until DIR holds --ready-count records written by
 *                       bench-child (default 1)
 *   --ready-count N
 *   --ready-timeout MS  give up waiting for readiness (default 10000)
 *   --signal SIG        once ready (after --signal-delay MS), send SIG (a
 *                       number) to the supervisor and record when
 *   --signal-delay MS
 *   --watch-child       pidfd on the first ready child (opened once it is
 *                       ready, with or without --signal): record when it dies
 *   --exit-timeout MS   SIGKILL the supervisor if it has not exited MS after
 *                       the signal (default 20000)
 *
 * Without --ready-dir and --signal it only waits for the supervisor to
 * exit by itself (`sup -- true`: t_exit - t_exec is the whole run).
 *
 * The supervisor's stdout is bench-launch's stderr. Prints one JSON object
 * on stdout, times in CLOCK_MONOTONIC ns (0: did
 * not happen): pid, t_exec, t_ready, t_sig, child_pid, t_child_dead,
 * t_exit, status (raw wait status, -1 if killed by us), error. t_exec is
 * read by the forked child just before execve(supervisor) (user space
 * only in between; the same clock read as --stamp's) and handed back
 * through a shared page. */
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char **environ;

struct opts {
	bool stamp, watch_child;
	const char *ready_dir;
	long ready_count, ready_timeout, sig, sig_delay, exit_timeout;
	char **cmd;
};

static int
pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: bench-launch [--stamp] [--ready-dir DIR] [--ready-count N] "
			"[--ready-timeout MS] [--signal SIG] [--signal-delay MS] [--watch-child] "
			"[--exit-timeout MS] -- CMD [ARG...]\n");
	exit(2);
}

static long
num_arg(int argc, char **argv, int *i)
{
	char *end;
	long v;

	if (*i + 1 >= argc)
		usage();
	v = strtol(argv[++*i], &end, 10);
	if (*end)
		usage();
	return v;
}

static void
parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->ready_count = 1;
	o->ready_timeout = 10000;
	o->exit_timeout = 20000;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "--stamp") == 0) {
			o->stamp = true;
		} else if (strcmp(a, "--watch-child") == 0) {
			o->watch_child = true;
		} else if (strcmp(a, "--ready-dir") == 0 && i + 1 < argc) {
			o->ready_dir = argv[++i];
		} else if (strcmp(a, "--ready-count") == 0) {
			o->ready_count = num_arg(argc, argv, &i);
		} else if (strcmp(a, "--ready-timeout") == 0) {
			o->ready_timeout = num_arg(argc, argv, &i);
		} else if (strcmp(a, "--signal") == 0) {
			o->sig = num_arg(argc, argv, &i);
		} else if (strcmp(a, "--signal-delay") == 0) {
			o->sig_delay = num_arg(argc, argv, &i);
		} else if (strcmp(a, "--exit-timeout") == 0) {
			o->exit_timeout = num_arg(argc, argv, &i);
		} else {
			usage();
		}
	}
	if (i >= argc)
		usage();
	o->cmd = &argv[i];
}

/* Number of ready records in dir; *first_pid gets the pid of one of them. */
static long
count_ready(const char *dir, pid_t *first_pid)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end)
			continue;	/* ".", "..", tmp files */
		if (n++ == 0 && first_pid)
			*first_pid = (pid_t)pid;
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int64_t t_exec = 0, t_ready = 0, t_sig = 0, t_child_dead = 0, t_exit = 0;
	pid_t pid, child = 0;
	int status = 0, sup_fd, child_fd = -1;
	const char *error = "";
	static char envbuf[64];
	volatile int64_t *shared_t0;

	parse(argc, argv, &o);
	shared_t0 = mmap(NULL, sizeof(*shared_t0), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_t0 == MAP_FAILED) {
		perror("bench-launch: mmap");
		return 1;
	}
	*shared_t0 = 0;
	pid = fork();
	if (pid < 0) {
		perror("bench-launch: fork");
		return 1;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* stdout carries our JSON: the supervisor's goes to stderr. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		if (o.stamp) {
			/* Everything after the clock read is user space until execve. */
			int64_t t0 = now_ns();
			snprintf(envbuf, sizeof(envbuf), "BENCH_T0=%lld", (long long)t0);
			putenv(envbuf);
			*shared_t0 = t0;
		} else {
			*shared_t0 = now_ns();
		}
		execve(o.cmd[0], o.cmd, environ);
		fprintf(stderr, "bench-launch: exec %s: %s\n", o.cmd[0], strerror(errno));
		_exit(127);
	}
	sup_fd = pidfd_open(pid);
	if (sup_fd < 0) {
		perror("bench-launch: pidfd_open");
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 1;
	}

	if (o.ready_dir) {
		int64_t deadline = now_ns() + (int64_t)o.ready_timeout * 1000000;
		struct pollfd p = { .fd = sup_fd, .events = POLLIN };

		for (;;) {
			if (count_ready(o.ready_dir, &child) >= o.ready_count) {
				t_ready = now_ns();
				break;
			}
			if (now_ns() > deadline) {
				error = "ready timeout";
				break;
			}
			if (poll(&p, 1, 1) > 0) {
				error = "supervisor exited before ready";
				break;
			}
		}
	}

	if (!*error && o.watch_child && child > 0) {
		child_fd = pidfd_open(child);
		if (child_fd < 0)
			error = "pidfd_open(child) failed";
	}

	if (!*error && o.sig) {
		if (o.sig_delay)
			sleep_ns((int64_t)o.sig_delay * 1000000);
		t_sig = now_ns();
		kill(pid, (int)o.sig);
	}

	{
		int64_t deadline = now_ns() + (int64_t)o.exit_timeout * 1000000;
		bool killed = *error != 0;

		if (killed)
			kill(pid, SIGKILL);
		while (!t_exit) {
			struct pollfd p[2] = { { .fd = sup_fd, .events = POLLIN },
					       { .fd = child_fd, .events = POLLIN } };
			int64_t left = (deadline - now_ns()) / 1000000;
			int r = poll(p, child_fd >= 0 ? 2 : 1, left > 0 ? (int)left + 1 : 0);
			int64_t t = now_ns();

			if (r < 0 && errno != EINTR)
				break;
			if (child_fd >= 0 && (p[1].revents & POLLIN)) {
				t_child_dead = t;
				close(child_fd);
				child_fd = -1;
			}
			if (p[0].revents & POLLIN) {
				t_exit = t;
				break;
			}
			if (r == 0 && !killed) {
				error = "exit timeout";
				kill(pid, SIGKILL);
				killed = true;
				deadline = now_ns() + 5000000000LL;
			}
		}
		waitpid(pid, &status, 0);
		if (killed && !*error)
			error = "killed";
	}
	t_exec = *shared_t0;	/* the child has exec'd (or exited) by now */

	printf("{\"pid\": %d, \"t_exec\": %lld, \"t_ready\": %lld, \"t_sig\": %lld, "
	       "\"child_pid\": %d, \"t_child_dead\": %lld, \"t_exit\": %lld, "
	       "\"status\": %d, \"error\": \"%s\"}\n",
	       (int)pid, (long long)t_exec, (long long)t_ready, (long long)t_sig, (int)child,
	       (long long)t_child_dead, (long long)t_exit, status, error);
	return 0;
}
