/* cli.c: pure layer. argv -> struct cli (+ struct config in single-command mode). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "exitcodes.h"

enum {
	OPT_CHECK = 256,
	OPT_PRESTOP,
	OPT_GRACE,
	OPT_DRAIN,
	OPT_DRAIN_TIMEOUT,
	OPT_STOP_SIGNAL,
	OPT_SHUTDOWN_TIMEOUT,
	OPT_PROBE,
	OPT_READY,
	OPT_HEALTH,
	OPT_NAME,
	OPT_LOG_FORMAT,
	OPT_LOG_LEVEL,
	OPT_SINGLE_CHILD,
	OPT_CONTROL,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "prestop-delay", required_argument, NULL, OPT_PRESTOP },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT },
	{ "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
	{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "ready", required_argument, NULL, OPT_READY },
	{ "health", required_argument, NULL, OPT_HEALTH },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "success-exit", required_argument, NULL, 'e' },
	{ "rewrite", required_argument, NULL, 'r' },
	{ "pdeath-signal", required_argument, NULL, 'p' },
	{ "single-child", no_argument, NULL, OPT_SINGLE_CHILD },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void
cli_usage(void)
{
	fputs("usage: drainit -c FILE           run the services described in FILE\n"
	      "       drainit --check -c FILE   validate FILE and print its services\n"
	      "       drainit [OPTIONS] -- CMD [ARG...]   supervise one command\n"
	      "       drainit ctl [--socket PATH] [--json] COMMAND   talk to a running drainit\n"
	      "\n"
	      "options for -- CMD:\n"
	      "  --prestop-delay DUR     longest wait between \"not ready\" and the stop signal (0s)\n"
	      "  --grace DUR             stop signal -> SIGKILL (default 10s)\n"
	      "  --stop-signal SIG       signal that asks CMD to stop (default: the signal that\n"
	      "                          started the shutdown); or a sequence: TERM 5s INT\n"
	      "  -e, --success-exit CODE exit code or signal that counts as success, drainit\n"
	      "                          then exits 0 (repeatable; e.g. 143, SIGTERM)\n"
	      "  -r, --rewrite FROM:TO   forward signal FROM as TO, 0 drops it (repeatable)\n"
	      "  --single-child          signals go to CMD alone, not to its process group\n"
	      "  --drain CMD             drain hook run during prestop (repeatable)\n"
	      "  --drain-timeout DUR     SIGKILL a drain hook after DUR (default 10s)\n"
	      "  --shutdown-timeout DUR  SIGKILL everything DUR after the shutdown began\n"
	      "  --probe ADDR            serve /livez /readyz /status /metrics on ADDR (e.g. :8080);\n"
	      "                          CMD is then ready once it listens (--ready listen)\n"
	      "  --ready SPEC            CMD's ready check: listen[:PORT], tcp:HOST:PORT,\n"
	      "                          http://HOST:PORT/PATH, exec:COMMAND, notify or none\n"
	      "  --health SPEC           CMD's health check (the same, but notify)\n"
	      "  --name NAME             CMD's name in the log (default: its file name)\n"
	      "other options:\n"
	      "  -c, --config FILE       INI file (see drainit.ini(5))\n"
	      "  -p, --pdeath-signal SIG drainit gets SIG when its parent dies (not as PID 1)\n"
	      "  -s, -g                  accepted for tini: drainit always does both\n"
	      "  --check                 validate and exit (0 valid, 78 invalid)\n"
	      "  -v, --verbose           debug log (same as --log-level debug)\n"
	      "  --log-format FMT        text or json (default text, or log_format)\n"
	      "  --log-level LVL         debug, info, warn or error (default info, or log_level)\n"
	      "  --control PATH          control socket for drainit ctl, or none (default\n"
	      "                          /run/drainit.sock as root, or control_socket)\n"
	      "  -h, --help              this text\n"
	      "  -V, --version           print the version\n"
	      "durations: 250ms, 5s, 2m, 1h, 1m30s or bare seconds; signals: SIGTERM, TERM, 15\n",
	      stdout);
}

/* A valid service name from the command's basename, for the log. */
static char *
name_from_cmd(const char *cmd)
{
	const char *base = strrchr(cmd, '/');
	char *n;
	size_t len;

	base = base ? base + 1 : cmd;
	if (!*base)
		base = "cmd";
	len = strlen(base);
	if (len > 64)
		len = 64;
	n = strndup(base, len);
	if (!n)
		return NULL;
	for (char *p = n; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("_.-@", *p))
			*p = '_';
	return n;
}

