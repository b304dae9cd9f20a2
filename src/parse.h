/* parse.h: pure parsers shared by the config file and the command line.
 * Durations, signal names and shell-like argument splitting. Nothing here
 * logs, allocates global state or touches the process. */
#ifndef DRAINIT_PARSE_H
#define DRAINIT_PARSE_H

#include <stdint.h>
#include <stddef.h>

/* Durations are integer milliseconds everywhere inside drainit. */
typedef int64_t msec_t;

/* "250ms", "5s", "2m", "1h", "1m30s", or a bare integer (seconds).
 * Returns 0, or -EINVAL (syntax) / -ERANGE (too large). */
int parse_duration(const char *s, msec_t *ret);

/* Formats a duration the way the log and --check print it ("1m30s",
 * "250ms", "0s"). buf should hold at least 32 bytes. */
const char *format_duration(msec_t ms, char *buf, size_t len);

/* "SIGTERM", "TERM", "term", "15". Returns 0 or -EINVAL. */
int parse_signal(const char *s, int *ret);

/* "SIGTERM" for 15, or "SIG?" for an unknown number. */
const char *signal_name(int sig);

/* Splits a command line with shell-like quoting ('…', "…", backslash)
 * but no expansion of any kind. On success *ret_argv is a NULL-terminated
 * array (free with argv_free) and *ret_argc its length (>= 1).
 * Returns 0, -EINVAL with *ret_err set to a static reason, or -ENOMEM. */
int split_argv(const char *s, char ***ret_argv, int *ret_argc, const char **ret_err);
void argv_free(char **argv);
char **argv_dup(char *const *argv);

/* Levenshtein distance, for "did you mean" hints. */
int edit_distance(const char *a, const char *b);

#endif
