/* bench-sigsend: signal-forwarding latency.
 *
 * usage: bench-sigsend PID FIFO COUNT GAP_US TIMEOUT_MS [CONTROL_FIFO CHAR]
 *        bench-sigsend --storm PID COUNT
 *
 * COUNT times: read the clock, send SIGUSR1 to PID (or, with CONTROL_FIFO,
 * write CHAR into it: s6-supervise's control FIFO, what s6-svc does), then
 * wait for the 8-byte timestamp bench-child's handler writes into FIFO.
 * The next signal goes out GAP_US after the previous one arrived, so each
 * one meets an idle supervisor. Prints one latency (ns) per line on
 * stdout and "sent N received N lost N" on stderr. A signal not seen
 * within TIMEOUT_MS counts as lost.
 *
 * --storm: COUNT kill(PID, SIGUSR1) back to back, as fast as kill() goes,
 * waiting for nothing; prints "COUNT NS" (the time the COUNT calls took)
 * on stdout. */
#include <poll.h>
#include <signal.h>

#include "common.h"

static int
storm(pid_t pid, long count)
{
	int64_t t0 = now_ns(), t1;

	for (long i = 0; i < count; i++) {
		if (kill(pid, SIGUSR1) < 0) {
			fprintf(stderr, "bench-sigsend: kill: %s\n", strerror(errno));
			return 1;
		}
	}
	t1 = now_ns();
	printf("%ld %lld\n", count, (long long)(t1 - t0));
	return 0;
}

int
main(int argc, char **argv)
{
	long count, gap_us, timeout_ms, lost = 0, got = 0;
	pid_t pid;
	int fd, ctl = -1;
	char cmd = 0;
	int64_t t, stale;

	if (argc == 4 && strcmp(argv[1], "--storm") == 0)
		return storm((pid_t)atol(argv[2]), atol(argv[3]));
	if (argc != 6 && argc != 8) {
		fprintf(stderr, "usage: bench-sigsend PID FIFO COUNT GAP_US TIMEOUT_MS [CONTROL_FIFO CHAR]\n"
				"       bench-sigsend --storm PID COUNT\n");
		return 2;
	}
	pid = (pid_t)atol(argv[1]);
	count = atol(argv[3]);
	gap_us = atol(argv[4]);
	timeout_ms = atol(argv[5]);
	fd = open(argv[2], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bench-sigsend: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (argc == 8) {
		ctl = open(argv[6], O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (ctl < 0) {
			fprintf(stderr, "bench-sigsend: %s: %s\n", argv[6], strerror(errno));
			return 1;
		}
		cmd = argv[7][0];
	}
	while (read(fd, &stale, sizeof(stale)) > 0)
		;
	for (long i = 0; i < count; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t t0 = now_ns();
		int r;

		if (ctl >= 0)
			r = write(ctl, &cmd, 1) == 1 ? 0 : -1;
		else
			r = kill(pid, SIGUSR1);
		if (r < 0) {
			fprintf(stderr, "bench-sigsend: send: %s\n", strerror(errno));
			return 1;
		}
		r = poll(&p, 1, (int)timeout_ms);
		if (r <= 0 || read(fd, &t, sizeof(t)) != (ssize_t)sizeof(t)) {
			lost++;
			while (read(fd, &stale, sizeof(stale)) > 0)
				;	/* a late one must not pass for the next */
			continue;
		}
		got++;
		printf("%lld\n", (long long)(t - t0));
		if (gap_us)
			sleep_ns((int64_t)gap_us * 1000);
	}
	fprintf(stderr, "sent %ld received %ld lost %ld\n", count, got, lost);
	return 0;
}