/* "prog arg1 arg2", for the log and --check. */
static char *
join_argv(char **argv)
{
	size_t len = 1;
	char *s;

	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (char **a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

static int
bad(char *err, size_t errlen, const char *opt, const char *what, const char *val,
    const char *hint)
{
	snprintf(err, errlen, "%s: %s '%s'%s", opt, what, val, hint);
	return EXIT_USAGE;
}

/* dumb-init's DUMB_INIT_SETSID: 1 (its default) is what drainit does
 * anyway, 0 is --single-child. tini's TINI_SUBREAPER and
 * TINI_KILL_PROCESS_GROUP need nothing: drainit is always a subreaper (or
 * PID 1) and always signals the process group. */
static int
compat_env(struct svc_config *svc, char *err, size_t errlen)
{
	const char *v = getenv("DUMB_INIT_SETSID");

	if (!v)
		return 0;
	if (strcmp(v, "0") == 0)
		svc->single_child = true;
	else if (strcmp(v, "1") != 0) {
		snprintf(err, errlen, "DUMB_INIT_SETSID: invalid value '%s' (use 0 or 1)", v);
		return EXIT_USAGE;
	}
	return 0;
}

int
cli_parse(int argc, char **argv, struct cli *o, struct config *c, char *err, size_t errlen)
{
	const char *single_flag = NULL, *given_name = NULL;
	bool ready_given = false;
	msec_t ms;
	int opt, sig, longidx, r;
	char name[40];

	memset(o, 0, sizeof(*o));
	o->log_level = o->log_format = -1;
	config_init(c);
	struct svc_config svc;

	svc_config_init(&svc);

	opterr = 0;
	optind = 1;
	/* '+': stop at the first non-option, so CMD's own flags stay CMD's. */
	for (;;) {
		longidx = -1;
		opt = getopt_long(argc, argv, "+:c:e:r:p:sgwlvhV", long_opts, &longidx);
		if (opt == -1)
			break;
		if (longidx >= 0)
			snprintf(name, sizeof(name), "--%s", long_opts[longidx].name);
		else
			snprintf(name, sizeof(name), "-%c", opt);
		switch (opt) {
		case 'c':
			if (strcmp(optarg, "--") == 0) {
				snprintf(err, errlen, "-c: drainit's -c is --config FILE; for dumb-init's -c (signals to the child only) use --single-child");
				return EXIT_USAGE;
			}
			o->config_path = optarg;
			break;
		case 's':	/* tini: register as subreaper; drainit always is */
		case 'g':	/* tini: signal the child's process group; drainit always does */
			break;
		case 'w':
			snprintf(err, errlen, "-w: tini's warning on reaped zombies is not supported; drainit logs every reaped orphan at debug level (-v)");
			return EXIT_USAGE;
		case 'l':
			snprintf(err, errlen, "-l: tini's license option is not supported; drainit --version prints the version");
			return EXIT_USAGE;
		case 'p':
			if (parse_signal(optarg, &sig) < 0)
				return bad(err, errlen, name, "unknown signal", optarg,
					   " (use e.g. SIGTERM, QUIT, 2)");
			c->pdeath_signal = sig;
			break;
		case 'e':
		case 'r': {
			char why[256];
			single_flag = longidx >= 0 ? long_opts[longidx].name
				      : opt == 'e' ? "success-exit" : "rewrite";
			if ((opt == 'e' ? parse_success_exit(optarg, &svc.success_exit, why, sizeof(why))
					: parse_signal_map(optarg, &svc.signal_map, why, sizeof(why))) < 0) {
				snprintf(err, errlen, "%s: %s", name, why);
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_SINGLE_CHILD:
			single_flag = long_opts[longidx].name;
			svc.single_child = true;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_LOG_FORMAT: {	/* both modes */
			enum log_format f;
			if (log_format_parse(optarg, &f) < 0)
				return bad(err, errlen, name, "invalid value", optarg,
					   " (use text or json)");
			o->log_format = (int)f;
			break;
		}
		case OPT_LOG_LEVEL: {
			enum log_level l;
			if (log_level_parse(optarg, &l) < 0)
				return bad(err, errlen, name, "invalid value", optarg,
					   " (use debug, info, warn or error)");
			o->log_level = (int)l;
			break;
		}
		case OPT_CONTROL:	/* both modes */
			if (strcmp(optarg, "none") != 0 &&
			    (optarg[0] != '/' || strlen(optarg) >= CONTROL_PATH_MAX))
				return bad(err, errlen, name, "invalid path", optarg,
					   " (use an absolute path of at most 107 bytes, or none)");
			o->control = optarg;
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'V':
			o->version = true;
			return 0;
		case OPT_PRESTOP:
		case OPT_GRACE:
		case OPT_DRAIN_TIMEOUT:
		case OPT_SHUTDOWN_TIMEOUT:
			single_flag = long_opts[longidx].name;
			if ((r = parse_duration(optarg, &ms)) < 0)
				return bad(err, errlen, name,
					   r == -ERANGE ? "out-of-range duration" : "invalid duration",
					   optarg, " (use e.g. 250ms, 5s, 2m, 1m30s)");
			if (opt == OPT_PRESTOP)
				c->prestop_delay_ms = ms;
			else if (opt == OPT_GRACE)
				c->grace_ms = ms;
			else if (opt == OPT_DRAIN_TIMEOUT)
				c->drain_timeout_ms = ms;
			else
				c->shutdown_timeout_ms = ms;
			break;
		case OPT_STOP_SIGNAL: {
			char why[256];
			single_flag = long_opts[longidx].name;
			if (parse_stop_seq(optarg, &svc.stop_seq, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s: %s", name, why);
				return EXIT_USAGE;
			}
			svc.stop_signal = svc.stop_seq.step[0].sig;
			svc.stop_signal_set = true;
			break;
		}
		case OPT_DRAIN: {
			const char *why = "out of memory";
			single_flag = long_opts[longidx].name;
			if (config_add_hook(&c->drain, &c->ndrain, optarg, 0, &why) < 0)
				return bad(err, errlen, name, why, optarg, "");
			break;
		}
		case OPT_PROBE: {
			const char *why = "";
			single_flag = long_opts[longidx].name;
			if (parse_listen_addr(optarg, &c->probe_addr, &why) < 0) {
				char hint[160];
				snprintf(hint, sizeof(hint), " (%s)", why);
				return bad(err, errlen, name, "invalid address", optarg, hint);
			}
			free(c->probe_listen);
			c->probe_listen = strdup(optarg);
			if (!c->probe_listen) {
				snprintf(err, errlen, "out of memory");
				return EXIT_OSERR;
			}
			break;
		}
		case OPT_READY:
		case OPT_HEALTH: {
			const char *why = "";
			struct check_spec *spec = opt == OPT_READY ? &svc.ready : &svc.health;
			struct check_spec cs;
			char hint[200];

			single_flag = long_opts[longidx].name;
			r = parse_check_spec(optarg, opt == OPT_READY, &cs, &why);
			if (r == -ENOMEM) {
				snprintf(err, errlen, "out of memory");
				return EXIT_OSERR;
			}
			if (r < 0) {
				snprintf(hint, sizeof(hint), " (%s)", why);
				return bad(err, errlen, name, "invalid check", optarg, hint);
			}
			check_spec_free(spec);
			*spec = cs;
			if (opt == OPT_READY)
				ready_given = true;
			break;
		}
		case OPT_NAME:
			single_flag = long_opts[longidx].name;
			if (!valid_service_name(optarg))
				return bad(err, errlen, name, "invalid name", optarg,
					   " (use 1-64 letters, digits, '_', '-', '.', '@')");
			given_name = optarg;
			break;
		case ':':
			snprintf(err, errlen, "%s: missing argument", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			snprintf(err, errlen, "%s: unknown option (see drainit --help)",
				 optopt ? (char[]){ '-', (char)optopt, 0 } : argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		o->cmd = &argv[optind];

	if (o->config_path && o->cmd) {
		snprintf(err, errlen, "give either -c FILE or -- CMD, not both");
		return EXIT_USAGE;
	}
	if (!o->config_path && !o->cmd) {
		snprintf(err, errlen, "nothing to run: give -c FILE or -- CMD (see drainit --help)");
		return EXIT_USAGE;
	}
	if (o->cmd && !o->cmd[0][0]) {
		snprintf(err, errlen, "--: the command's name is empty (\"\")");
		return EXIT_USAGE;
	}
	if (o->config_path) {
		if (single_flag) {
			snprintf(err, errlen, "--%s applies to -- CMD only; with -c set it in the [drainit] or [service:NAME] section",
				 single_flag);
			return EXIT_USAGE;
		}
		return 0;
	}

	/* Single-command mode: one service, which is also main. */
	c->single = true;
	if ((r = compat_env(&svc, err, errlen)) != 0)
		return r;
	svc.name = given_name ? strdup(given_name) : name_from_cmd(o->cmd[0]);
	/* with a probe server, CMD is ready once it listens, not once it runs */
	if (c->probe_listen && !ready_given) {
		const char *why;
		check_spec_free(&svc.ready);
		if (parse_check_spec("listen", true, &svc.ready, &why) < 0) {
			snprintf(err, errlen, "out of memory");
			return EXIT_OSERR;
		}
	}
	svc.argv = argv_dup(o->cmd);
	svc.command = join_argv(o->cmd);
	c->main = svc.name ? strdup(svc.name) : NULL;
	c->svcs = calloc(1, sizeof(*c->svcs));
	if (!svc.name || !svc.argv || !svc.command || !c->main || !c->svcs) {
		snprintf(err, errlen, "out of memory");
		return EXIT_OSERR;
	}
	c->svcs[0] = svc;
	c->nsvcs = 1;
	{
		struct config_errors errs = { 0 };
		int n = config_finish(c, &errs);
		if (n > 0)
			snprintf(err, errlen, "%s", errs.msgs[0]);
		config_errors_free(&errs);
		if (n > 0)
			return EXIT_USAGE;
	}
	return 0;
}
