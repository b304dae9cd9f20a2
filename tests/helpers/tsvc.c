/* tsvc: a configurable test service for drainit's integration tests.
 *
 *   --name N           prefix for its output lines (default "tsvc")
 *   --log FILE         also append every event line to FILE (order checks)
 *   --ignore SIG       ignore SIG (repeatable)
 *   --term-delay MS    on SIGTERM, exit 0 after MS milliseconds
 *   --exit-after MS    exit on its own after MS milliseconds ...
 *   --code N           ... with status N (default 0)
 *   --kill-self SIG    ... or by raising SIG
 *   --report           print "got XXX" for every catchable signal (1-31 by
 *                      name without SIG, real-time ones as "got RTMIN+N")
 *   --orphans N        fork N grandchildren that outlive their parent
 *   --setsid-child     fork a child that calls setsid() and ignores SIGTERM
 *   --state            print signal mask/dispositions, pgid and open fds
 *   --counter FILE     count runs in FILE (for restart tests) ...
 *   --crash-times N    ... and exit 1 at once on the first N runs
 *   --daemonize FILE   fork twice like a legacy daemon; the daemon writes its
 *                      pid to FILE after 100ms and the launcher exits 0 once
 *                      the middle process has called setsid()
 *   --pidfile-content S   write S to the pid file instead of the pid
 *   --pidfile-after MS    write the pid file MS milliseconds after the fork (100)
 *   --no-pidfile       never write the pid file
 *   --late-setsid MS   with --daemonize: one fork only; the daemon writes its
 *                      pid file first and moves to a new session and process
 *                      group MS milliseconds later (like Debian's nginx)
 *
 * Prints "NAME: ready pid=P" once set up. A helper may sleep; drainit may not. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *name = "tsvc";
static int log_fd = -1;
static volatile sig_atomic_t term_at;	/* set on SIGTERM */
static int term_delay_ms = -1;

static void
emit(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "%s: ", name);

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!write(1, buf, (size_t)n);
	if (log_fd >= 0)
		(void)!write(log_fd, buf, (size_t)n);
}

static void
on_signal(int sig)
{
	/* snprintf is not async-signal-safe in theory; this is a test helper
	 * whose main thread only sleeps in pause()/nanosleep. */
	if (sig >= SIGRTMIN)
		emit("got RTMIN+%d", sig - SIGRTMIN);
	else
		emit("got %s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	if (sig == SIGTERM && term_delay_ms >= 0)
		term_at = 1;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		if (term_at)
			return;
}

static void
print_state(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	DIR *d;
	struct dirent *de;
	char fds[256] = "";

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7)) {
			line[strcspn(line, "\n")] = '\0';
			emit("%s", line);
		}
	if (f)
		fclose(f);
	emit("pgid=%d pid=%d", (int)getpgrp(), (int)getpid());
	d = opendir("/proc/self/fd");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		strncat(fds, de->d_name, sizeof(fds) - strlen(fds) - 2);
		strcat(fds, " ");
	}
	if (d)
		closedir(d);
	emit("fds: %s", fds);
}

