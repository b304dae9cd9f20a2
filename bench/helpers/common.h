/* common.h: the little the bench helpers share (header only). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* CLOCK_MONOTONIC in nanoseconds: the one clock every helper reports in. */
static inline int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void
sleep_ns(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Integer from the environment, or def when unset or not a number. */
static inline long long
env_ll(const char *name, long long def)
{
	const char *v = getenv(name);
	char *end;
	long long r;

	if (!v || !*v)
		return def;
	errno = 0;
	r = strtoll(v, &end, 10);
	return errno || *end ? def : r;
}

/* Writes buf to path atomically (tmp file + rename): readers never see a
 * half-written record. 0 or -1. Async-signal-safe apart from snprintf,
 * which is only used outside handlers. */
static inline int
write_file_atomic(const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

#endif
