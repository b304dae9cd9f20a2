/* bench-logwatch: log-pipeline latency.
 *
 * usage: bench-logwatch FILE COUNT TIMEOUT_MS
 *
 * Waits for FILE to appear, then follows it with inotify. Every line
 * holding "BENCHLOG SEQ T_WRITE" (written by bench-child in log mode to its
 * stdout) is matched with the moment its bytes became readable in FILE;
 * prints one latency (ns) per line on stdout until COUNT lines were seen
 * or TIMEOUT_MS passed, and "seen N" on stderr. */
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "common.h"

static char buf[1 << 16];
static size_t have;

/* Parses the complete lines in buf, keeps the partial tail. */
static long
consume(int64_t t_seen)
{
	long seen = 0;
	size_t start = 0;

	for (size_t i = 0; i < have; i++) {
		char *p;
		long long seq, tw;

		if (buf[i] != '\n')
			continue;
		buf[i] = 0;
		p = strstr(buf + start, "BENCHLOG ");
		if (p && sscanf(p, "BENCHLOG %lld %lld", &seq, &tw) == 2) {
			printf("%lld\n", (long long)(t_seen - tw));
			seen++;
		}
		start = i + 1;
	}
	memmove(buf, buf + start, have - start);
	have -= start;
	return seen;
}

int
main(int argc, char **argv)
{
	long count, seen = 0;
	int64_t deadline;
	int fd = -1, in;

	if (argc != 4) {
		fprintf(stderr, "usage: bench-logwatch FILE COUNT TIMEOUT_MS\n");
		return 2;
	}
	count = atol(argv[2]);
	deadline = now_ns() + atol(argv[3]) * 1000000LL;
	while ((fd = open(argv[1], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (now_ns() > deadline) {
			fprintf(stderr, "bench-logwatch: %s never appeared\n", argv[1]);
			return 1;
		}
		sleep_ns(1000000);
	}
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, argv[1], IN_MODIFY) < 0) {
		perror("bench-logwatch: inotify");
		return 1;
	}
	while (seen < count) {
		struct pollfd p = { .fd = in, .events = POLLIN };
		int64_t left = (deadline - now_ns()) / 1000000, t;
		char ev[4096];
		ssize_t n;

		/* Read first: lines written before the watch was added count too. */
		t = now_ns();
		while (have < sizeof(buf) && (n = read(fd, buf + have, sizeof(buf) - have)) > 0)
			have += (size_t)n;
		seen += consume(t);
		if (have == sizeof(buf))
			have = 0;	/* a line longer than the buffer: not ours */
		if (seen >= count || left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			break;
		while (read(in, ev, sizeof(ev)) > 0)
			;
	}
	fflush(stdout);
	fprintf(stderr, "seen %ld\n", seen);
	return 0;
}
