/* parse.h: pure layer. Parsers shared by the config file and the command line.
 * Durations, signal names and shell-like argument splitting. Nothing here
 * logs, allocates global state or touches the process. */
#ifndef DRAINIT_PARSE_H
#define DRAINIT_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/resource.h>

/* Durations are integer milliseconds everywhere inside drainit. */
typedef int64_t msec_t;

/* "250ms", "5s", "2m", "1h", "1m30s", "1.5s", or a bare number
 * (seconds; "0.5" too). A fraction must come to whole milliseconds.
 * Returns 0, or -EINVAL (syntax) / -ERANGE (too large). */
int parse_duration(const char *s, msec_t *ret);

/* Formats a duration the way the log and --check print it ("1m30s",
 * "250ms", "0s"). buf should hold at least 32 bytes. */
const char *format_duration(msec_t ms, char *buf, size_t len);

/* "2026-11-25T08:30:00.123Z" for Unix time sec + ms, in UTC. Pure
 * arithmetic: unlike gmtime_r() it never makes glibc load the time zone
 * (/etc/localtime), which PID 1 would pay for on its first log line.
 * buf must hold UTC_MS_LEN + 1 bytes; returns buf. */
#define UTC_MS_LEN 24
char *format_utc_ms(int64_t sec, int ms, char *buf, size_t len);

/* "SIGTERM", "TERM", "term", "15", "RTMIN", "SIGRTMIN+3", "RTMAX-1".
 * Returns 0 or -EINVAL. */
int parse_signal(const char *s, int *ret);

/* "SIGTERM" for 15, "SIGRTMIN+2", or "SIG?" for an unknown number. */
const char *signal_name(int sig);

/* Signals 1..SIG_SLOTS-1 (the real-time ones end at 64). */
#define SIG_SLOTS 65

/* A stop sequence: "SIGTERM 30s SIGINT 10s SIGQUIT", each signal then its
 * wait; the last signal waits for the rest of the grace period. */
#define MAX_STOP_STEPS 8
struct stop_step {
	int sig;
	msec_t wait_ms;		/* 0 for the last step */
};
struct stop_seq {
	struct stop_step step[MAX_STOP_STEPS];
	size_t n;		/* >= 1 once parsed */
};
/* 0, or -EINVAL with a one-line reason (naming the bad word) in err. */
int parse_stop_seq(const char *s, struct stop_seq *ret, char *err, size_t errlen);
/* The waits before the last step, added up. */
msec_t stop_seq_waits(const struct stop_seq *q);
const char *format_stop_seq(const struct stop_seq *q, char *buf, size_t len);

/* Rewriting of forwarded signals: "HUP:USR1 WINCH:0". to[FROM] is 0 when
 * FROM is left alone, -1 when it is dropped, else the signal sent
 * instead. Zero-initialised: nothing rewritten. */
struct signal_map {
	short to[SIG_SLOTS];
	bool any;
};
/* Adds the pairs of s to m; 0, or -EINVAL with a reason in err. */
int parse_signal_map(const char *s, struct signal_map *m, char *err, size_t errlen);
/* "HUP USR1 WINCH" (or commas), or "none": bit N-1 of *mask for signal
 * N. 0, or -EINVAL with a reason in err. */
int parse_signal_set(const char *s, uint64_t *mask, char *err, size_t errlen);
/* The signal to send for sig: sig itself, its rewrite, or 0 (dropped). */
int signal_map_apply(const struct signal_map *m, int sig);

/* Exit codes and signals that count as a clean end: "0 143 SIGTERM".
 * Zero-initialised: none listed (exit 0 is always clean). */
struct success_exit {
	uint8_t codes[32];	/* bit N: exit code N (as drainit reports it) */
	uint64_t sigs;		/* bit N-1: death by signal N */
	bool any;
};
/* Adds the words of s to se; 0, or -EINVAL with a reason in err. */
int parse_success_exit(const char *s, struct success_exit *se, char *err, size_t errlen);
/* Whether exit code code (0..255, 128+N for signal N), or death by sig
 * (0: none), is listed. */
bool success_exit_match(const struct success_exit *se, int code, int sig);

/* Splits a command line with shell-like quoting ('…', "…", backslash)
 * but no expansion of any kind. On success *ret_argv is a NULL-terminated
 * array (free with argv_free) and *ret_argc its length (>= 1).
 * Returns 0, -EINVAL with *ret_err set to a static reason, or -ENOMEM. */
int split_argv(const char *s, char ***ret_argv, int *ret_argc, const char **ret_err);
void argv_free(char **argv);
/* Both NULL, or the same words in the same order. */
bool argv_equal(char *const *a, char *const *b);
char **argv_dup(char *const *argv);

/* Levenshtein distance, for "did you mean" hints. */
int edit_distance(const char *a, const char *b);

/* ---- process settings ------------------------------------------ */

/* "true", "yes", "on", "1" / "false", "no", "off", "0", any case. 0 or -EINVAL. */
int parse_bool(const char *s, bool *ret);

/* A decimal integer in [min, max]. 0, -EINVAL (syntax) or -ERANGE. */
int parse_int_range(const char *s, long min, long max, long *ret);

/* An octal file-mode mask such as "022" or "0027" (0 to 0777). 0 or -EINVAL. */
int parse_umask(const char *s, unsigned *ret);

/* A resource limit: "N" (soft = hard = N), "SOFT:HARD", where each side
 * is an integer or "infinity"/"unlimited". With bytes, integers take an
 * optional K, M, G or T suffix (powers of 1024). Returns 0, or -EINVAL
 * with *ret_err set to a static hint ("use N, SOFT:HARD or infinity",
 * "soft limit above hard limit", "out of range"). */
int parse_rlimit(const char *s, bool bytes, rlim_t *soft, rlim_t *hard, const char **ret_err);

/* A size in bytes: an integer with an optional K, KiB, M or MiB suffix
 * (powers of 1024), at most max. 0, -EINVAL or -ERANGE. */
int parse_size(const char *s, size_t max, size_t *ret);

/* An environment variable name: [A-Za-z_][A-Za-z0-9_]*, len bytes of s. */
bool valid_env_name(const char *s, size_t len);

/* One line of an env_file: blank and '#' lines, optional "export ", then
 * KEY=VALUE where VALUE is taken as written (trailing spaces removed),
 * or is '...' (literal) or "..." (backslash escapes \" \\ \$ \n \t),
 * optionally followed by spaces and a '#' comment.
 * Returns 1 with *ret_kv a malloc'd "KEY=VALUE", 0 for a line with no
 * setting, -EINVAL with *ret_err a static reason, or -ENOMEM. */
int parse_env_line(const char *line, char **ret_kv, const char **ret_err);

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0 when
 * the byte there starts none (a stray continuation byte, an overlong
 * form, a surrogate, past U+10FFFF, cut short). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
