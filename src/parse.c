/* parse.c: pure layer. Durations, signals, argv splitting. Pure functions. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
parse_duration(const char *s, msec_t *ret)
{
	msec_t total = 0;
	bool any = false;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -EINVAL;

	while (*s && !isspace((unsigned char)*s)) {
		msec_t n = 0, mult, frac = 0, fscale = 1;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s)) {
			if (n > (INT64_MAX - 9) / 10)
				return -ERANGE;
			n = n * 10 + (*s++ - '0');
		}
		/* "1.5s", "0.25s": a fraction that comes to whole milliseconds */
		if (*s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -EINVAL;
			while (isdigit((unsigned char)*s)) {
				if (fscale >= 1000000000)
					return -EINVAL;
				frac = frac * 10 + (*s++ - '0');
				fscale *= 10;
			}
		}
		if (*s == '\0' || isspace((unsigned char)*s)) {
			if (any)	/* "1m30" is ambiguous: refuse it */
				return -EINVAL;
			mult = 1000;
		} else if (strncmp(s, "ms", 2) == 0) {
			mult = 1;
			s += 2;
		} else if (*s == 's') {
			mult = 1000;
			s++;
		} else if (*s == 'm') {
			mult = 60 * 1000;
			s++;
		} else if (*s == 'h') {
			mult = 3600 * 1000;
			s++;
		} else {
			return -EINVAL;
		}
		/* Cap at ~1 year: anything longer is a typo, not a timeout. */
		if (n > (msec_t)366 * 24 * 3600 * 1000 / mult)
			return -ERANGE;
		if (frac && (frac * mult) % fscale != 0)
			return -EINVAL;	/* "1.5ms", "0.0001s": not whole milliseconds */
		total += n * mult + frac * mult / fscale;
		if (total > (msec_t)366 * 24 * 3600 * 1000)
			return -ERANGE;
		any = true;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return -EINVAL;
	*ret = total;
	return 0;
}

const char *
format_duration(msec_t ms, char *buf, size_t len)
{
	size_t off = 0;
	msec_t h = ms / 3600000, m = (ms / 60000) % 60, sec = (ms / 1000) % 60,
	       rest = ms % 1000;

	if (ms == 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	if (ms < 1000) {
		snprintf(buf, len, "%lldms", (long long)ms);
		return buf;
	}
	buf[0] = '\0';
	if (h)
		off += snprintf(buf + off, len - off, "%lldh", (long long)h);
	if (m && off < len)
		off += snprintf(buf + off, len - off, "%lldm", (long long)m);
	if ((sec || rest) && off < len) {
		if (rest)
			snprintf(buf + off, len - off, "%lld.%03llds",
				 (long long)sec, (long long)rest);
		else
			snprintf(buf + off, len - off, "%llds", (long long)sec);
	}
	return buf;
}

/* v's last n decimal digits, zero-padded, at p. */
static void
put_digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *
format_utc_ms(int64_t sec, int ms, char *buf, size_t len)
{
	/* days since 1970-01-01 -> civil date (proleptic Gregorian) */
	int64_t days = sec / 86400, rem = sec % 86400;
	int64_t z, era, doe, yoe, y, doy, mp, d, m;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	/* Every log line takes one: digits by hand, a tenth of what snprintf
	 * costs; snprintf only for what does not fit the fixed layout. */
	if (y < 0 || y > 9999 || ms < 0 || ms > 999 || len < UTC_MS_LEN + 1) {
		snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03dZ", (long long)y,
			 (long long)m, (long long)d, (long long)(rem / 3600),
			 (long long)(rem / 60 % 60), (long long)(rem % 60), ms);
		return buf;
	}
	put_digits(buf, (unsigned)y, 4);
	buf[4] = '-';
	put_digits(buf + 5, (unsigned)m, 2);
	buf[7] = '-';
	put_digits(buf + 8, (unsigned)d, 2);
	buf[10] = 'T';
	put_digits(buf + 11, (unsigned)(rem / 3600), 2);
	buf[13] = ':';
	put_digits(buf + 14, (unsigned)(rem / 60 % 60), 2);
	buf[16] = ':';
	put_digits(buf + 17, (unsigned)(rem % 60), 2);
	buf[19] = '.';
	put_digits(buf + 20, (unsigned)ms, 3);
	buf[23] = 'Z';
	buf[24] = '\0';
	return buf;
}