int
main(int argc, char **argv)
{
	long exit_after = -1;
	int code = 0, kill_self = 0, orphans = 0;
	int report = 0, state = 0, setsid_child = 0, crash_times = -1, no_pidfile = 0;
	int late_setsid = -1, pidfile_after = 100;
	const char *counter = NULL, *daemon_pidfile = NULL, *pidfile_content = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--report")) { report = 1; continue; }
		if (!strcmp(a, "--state")) { state = 1; continue; }
		if (!strcmp(a, "--setsid-child")) { setsid_child = 1; continue; }
		if (!strcmp(a, "--no-pidfile")) { no_pidfile = 1; continue; }
		if (!v) {
			fprintf(stderr, "tsvc: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--name")) name = v;
		else if (!strcmp(a, "--log")) log_fd = open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		else if (!strcmp(a, "--ignore")) signal(atoi(v) ? atoi(v) : SIGTERM, SIG_IGN);
		else if (!strcmp(a, "--term-delay")) term_delay_ms = atoi(v);
		else if (!strcmp(a, "--exit-after")) exit_after = atol(v);
		else if (!strcmp(a, "--code")) code = atoi(v);
		else if (!strcmp(a, "--kill-self")) kill_self = atoi(v);
		else if (!strcmp(a, "--orphans")) orphans = atoi(v);
		else if (!strcmp(a, "--counter")) counter = v;
		else if (!strcmp(a, "--crash-times")) crash_times = atoi(v);
		else if (!strcmp(a, "--daemonize")) daemon_pidfile = v;
		else if (!strcmp(a, "--pidfile-after")) pidfile_after = atoi(v);
		else if (!strcmp(a, "--late-setsid")) late_setsid = atoi(v);
		else if (!strcmp(a, "--pidfile-content")) pidfile_content = v;
		else {
			fprintf(stderr, "tsvc: unknown option %s\n", a);
			return 2;
		}
	}
	if (counter) {
		int n = 0;
		FILE *f = fopen(counter, "r");
		if (f) {
			if (fscanf(f, "%d", &n) != 1)
				n = 0;
			fclose(f);
		}
		n++;
		f = fopen(counter, "w");
		if (f) {
			fprintf(f, "%d\n", n);
			fclose(f);
		}
		emit("run %d", n);
		if (n <= crash_times) {
			emit("crashing");
			return 1;
		}
	}
	if (daemon_pidfile) {
		int sync[2] = { -1, -1 };
		char b;

		if (late_setsid < 0 && pipe(sync) < 0)
			return 2;
		if (fork() != 0) {
			/* the launcher: done, exit 0, once the daemon has a session
			 * of its own (the end of the pipe says so) */
			if (late_setsid < 0) {
				close(sync[1]);
				(void)!read(sync[0], &b, 1);
			}
			return 0;
		}
		if (late_setsid < 0) {
			setsid();
			close(sync[0]);
			close(sync[1]);
			if (fork() != 0)
				_exit(0);	/* the middle one */
		}
		sleep_ms(pidfile_after);
		if (!no_pidfile) {
			FILE *f = fopen(daemon_pidfile, "w");
			if (f) {
				if (pidfile_content)
					fprintf(f, "%s\n", pidfile_content);
				else
					fprintf(f, "%d\n", (int)getpid());
				fclose(f);
			}
		}
		if (late_setsid >= 0) {
			sleep_ms(late_setsid);
			setsid();
			emit("own group pgid=%d", (int)getpgrp());
		}
	}
	if (state)
		print_state();
	if (report || term_delay_ms >= 0) {
		struct sigaction sa = { .sa_handler = on_signal };
		for (int s = 1; s < 32; s++) {
			struct sigaction old;
			if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD)
				continue;
			/* keep what --ignore set */
			if (sigaction(s, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
				continue;
			if (report || s == SIGTERM)
				sigaction(s, &sa, NULL);
		}
		for (int s = SIGRTMIN; report && s <= SIGRTMAX; s++)
			sigaction(s, &sa, NULL);
	}
	if (orphans > 0) {
		pid_t mid = fork();
		if (mid == 0) {
			for (int i = 0; i < orphans; i++)
				if (fork() == 0) {
					sleep_ms(200);	/* outlive the middle process */
					_exit(0);
				}
			_exit(0);
		}
		/* reap the middle one so only true orphans remain */
		while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
			;
		emit("spawned %d orphans", orphans);
	}
	if (setsid_child) {
		pid_t c = fork();
		if (c == 0) {
			setsid();
			signal(SIGTERM, SIG_IGN);
			for (;;)
				pause();
		}
		emit("setsid child pid=%d", (int)c);
	}
	emit("ready pid=%d", (int)getpid());
	if (exit_after >= 0) {
		sleep_ms(exit_after);
		if (!term_at) {
			emit("exiting");
			if (kill_self) {
				signal(kill_self, SIG_DFL);
				raise(kill_self);
			}
			return code;
		}
	}
	{
		/* no lost wake-up: SIGTERM is only taken inside sigsuspend */
		sigset_t block, orig;
		sigemptyset(&block);
		sigaddset(&block, SIGTERM);
		sigprocmask(SIG_BLOCK, &block, &orig);
		sigdelset(&orig, SIGTERM);
		if (term_at)
			goto drain;
		for (;;) {
			sigsuspend(&orig);
			if (term_at)
				goto drain;
		}
	}
drain:
	for (;;) {
		if (term_at) {
			emit("draining for %d ms", term_delay_ms);
			term_at = 0;
			sleep_ms(term_delay_ms);
			emit("drained, exiting");
			return 0;
		}
		pause();
	}
}
