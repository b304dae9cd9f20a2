/* log.h: pure layer. drainit's own messages on stderr. One line per event, written
 * whole (one write(2), or queued whole by output.c) so lines from drainit
 * never interleave mid-line:
 *   2026-11-25T08:30:00.123Z drainit: shutdown: stage prestop (delay 5s, 2 drain hooks)
 * or, with log_format = json, one JSON object per line:
 *   {"ts":"2026-11-25T08:30:00.123Z","level":"info","msg":"...","service":null,"pid":null,"stage":"prestop"}
 * Config errors are not logged through here: they are printed bare as
 * FILE:LINE: messages before anything runs. */
#ifndef DRAINIT_LOG_H
#define DRAINIT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

extern enum log_level log_min_level;
extern enum log_format log_format;

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* ---- rate limits for warnings a process outside drainit can provoke ---- */
struct ratelimit {
	int64_t start;		/* ms: the current window began */
	unsigned n;		/* lines allowed in it */
	unsigned long suppressed;	/* held back since the last allowed line */
};
#define RATELIMIT_BURST 5
#define RATELIMIT_WINDOW_MS 10000
/* Whether a line may be logged at now (ms): at most RATELIMIT_BURST per
 * RATELIMIT_WINDOW_MS. When it may, *held is how many were held back
 * before it (to be said in that line) and the count starts again. */
bool ratelimit_allow(struct ratelimit *rl, int64_t now, unsigned long *held);

/* ---- levels, formats, json fields ---- */

/* "debug", "info", "warn", "error" / "text", "json". 0 or -EINVAL. */
int log_level_parse(const char *s, enum log_level *ret);
int log_format_parse(const char *s, enum log_format *ret);

/* Once the loop exists, lines go through fn (output.c queues them on a
 * non-blocking stderr, so a stalled log reader never stalls drainit);
 * fn returns 0 when it took the line (queued or counted as dropped), else
 * the line is written directly. NULL: direct writes again. */
void log_set_writer(int (*fn)(void *arg, const char *line, size_t len), void *arg);

/* Where json lines get their "stage" field: fn(arg) at each line. */
void log_set_stage_source(const char *(*fn)(const void *arg), const void *arg);

/* The json line for one message (exposed for the unit tests); the
 * "service" and "pid" fields come from the message's own words,
 * "service NAME (pid N)" / "service NAME:" / "drain hook NAME#K (pid N)".
 * Returns the length written to buf (always '\n'-terminated). */
size_t log_format_json(char *buf, size_t len, const char *ts, enum log_level lvl,
		       const char *msg, const char *stage);

#endif
