/* bench-child: the supervised program of every bench scenario.
 *
 * Configured only through the environment, so it runs unchanged under
 * every supervisor (s6 runs it as a service's ./run, with no arguments):
 *
 *   BENCH_MODE       idle | sig | term-delay | ignore-term | crash | log |
 *                    true | exit-after | count-usr1
 *   BENCH_READY_DIR  when set, DIR/<pid> is written (atomically) once the
 *                    mode's handlers are installed: "pid T_MAIN T0\n", where
 *                    T_MAIN is CLOCK_MONOTONIC (ns) at the top of main() and
 *                    T0 is $BENCH_T0 (set by bench-launch just before it
 *                    exec'd the supervisor), or 0.
 *   BENCH_OUT        per-mode output file (see below)
 *   BENCH_FIFO       sig: FIFO the SIGUSR1 handler writes its timestamp to
 *   BENCH_DELAY_MS   term-delay: SIGTERM -> exit delay (default 200)
 *                    exit-after: ready -> exit delay (default 50)
 *                    log: delay before the first line (default 300)
 *   BENCH_LINES      log: number of lines (default 200)
 *   BENCH_GAP_US     log: gap between lines (default 2000)
 *
 * Modes:
 *   idle         pause() forever; default dispositions, so SIGTERM ends it.
 *   sig          SIGUSR1 handler writes the 8-byte CLOCK_MONOTONIC of its
 *                entry to BENCH_FIFO.
 *   term-delay   on SIGTERM, sleeps BENCH_DELAY_MS, writes "T_EXIT T_TERM\n"
 *                to BENCH_OUT and _exit(0)s; T_TERM is the clock read first
 *                thing in the SIGTERM handler.
 *   ignore-term  SIGTERM handler appends "T_TERM\n" to BENCH_OUT and
 *                returns: only SIGKILL ends it.
 *   crash        appends one byte to BENCH_OUT and exits 1 (a crash loop
 *                under restart=always).
 *   log          writes BENCHLOG lines "BENCHLOG SEQ T_WRITE\n" to stdout,
 *                then idles.
 *   true         exits 0 at once, before anything else (`sup -- true`).
 *   exit-after   once ready, sleeps BENCH_DELAY_MS, writes "T_EXIT\n" to
 *                BENCH_OUT (the clock read just before) and _exit(0)s: a
 *                child that ends by itself.
 *   count-usr1   BENCH_OUT is 8 bytes mapped shared: the SIGUSR1 handler
 *                adds 1 to the int64 there (readers see it at once through
 *                the page cache), then idles. */
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "common.h"

static int out_fd = -1;
static int sig_fd = -1;
static volatile sig_atomic_t got_term;
static volatile int64_t t_term;
static volatile int64_t *usr1_count;

/* Formats v in decimal into buf (async-signal-safe); returns the length. */
static size_t
fmt_i64(char *buf, int64_t v)
{
	char tmp[24];
	size_t n = 0, len = 0;

	if (v < 0) {
		buf[len++] = '-';
		v = -v;
	}
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

static void
on_usr1(int sig)
{
	int64_t t = now_ns();

	(void)sig;
	(void)!write(sig_fd, &t, sizeof(t));
}

static void
on_term_ignore(int sig)
{
	char buf[32];
	size_t n = fmt_i64(buf, now_ns());

	(void)sig;
	buf[n++] = '\n';
	(void)!write(out_fd, buf, n);
}

static void
on_term_flag(int sig)
{
	t_term = now_ns();
	(void)sig;
	got_term = 1;
}

static void
on_usr1_count(int sig)
{
	(void)sig;
	(*usr1_count)++;
}

static void
catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static int
open_out(int flags)
{
	const char *p = getenv("BENCH_OUT");
	int fd;

	if (!p) {
		fprintf(stderr, "bench-child: BENCH_OUT is not set\n");
		exit(2);
	}
	if (!(flags & O_ACCMODE))
		flags |= O_WRONLY;
	fd = open(p, flags | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "bench-child: %s: %s\n", p, strerror(errno));
		exit(2);
	}
	return fd;
}

