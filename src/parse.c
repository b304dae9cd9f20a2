/* parse.c: durations, signals, argv splitting. Pure functions. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
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
		msec_t n = 0, mult;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s)) {
			if (n > (INT64_MAX - 9) / 10)
				return -ERANGE;
			n = n * 10 + (*s++ - '0');
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
		total += n * mult;
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
	if (sig > 0 && (size_t)sig < sizeof(names) / sizeof(names[0]) && names[sig])
		return names[sig];
	return "SIG?";
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
