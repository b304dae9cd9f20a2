/* log.c: timestamped, single-write log lines on stderr. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

enum log_level log_min_level = LOG_INFO;

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = {
		[LOG_DEBUG] = "debug: ", [LOG_INFO] = "",
		[LOG_WARN] = "warning: ", [LOG_ERROR] = "error: ",
	};
	char buf[2048];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, saved = errno;
	size_t len;

	if (lvl < log_min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ drainit: %s",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, tag[lvl]);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	len = (size_t)n < sizeof(buf) - 1 ? (size_t)n : sizeof(buf) - 2;
	buf[len++] = '\n';
	/* stderr may be a closed pipe; SIGPIPE is ignored, the error is not ours to fix. */
	(void)!write(STDERR_FILENO, buf, len);
	errno = saved;
}