static void
write_ready(int64_t t_main)
{
	const char *dir = getenv("BENCH_READY_DIR");
	const char *t0 = getenv("BENCH_T0");
	char path[4096], rec[128];
	int n;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%d", dir, (int)getpid());
	n = snprintf(rec, sizeof(rec), "%d %lld %s\n", (int)getpid(), (long long)t_main,
		     t0 && *t0 ? t0 : "0");
	if (write_file_atomic(path, rec, (size_t)n) < 0)
		fprintf(stderr, "bench-child: %s: %s\n", path, strerror(errno));
}

static void __attribute__((noreturn))
idle_forever(void)
{
	for (;;)
		pause();
}

static void
run_log(void)
{
	long long lines = env_ll("BENCH_LINES", 200);
	int64_t gap = env_ll("BENCH_GAP_US", 2000) * 1000;
	char buf[96];

	sleep_ns(env_ll("BENCH_DELAY_MS", 300) * 1000000LL);
	for (long long i = 0; i < lines; i++) {
		int n = snprintf(buf, sizeof(buf), "BENCHLOG %lld %lld\n", i, (long long)now_ns());
		(void)!write(STDOUT_FILENO, buf, (size_t)n);
		sleep_ns(gap);
	}
}

int
main(void)
{
	int64_t t_main = now_ns();
	const char *mode = getenv("BENCH_MODE");
	sigset_t term, old;

	if (!mode || !*mode)
		mode = "idle";

	if (strcmp(mode, "true") == 0)
		_exit(0);

	if (strcmp(mode, "idle") == 0) {
		write_ready(t_main);
		idle_forever();
	} else if (strcmp(mode, "sig") == 0) {
		const char *fifo = getenv("BENCH_FIFO");

		/* O_RDWR: never blocks, whether or not the reader is there yet. */
		sig_fd = fifo ? open(fifo, O_RDWR | O_CLOEXEC) : -1;
		if (sig_fd < 0) {
			fprintf(stderr, "bench-child: BENCH_FIFO: %s\n", fifo ? strerror(errno) : "not set");
			return 2;
		}
		catch(SIGUSR1, on_usr1);
		write_ready(t_main);
		idle_forever();
	} else if (strcmp(mode, "term-delay") == 0) {
		char buf[32];
		size_t n;

		out_fd = open_out(O_TRUNC);
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, &old);
		catch(SIGTERM, on_term_flag);
		write_ready(t_main);
		while (!got_term)
			sigsuspend(&old);
		sleep_ns(env_ll("BENCH_DELAY_MS", 200) * 1000000LL);
		n = fmt_i64(buf, now_ns());
		buf[n++] = ' ';
		n += fmt_i64(buf + n, t_term);
		buf[n++] = '\n';
		(void)!write(out_fd, buf, n);
		_exit(0);
	} else if (strcmp(mode, "exit-after") == 0) {
		char buf[32];
		size_t n;

		out_fd = open_out(O_TRUNC);
		write_ready(t_main);
		sleep_ns(env_ll("BENCH_DELAY_MS", 50) * 1000000LL);
		n = fmt_i64(buf, now_ns());
		buf[n++] = '\n';
		(void)!write(out_fd, buf, n);
		_exit(0);
	} else if (strcmp(mode, "count-usr1") == 0) {
		void *m;

		out_fd = open_out(O_TRUNC | O_RDWR);
		if (ftruncate(out_fd, sizeof(int64_t)) < 0 ||
		    (m = mmap(NULL, sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED, out_fd,
			      0)) == MAP_FAILED) {
			fprintf(stderr, "bench-child: BENCH_OUT: %s\n", strerror(errno));
			return 2;
		}
		usr1_count = m;
		catch(SIGUSR1, on_usr1_count);
		write_ready(t_main);
		idle_forever();
	} else if (strcmp(mode, "ignore-term") == 0) {
		out_fd = open_out(O_APPEND);
		catch(SIGTERM, on_term_ignore);
		write_ready(t_main);
		idle_forever();
	} else if (strcmp(mode, "crash") == 0) {
		out_fd = open_out(O_APPEND);
		(void)!write(out_fd, "x", 1);
		return 1;
	} else if (strcmp(mode, "log") == 0) {
		write_ready(t_main);
		run_log();
		idle_forever();
	}
	fprintf(stderr, "bench-child: unknown BENCH_MODE '%s'\n", mode);
	return 2;
}
