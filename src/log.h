/* log.h: drainit's own messages on stderr. One line per event, written
 * with a single write(2) so lines from drainit never interleave mid-line:
 *   2026-11-25T08:30:00.123Z drainit: shutdown: stage prestop (delay 5s, 2 drain hooks)
 * Config errors are not logged through here: they are printed bare as
 * FILE:LINE: messages before anything runs. */
#ifndef DRAINIT_LOG_H
#define DRAINIT_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

extern enum log_level log_min_level;

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