static const struct {
	const char *name;
	int sig;
} signal_table[] = {
	{ "HUP", SIGHUP },	{ "INT", SIGINT },	{ "QUIT", SIGQUIT },
	{ "ILL", SIGILL },	{ "TRAP", SIGTRAP },	{ "ABRT", SIGABRT },
	{ "BUS", SIGBUS },	{ "FPE", SIGFPE },	{ "KILL", SIGKILL },
	{ "USR1", SIGUSR1 },	{ "SEGV", SIGSEGV },	{ "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },	{ "ALRM", SIGALRM },	{ "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },	{ "CONT", SIGCONT },
	{ "STOP", SIGSTOP },	{ "TSTP", SIGTSTP },	{ "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU },	{ "URG", SIGURG },	{ "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ },	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },	{ "IO", SIGIO },	{ "PWR", SIGPWR },
	{ "SYS", SIGSYS },	{ "IOT", SIGABRT },	{ "POLL", SIGIO },
	{ "CLD", SIGCHLD },
};

int
parse_signal(const char *s, int *ret)
{
	size_t i;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)*s)) {
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end || v < 1 || v >= NSIG)
			return -EINVAL;
		*ret = (int)v;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool max = toupper((unsigned char)s[4]) == 'X';
		long off = 0;
		char *end;

		if (s[5]) {
			if (s[5] != (max ? '-' : '+') || !isdigit((unsigned char)s[6]))
				return -EINVAL;
			errno = 0;
			off = strtol(s + 6, &end, 10);
			if (errno || *end || off > SIGRTMAX - SIGRTMIN)
				return -EINVAL;
		}
		*ret = max ? SIGRTMAX - (int)off : SIGRTMIN + (int)off;
		return 0;
	}
	for (i = 0; i < sizeof(signal_table) / sizeof(signal_table[0]); i++) {
		if (strcasecmp(s, signal_table[i].name) == 0) {
			*ret = signal_table[i].sig;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
signal_name(int sig)
{
	/* Names for the first 32 signals; the table above is for parsing. */
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP",	[SIGINT] = "SIGINT",	[SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",	[SIGTRAP] = "SIGTRAP",	[SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",	[SIGFPE] = "SIGFPE",	[SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1",	[SIGSEGV] = "SIGSEGV",	[SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE",	[SIGALRM] = "SIGALRM",	[SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP",	[SIGTSTP] = "SIGTSTP",	[SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU",	[SIGURG] = "SIGURG",	[SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ",	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO",	[SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	/* SIGRTMIN is glibc's, known at run time only. */
	static char rt[SIG_SLOTS][16];

	if (sig > 0 && (size_t)sig < sizeof(names) / sizeof(names[0]) && names[sig])
		return names[sig];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX && sig < SIG_SLOTS) {
		if (!rt[sig][0]) {
			if (sig == SIGRTMIN)
				snprintf(rt[sig], sizeof(rt[sig]), "SIGRTMIN");
			else
				snprintf(rt[sig], sizeof(rt[sig]), "SIGRTMIN+%d", sig - SIGRTMIN);
		}
		return rt[sig];
	}
	return "SIG?";
}

/* Next space-separated word of *s into buf; false at the end. */
static bool
next_word(const char **s, char *buf, size_t len)
{
	const char *p = *s, *start;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return false;
	start = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	n = (size_t)(p - start);
	if (n >= len)
		n = len - 1;
	memcpy(buf, start, n);
	buf[n] = '\0';
	*s = p;
	return true;
}

int
parse_stop_seq(const char *s, struct stop_seq *ret, char *err, size_t errlen)
{
	struct stop_seq q = { .n = 0 };
	char w[64];
	bool want_sig = true;
	msec_t ms;

	while (next_word(&s, w, sizeof(w))) {
		if (want_sig) {
			if (q.n == MAX_STOP_STEPS) {
				snprintf(err, errlen, "more than %d signals", MAX_STOP_STEPS);
				return -EINVAL;
			}
			if (parse_signal(w, &q.step[q.n].sig) < 0) {
				snprintf(err, errlen, "unknown signal '%s' (use e.g. SIGTERM, QUIT, 2)", w);
				return -EINVAL;
			}
			/* SIGSTOP freezes and cannot be handled; SIGCHLD means a child
			 * of the service ended: neither asks it to stop */
			if (q.step[q.n].sig == SIGSTOP || q.step[q.n].sig == SIGCHLD) {
				snprintf(err, errlen, "%s cannot ask a service to stop (use e.g. SIGTERM, INT, QUIT)",
					 signal_name(q.step[q.n].sig));
				return -EINVAL;
			}
			q.step[q.n++].wait_ms = 0;
		} else {
			if (parse_duration(w, &ms) < 0 || ms == 0) {
				snprintf(err, errlen, "'%s' is not a wait: give SIGNAL [WAIT SIGNAL]... (e.g. SIGTERM 30s SIGQUIT)", w);
				return -EINVAL;
			}
			q.step[q.n - 1].wait_ms = ms;
		}
		want_sig = !want_sig;
	}
	if (q.n == 0) {
		snprintf(err, errlen, "unknown signal '' (use e.g. SIGTERM, QUIT, 2)");
		return -EINVAL;
	}
	if (want_sig) {
		snprintf(err, errlen, "ends with a wait: the last step must be a signal (e.g. SIGTERM 30s SIGQUIT)");
		return -EINVAL;
	}
	*ret = q;
	return 0;
}

msec_t
stop_seq_waits(const struct stop_seq *q)
{
	msec_t t = 0;

	for (size_t i = 0; i + 1 < q->n; i++)
		t += q->step[i].wait_ms;
	return t;
}

const char *
format_stop_seq(const struct stop_seq *q, char *buf, size_t len)
{
	size_t off = 0;
	char d[32];

	buf[0] = '\0';
	for (size_t i = 0; i < q->n && off < len; i++) {
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					signal_name(q->step[i].sig));
		if (i + 1 < q->n && off < len)
			off += (size_t)snprintf(buf + off, len - off, " %s",
						format_duration(q->step[i].wait_ms, d, sizeof(d)));
	}
	return buf;
}

int
parse_signal_map(const char *s, struct signal_map *m, char *err, size_t errlen)
{
	char w[64], *colon;
	int from, to;

	while (next_word(&s, w, sizeof(w))) {
		colon = strchr(w, ':');
		if (!colon || colon == w || !colon[1]) {
			snprintf(err, errlen, "'%s' is not FROM:TO (e.g. HUP:USR1, or WINCH:0 to drop it)", w);
			return -EINVAL;
		}
		*colon = '\0';
		if (parse_signal(w, &from) < 0 || from >= SIG_SLOTS) {
			snprintf(err, errlen, "unknown signal '%s' (use e.g. SIGTERM, QUIT, 2)", w);
			return -EINVAL;
		}
		if (strcmp(colon + 1, "0") == 0)
			to = -1;
		else if (parse_signal(colon + 1, &to) < 0 || to >= SIG_SLOTS) {
			snprintf(err, errlen, "unknown signal '%s' (use e.g. SIGTERM, QUIT, 2, or 0 to drop it)",
				 colon + 1);
			return -EINVAL;
		}
		if (from == SIGKILL || from == SIGSTOP || from == SIGCHLD) {
			snprintf(err, errlen, "%s is never forwarded: it cannot be rewritten",
				 signal_name(from));
			return -EINVAL;
		}
		if (m->to[from]) {
			snprintf(err, errlen, "%s is rewritten twice", signal_name(from));
			return -EINVAL;
		}
		m->to[from] = (short)to;
		m->any = true;
	}
	return 0;
}

int
parse_signal_set(const char *s, uint64_t *mask, char *err, size_t errlen)
{
	char w[64];
	uint64_t m = 0;
	size_t n = 0;
	bool none = false;

	while (next_word(&s, w, sizeof(w))) {
		char *tok = w, *comma;
		int sig;

		/* "HUP USR1", "HUP,USR1" and "HUP, USR1" all say the same */
		do {
			comma = strchr(tok, ',');
			if (comma)
				*comma = '\0';
			if (*tok == '\0') {
				tok = comma ? comma + 1 : NULL;
				continue;
			}
			if (strcmp(tok, "none") == 0) {
				none = true;
				n++;
				tok = comma ? comma + 1 : NULL;
				continue;
			}
			if (parse_signal(tok, &sig) < 0 || sig >= SIG_SLOTS) {
				snprintf(err, errlen, "unknown signal '%s' (a list such as HUP USR1 WINCH, or none)", tok);
				return -EINVAL;
			}
			if (sig == SIGKILL || sig == SIGSTOP) {
				snprintf(err, errlen, "%s never reaches drainit, so it is never forwarded",
					 signal_name(sig));
				return -EINVAL;
			}
			m |= (uint64_t)1 << (sig - 1);
			n++;
			tok = comma ? comma + 1 : NULL;
		} while (tok);
	}
	if (n == 0) {
		snprintf(err, errlen, "empty list (a list such as HUP USR1 WINCH, or none)");
		return -EINVAL;
	}
	if (none && m) {
		snprintf(err, errlen, "none cannot be combined with signals");
		return -EINVAL;
	}
	*mask = m;
	return 0;
}

int
signal_map_apply(const struct signal_map *m, int sig)
{
	if (sig <= 0 || sig >= SIG_SLOTS || !m->to[sig])
		return sig;
	return m->to[sig] < 0 ? 0 : m->to[sig];
}

int
parse_success_exit(const char *s, struct success_exit *se, char *err, size_t errlen)
{
	char w[64];
	bool any = false;

	while (next_word(&s, w, sizeof(w))) {
		long code;
		int sig;

		any = true;
		if (isdigit((unsigned char)w[0])) {
			if (parse_int_range(w, 0, 255, &code) < 0) {
				snprintf(err, errlen, "'%s' is not an exit code (0-255) or a signal name", w);
				return -EINVAL;
			}
			se->codes[code / 8] |= (uint8_t)(1u << (code % 8));
		} else if (parse_signal(w, &sig) == 0 && sig < SIG_SLOTS) {
			se->sigs |= (uint64_t)1 << (sig - 1);
		} else {
			snprintf(err, errlen, "'%s' is not an exit code (0-255) or a signal name", w);
			return -EINVAL;
		}
	}
	if (!any) {
		snprintf(err, errlen, "empty value: give exit codes (0-255) or signal names");
		return -EINVAL;
	}
	se->any = true;
	return 0;
}

bool
success_exit_match(const struct success_exit *se, int code, int sig)
{
	if (code >= 0 && code <= 255 && (se->codes[code / 8] & (1u << (code % 8))))
		return true;
	return sig > 0 && sig < SIG_SLOTS && (se->sigs & ((uint64_t)1 << (sig - 1)));
}

bool
argv_equal(char *const *a, char *const *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	for (i = 0; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return a[i] == b[i];
}

void
argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

char **
argv_dup(char *const *argv)
{
	size_t n = 0;
	char **r;

	while (argv[n])
		n++;
	r = calloc(n + 1, sizeof(*r));
	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		r[i] = strdup(argv[i]);
		if (!r[i]) {
			argv_free(r);
			return NULL;
		}
	}
	return r;
}

int
split_argv(const char *s, char ***ret_argv, int *ret_argc, const char **ret_err)
{
	size_t cap = 4, n = 0, len = strlen(s);
	char **argv = calloc(cap + 1, sizeof(*argv));
	/* One word is never longer than the whole input. */
	char *word = malloc(len + 1);
	const char *err = NULL;
	int r = -ENOMEM;

	if (!argv || !word)
		goto fail;

	for (;;) {
		size_t w = 0;
		bool have = false;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
			have = true;
			if (*s == '\'') {
				s++;
				while (*s && *s != '\'')
					word[w++] = *s++;
				if (!*s) {
					err = "unterminated single quote";
					goto bad;
				}
				s++;
			} else if (*s == '"') {
				s++;
				while (*s && *s != '"') {
					if (*s == '\\' && s[1] &&
					    strchr("\"\\$`", s[1]))
						s++;
					word[w++] = *s++;
				}
				if (!*s) {
					err = "unterminated double quote";
					goto bad;
				}
				s++;
			} else if (*s == '\\') {
				s++;
				if (!*s) {
					err = "trailing backslash";
					goto bad;
				}
				word[w++] = *s++;
			} else {
				word[w++] = *s++;
			}
		}
		if (!have)
			continue;
		word[w] = '\0';
		if (n == cap) {
			char **nv = realloc(argv, (cap * 2 + 1) * sizeof(*argv));
			if (!nv)
				goto fail;
			argv = nv;
			cap *= 2;
		}
		argv[n] = strdup(word);
		if (!argv[n])
			goto fail;
		argv[++n] = NULL;
	}
	if (n == 0) {
		err = "empty command";
		goto bad;
	}
	if (!argv[0][0]) {
		err = "the command's name is empty (\"\")";
		goto bad;
	}
	free(word);
	*ret_argv = argv;
	*ret_argc = (int)n;
	return 0;
bad:
	r = -EINVAL;
	if (ret_err)
		*ret_err = err;
fail:
	free(word);
	if (argv) {
		argv[n] = NULL;
		argv_free(argv);
	}
	return r;
}

int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64];

	if (lb >= sizeof(row) / sizeof(row[0]))
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int cost = tolower((unsigned char)a[i - 1]) !=
				   tolower((unsigned char)b[j - 1]);
			int best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* ---- process settings ------------------------------------------ */

int
parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int
parse_int_range(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
parse_umask(const char *s, unsigned *ret)
{
	unsigned v = 0;

	if (!s || !*s || strlen(s) > 4)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -EINVAL;
		v = v * 8 + (unsigned)(*s - '0');
	}
	if (v > 0777)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* One side of a limit: "infinity", "unlimited", or an integer with an
 * optional binary suffix when bytes. */
static int
parse_rlim_value(const char *s, size_t len, bool bytes, rlim_t *ret, const char **why)
{
	unsigned long long v = 0, mult = 1;
	size_t i = 0;

	if ((len == 8 && strncasecmp(s, "infinity", 8) == 0) ||
	    (len == 9 && strncasecmp(s, "unlimited", 9) == 0)) {
		*ret = RLIM_INFINITY;
		return 0;
	}
	if (len == 0 || !isdigit((unsigned char)s[0])) {
		*why = bytes ? "use N, N[KMGT], SOFT:HARD or infinity"
			     : "use N, SOFT:HARD or infinity";
		return -EINVAL;
	}
	for (; i < len && isdigit((unsigned char)s[i]); i++) {
		if (v > (ULLONG_MAX - 9) / 10) {
			*why = "out of range";
			return -EINVAL;
		}
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (i < len && bytes && i + 1 == len) {
		const char *units = "KMGT";
		const char *u = strchr(units, toupper((unsigned char)s[i]));
		if (!u || !*u) {
			*why = "use N, N[KMGT], SOFT:HARD or infinity";
			return -EINVAL;
		}
		for (const char *p = units; p <= u; p++)
			mult *= 1024;
		i++;
	}
	if (i != len) {
		*why = bytes ? "use N, N[KMGT], SOFT:HARD or infinity"
			     : "use N, SOFT:HARD or infinity";
		return -EINVAL;
	}
	if (v > (unsigned long long)(RLIM_INFINITY - 1) / mult) {
		*why = "out of range";
		return -EINVAL;
	}
	*ret = (rlim_t)(v * mult);
	return 0;
}

int
parse_rlimit(const char *s, bool bytes, rlim_t *soft, rlim_t *hard, const char **ret_err)
{
	const char *colon, *why = "use N, SOFT:HARD or infinity";
	rlim_t so, ha;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon) {
		if (parse_rlim_value(s, strlen(s), bytes, &so, &why) < 0)
			goto bad;
		ha = so;
	} else {
		if (parse_rlim_value(s, (size_t)(colon - s), bytes, &so, &why) < 0 ||
		    parse_rlim_value(colon + 1, strlen(colon + 1), bytes, &ha, &why) < 0)
			goto bad;
		if (so > ha) {
			why = "soft limit above hard limit";
			goto bad;
		}
	}
	*soft = so;
	*hard = ha;
	return 0;
bad:
	if (ret_err)
		*ret_err = why;
	return -EINVAL;
}

bool
valid_env_name(const char *s, size_t len)
{
	if (len == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

int
parse_env_line(const char *line, char **ret_kv, const char **ret_err)
{
	const char *p = line, *key, *why;
	size_t klen, vlen = 0;
	char *kv, *v;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '#')
		return 0;
	if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
		p += 6;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	key = p;
	while (*p && *p != '=' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	klen = (size_t)(p - key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=') {
		why = "expected KEY=VALUE";
		goto bad;
	}
	if (!valid_env_name(key, klen)) {
		why = "invalid variable name (use letters, digits and '_', not starting with a digit)";
		goto bad;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	/* The value is never longer than the rest of the line. */
	kv = malloc(klen + 1 + strlen(p) + 1);
	if (!kv)
		return -ENOMEM;
	memcpy(kv, key, klen);
	kv[klen] = '=';
	v = kv + klen + 1;
	if (*p == '\'' || *p == '"') {
		char q = *p++;
		while (*p && *p != q && *p != '\n') {
			if (q == '"' && *p == '\\' && p[1] && strchr("\"\\$nt", p[1])) {
				p++;
				v[vlen++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
				p++;
				continue;
			}
			v[vlen++] = *p++;
		}
		if (*p != q) {
			free(kv);
			why = q == '"' ? "unterminated double quote" : "unterminated single quote";
			goto bad;
		}
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p && *p != '\n' && *p != '#') {
			free(kv);
			why = "unexpected text after the closing quote";
			goto bad;
		}
	} else {
		while (*p && *p != '\n')
			v[vlen++] = *p++;
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' || v[vlen - 1] == '\r'))
			vlen--;
	}
	v[vlen] = '\0';
	*ret_kv = kv;
	return 1;
bad:
	if (ret_err)
		*ret_err = why;
	return -EINVAL;
}

int
parse_size(const char *s, size_t max, size_t *ret)
{
	unsigned long long v, mul = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (strcmp(end, "K") == 0 || strcmp(end, "KiB") == 0)
		mul = 1024;
	else if (strcmp(end, "M") == 0 || strcmp(end, "MiB") == 0)
		mul = 1024 * 1024;
	else if (*end)
		return -EINVAL;
	if (v > max / mul)
		return -ERANGE;
	*ret = (size_t)(v * mul);
	return 0;
}

size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;	/* a continuation byte, 0xc0/0xc1 (overlong), > 0xf4 */
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;	/* overlong, past Unicode, or a surrogate */
	return len;
}
