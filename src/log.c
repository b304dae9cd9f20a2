/* log.c: pure layer. Timestamped, single-write log lines on stderr, as text or as
 * one JSON object per line (log_format = json). */
#include "log.h"
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level log_min_level = LOG_INFO;
enum log_format log_format = LOG_FORMAT_TEXT;

static const char *(*stage_fn)(const void *arg);
static const void *stage_arg;

static const char *const level_names[] = {
	[LOG_DEBUG] = "debug", [LOG_INFO] = "info",
	[LOG_WARN] = "warn", [LOG_ERROR] = "error",
};

int
log_level_parse(const char *s, enum log_level *ret)
{
	for (int i = LOG_DEBUG; i <= LOG_ERROR; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*ret = (enum log_level)i;
			return 0;
		}
	return -EINVAL;
}

int
log_format_parse(const char *s, enum log_format *ret)
{
	if (strcmp(s, "text") == 0)
		*ret = LOG_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*ret = LOG_FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

void
log_set_stage_source(const char *(*fn)(const void *arg), const void *arg)
{
	stage_fn = fn;
	stage_arg = arg;
}

/* ---- json ------------------------------------------------------------ */

struct jbuf {
	char *p;
	size_t len, off;
};

static void
jput(struct jbuf *b, const char *s, size_t n)
{
	/* Keep room for the closing "}\n". */
	if (b->off + n + 2 >= b->len)
		n = b->off + 2 < b->len ? b->len - b->off - 2 : 0;
	memcpy(b->p + b->off, s, n);
	b->off += n;
}

static void
jstr(struct jbuf *b, const char *s, size_t n)
{
	jput(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jput(b, esc, 2);
		} else if (c == '\n') {
			jput(b, "\\n", 2);
		} else if (c == '\t') {
			jput(b, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jput(b, esc, 6);
		} else {
			jput(b, (const char *)&s[i], 1);
		}
	}
	jput(b, "\"", 1);
}

static bool
name_char(char c)
{
	return isalnum((unsigned char)c) || strchr("_.-@", c);
}

/* "(pid N)" or "(pgid N)" at s: N, else -1. */
static long
pid_at(const char *s)
{
	char *end;
	long v;

	if (strncmp(s, " (pid ", 6) == 0)
		s += 6;
	else if (strncmp(s, " (pgid ", 7) == 0)
		s += 7;
	else
		return -1;
	v = strtol(s, &end, 10);
	return *end == ')' && v > 0 ? v : -1;
}

/* The service a message is about, from drainit's own wording. */
static void
find_service(const char *msg, const char **name, size_t *nlen, long *pid)
{
	*name = NULL;
	*nlen = 0;
	*pid = -1;
	for (const char *p = msg; (p = strstr(p, "service ")); p++) {
		const char *n = p + 8, *e = n;

		if (p != msg && p[-1] != ' ' && p[-1] != '(')
			continue;
		while (name_char(*e))
			e++;
		if (e == n || !(*e == '\0' || *e == ':' || strncmp(e, " (p", 3) == 0))
			continue;
		*name = n;
		*nlen = (size_t)(e - n);
		*pid = pid_at(e);
		return;
	}
	{
		const char *p = strstr(msg, "drain hook ");
		if (p) {
			const char *n = p + 11, *e = n;
			while (name_char(*e))
				e++;
			if (*e == '#') {
				if (e > n) {
					*name = n;
					*nlen = (size_t)(e - n);
				}
				while (*++e && isdigit((unsigned char)*e))
					;
				*pid = pid_at(e);
			}
		}
	}
}

size_t
log_format_json(char *buf, size_t len, const char *ts, enum log_level lvl, const char *msg,
		const char *stage)
{
	struct jbuf b = { buf, len, 0 };
	const char *svc;
	size_t slen;
	long pid;
	char num[32];

	find_service(msg, &svc, &slen, &pid);
	jput(&b, "{\"ts\":", 6);
	jstr(&b, ts, strlen(ts));
	jput(&b, ",\"level\":", 9);
	jstr(&b, level_names[lvl], strlen(level_names[lvl]));
	jput(&b, ",\"msg\":", 7);
	jstr(&b, msg, strlen(msg));
	jput(&b, ",\"service\":", 11);
	if (svc)
		jstr(&b, svc, slen);
	else
		jput(&b, "null", 4);
	jput(&b, ",\"pid\":", 7);
	if (pid > 0) {
		int n = snprintf(num, sizeof(num), "%ld", pid);
		jput(&b, num, (size_t)n);
	} else {
		jput(&b, "null", 4);
	}
	jput(&b, ",\"stage\":", 9);
	if (stage)
		jstr(&b, stage, strlen(stage));
	else
		jput(&b, "null", 4);
	/* jput keeps these two bytes free. buf should hold 6 bytes per byte
	 * of msg plus 512, so that nothing is ever cut. */
	buf[b.off++] = '}';
	buf[b.off++] = '\n';
	return b.off;
}

static int (*writer)(void *arg, const char *line, size_t len);
static void *writer_arg;

void
log_set_writer(int (*fn)(void *arg, const char *line, size_t len), void *arg)
{
	writer = fn;
	writer_arg = arg;
}

/* One whole line: through the writer (non-blocking, in the loop) when one
 * is set, else a single write(2). */
static void
emit(const char *line, size_t len)
{
	if (writer && writer(writer_arg, line, len) == 0)
		return;
	/* stderr may be a closed pipe; SIGPIPE is blocked and dropped, the error is not ours to fix. */
	(void)!write(STDERR_FILENO, line, len);
}

/* A JSON line: its buffers, six times the text line's, live in this
 * frame only, not in every text line's. */
static void __attribute__((noinline))
log_json(enum log_level lvl, const char *ts, const char *fmt, va_list ap)
{
	char msg[2048], out[6 * 2048 + 512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	emit(out, log_format_json(out, sizeof(out), ts, lvl, msg,
				  stage_fn ? stage_fn(stage_arg) : NULL));
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = {
		[LOG_DEBUG] = "debug: ", [LOG_INFO] = "",
		[LOG_WARN] = "warning: ", [LOG_ERROR] = "error: ",
	};
	char buf[2048], ts[64];
	struct timespec now;
	va_list ap;
	int n, saved = errno;
	size_t len;

	if (lvl < log_min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	format_utc_ms(now.tv_sec, (int)(now.tv_nsec / 1000000), ts, sizeof(ts));
	if (log_format == LOG_FORMAT_JSON) {
		va_start(ap, fmt);
		log_json(lvl, ts, fmt, ap);
		va_end(ap);
		errno = saved;
		return;
	}
	/* the prefix by hand: snprintf costs more than the whole line's copy */
	len = (size_t)(stpcpy(stpcpy(stpcpy(buf, ts), " drainit: "), tag[lvl]) - buf);
	n = (int)len;
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	len = (size_t)n < sizeof(buf) - 1 ? (size_t)n : sizeof(buf) - 2;
	buf[len++] = '\n';
	emit(buf, len);
	errno = saved;
}

bool
ratelimit_allow(struct ratelimit *rl, int64_t now, unsigned long *held)
{
	if (rl->n == 0 || now - rl->start >= RATELIMIT_WINDOW_MS) {
		rl->start = now;
		rl->n = 0;
	}
	if (rl->n >= RATELIMIT_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->n++;
	*held = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
