/* main.c: the top. Start-up order, the loop, the exit code. No policy here.
 *
 * Two zones. Before ev_run: a failure is fatal, printed once, with a
 * documented exit code (64 usage, 78 config, 71 OS error); no service has
 * been started when a config error is found. After ev_run starts: only the
 * shutdown machine's last stage ends drainit; every other failure is
 * logged and degrades one service, never the supervisor. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "control.h"
#include "ctlclient.h"
#include "lifecycle.h"
#include "log.h"
#include "notify.h"
#include "output.h"
#include "preflight.h"
#include "procset.h"
#include "probe.h"
#include "reaper.h"
#include "runtime.h"
#include "service.h"
#include "shutdown.h"
#include "signals.h"
#include "spawn.h"
#include "supervisor.h"

#ifndef DRAINIT_VERSION
#define DRAINIT_VERSION "unknown"
#endif

/* Probe server and checks, one line each where set. */
static void
print_probe_summary(const struct config *c)
{
	char d1[32], d2[32];

	if (c->probe_listen)
		printf("probe server: %s\n", c->probe_listen);
	for (size_t i = 0; i < c->nsvcs; i++) {
		const struct svc_config *s = &c->svcs[i];

		if (s->ready.kind != CHECK_NONE) {
			printf("service %s: ready %s", s->name, s->ready.text);
			if (s->ready.kind != CHECK_NOTIFY)
				printf(" every %s (timeout %s)",
				       format_duration(s->ready_interval_ms, d1, sizeof(d1)),
				       format_duration(s->ready_timeout_ms, d2, sizeof(d2)));
			if (s->watchdog_ms)
				printf("; watchdog %s", format_duration(s->watchdog_ms, d1, sizeof(d1)));
			printf("\n");
		}
		if (s->health.kind != CHECK_NONE)
			printf("service %s: health %s every %s (timeout %s), unhealthy after %u failure%s in a row\n",
			       s->name, s->health.text,
			       format_duration(s->health_interval_ms, d1, sizeof(d1)),
			       format_duration(s->health_timeout_ms, d2, sizeof(d2)),
			       s->health_failures, s->health_failures == 1 ? "" : "s");
	}
}

/* The current stage, for json log lines. */
static const char *
stage_of(const void *sup)
{
	return stage_name(((const struct supervisor *)sup)->stage);
}

/* The argv of -- CMD as a shell would need it typed: each word that is
 * not plain gets single quotes. */
static const char *
quote_argv(char *const *argv, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; argv && argv[i] && off + 1 < len; i++) {
		const char *a = argv[i];
		bool plain = *a != '\0';

		for (const char *p = a; *p && plain; p++)
			plain = isalnum((unsigned char)*p) || strchr("@%+=:,./_-", *p);
		if (i)
			buf[off++] = ' ';
		if (plain) {
			off += (size_t)snprintf(buf + off, len - off, "%s", a);
		} else {
			buf[off++] = '\'';
			for (const char *p = a; *p && off + 5 < len; p++) {
				if (*p == '\'') {
					memcpy(buf + off, "'\\''", 4);	/* ' -> '\'' */
					off += 4;
				} else {
					buf[off++] = *p;
				}
			}
			if (off + 1 < len)
				buf[off++] = '\'';
		}
		if (off >= len)
			off = len - 1;
		buf[off] = '\0';
	}
	return buf;
}

/* Services in the order drainit starts them: each after what it lists
 * in after and requires, file order otherwise. */
static void
print_start_order(const struct config *c)
{
	bool *placed = calloc(c->nsvcs ? c->nsvcs : 1, sizeof(*placed));
	size_t done = 0;

	if (!placed)
		return;
	printf("start order:");
	while (done < c->nsvcs) {
		size_t before = done;

		for (size_t i = 0; i < c->nsvcs; i++) {
			const struct svc_config *s = &c->svcs[i];
			const struct name_list *lists[2] = { &s->after, &s->requires };
			bool ok = !placed[i];

			for (int l = 0; l < 2 && ok; l++)
				for (size_t k = 0; k < lists[l]->n && ok; k++)
					for (size_t j = 0; j < c->nsvcs; j++)
						if (strcmp(c->svcs[j].name, lists[l]->names[k]) == 0 &&
						    !placed[j])
							ok = false;
			if (ok) {
				placed[i] = true;
				printf("%s %s", done ? "," : "", s->name);
				done++;
			}
		}
		if (done == before)
			break;	/* a cycle: config_finish refuses those */
	}
	printf("\n");
	free(placed);
}

static void
print_lifecycle(const struct svc_config *s)
{
	static const char *const types[] = { "simple", "oneshot", "forking" };
	static const char *const policies[] = { "no", "on-failure", "always" };
	char d1[32];

	printf("service %s: type %s; restart %s", s->name, types[s->type],
	       s->restart >= 0 && s->restart <= RESTART_ALWAYS ? policies[s->restart] : "?");
	if (s->restart != RESTART_NO)
		printf(" (limit %d/%s)", s->restart_limit,
		       format_duration(s->restart_window_ms, d1, sizeof(d1)));
	for (size_t k = 0; k < s->after.n; k++)
		printf("%s%s", k ? " " : "; after ", s->after.names[k]);
	for (size_t k = 0; k < s->requires.n; k++)
		printf("%s%s", k ? " " : "; requires ", s->requires.names[k]);
	if (s->pidfile)
		printf("; pidfile %s", s->pidfile);
	printf("\n");
}

static void
print_check_summary(const struct config *c)
{
	char d1[32], d2[32], d3[32];

	printf("%s: ok: %zu service%s, prestop_delay %s, shutdown_timeout %s%s%s\n",
	       c->path ? c->path : "(command line)", c->nsvcs, c->nsvcs == 1 ? "" : "s",
	       format_duration(c->prestop_delay_ms, d1, sizeof(d1)),
	       c->shutdown_timeout_ms ? format_duration(c->shutdown_timeout_ms, d2, sizeof(d2)) : "none",
	       c->main ? ", main " : "", c->main ? c->main : "");
	for (size_t i = 0; i < c->nsvcs; i++) {
		const struct svc_config *s = &c->svcs[i];
		char qbuf[160];

		char abuf[1024];

		printf("service %s: command %s; stop_signal %s; grace_period %s; %zu drain hook%s%s%s\n",
		       s->name, c->single ? quote_argv(s->argv, abuf, sizeof(abuf)) : s->command,
		       format_stop_seq(&s->stop_seq, qbuf, sizeof(qbuf)),
		       format_duration(s->grace_ms, d1, sizeof(d1)), s->ndrain,
		       s->ndrain == 1 ? "" : "s", s->directory ? "; directory " : "",
		       s->directory ? s->directory : "");
	}
	for (size_t i = 0; i < c->nsvcs; i++)
		print_lifecycle(&c->svcs[i]);
	if (c->nsvcs > 1)
		print_start_order(c);
	if (c->ndrain)
		printf("global drain hooks: %zu (drain_timeout %s)\n", c->ndrain,
		       format_duration(c->drain_timeout_ms, d3, sizeof(d3)));
	print_probe_summary(c);
	for (size_t i = 0; i < c->nsvcs; i++) {	/* process settings, output */
		char buf[1024];
		if (procset_describe(&c->svcs[i], buf, sizeof(buf)))
			printf("service %s: %s\n", c->svcs[i].name, buf);
	}
}

/* The worst-case shutdown, and what a platform's grace should be. */
static void
print_budget(const struct budget *b)
{
	char d[6][32], cap[64] = "";

	if (b->unbounded && !b->capped) {
		printf("shutdown has no upper bound: a drain hook has drain_timeout 0 (no limit); "
		       "set shutdown_timeout to bound it\n");
		return;
	}
	if (b->capped)
		snprintf(cap, sizeof(cap), "; shutdown_timeout %s cuts it short",
			 format_duration(b->cap, d[5], sizeof(d[5])));
	printf("shutdown at most %s: prestop %s%s, stopping %s (%s%s%s, %zu service%s), orphans %s, reaper %s%s; "
	       "set terminationGracePeriodSeconds to at least %lld\n",
	       format_duration(b->total, d[0], sizeof(d[0])), format_duration(b->prestop, d[1], sizeof(d[1])),
	       b->unbounded ? " or more (drain_timeout 0)" : "",
	       format_duration(b->stop, d[2], sizeof(d[2])), b->chain_first ? b->chain_first : "none",
	       b->chain_len > 1 ? " ... " : "", b->chain_len > 1 ? b->chain_last : "", b->chain_len,
	       b->chain_len == 1 ? "" : "s in a row", format_duration(b->orphans, d[3], sizeof(d[3])),
	       format_duration(b->reap, d[4], sizeof(d[4])), cap, (long long)(b->total + 999) / 1000 + 1);
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct config cfg;
	struct supervisor sup;
	struct ev_loop *loop;
	ev_io sigw = { .fd = -1 };
	pid_t parent = getppid();	/* before anything: --pdeath-signal's race check */
	char cwd[4096];
	char err[512], ctlbuf[CONTROL_PATH_MAX];
	const char *control_path;
	bool control_explicit;
	int r;

	output_stdio_sane();	/* no pipe may land on fd 0-2 */
	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc - 1, argv + 1);
	r = cli_parse(argc, argv, &cli, &cfg, err, sizeof(err));
	if (r != 0) {
		fprintf(stderr, "drainit: %s\n", err);
		config_free(&cfg);
		return r;
	}
	if (cli.help || cli.version) {
		if (cli.help)
			cli_usage();
		else
			printf("drainit %s\n", DRAINIT_VERSION);
		config_free(&cfg);
		return 0;
	}
	if (cli.verbose)
		log_min_level = LOG_DEBUG;
	if (!cli.check)
		signals_block();

	if (cli.config_path) {
		struct config_errors errs = { 0 };

		r = config_load(cli.config_path, &cfg, &errs);
		if (r != 0) {
			for (size_t i = 0; i < errs.n; i++)
				fprintf(stderr, "%s\n", errs.msgs[i]);
			fprintf(stderr, "drainit: %s: %zu error%s, nothing started\n",
				cli.config_path, errs.n, errs.n == 1 ? "" : "s");
			config_errors_free(&errs);
			config_free(&cfg);
			return EXIT_CONFIG;
		}
	}
	if (cli.check) {
		struct config_errors errs = { 0 }, warns = { 0 };
		struct budget b;
		size_t n = preflight_commands(&cfg, &errs);

		preflight_budget(&cfg, &b);
		n += preflight_shutdown(&cfg, &b, &errs, &warns);
		preflight_hints(&cfg, &warns);
		for (size_t i = 0; i < warns.n; i++)
			fprintf(stderr, "warning: %s\n", warns.msgs[i]);
		config_errors_free(&warns);
		if (n) {
			for (size_t i = 0; i < errs.n; i++)
				fprintf(stderr, "%s\n", errs.msgs[i]);
			fprintf(stderr, "drainit: %s: %zu error%s\n",
				cfg.path ? cfg.path : "(command line)", n, n == 1 ? "" : "s");
			config_errors_free(&errs);
			config_free(&cfg);
			return EXIT_CONFIG;
		}
		print_check_summary(&cfg);
		print_budget(&b);
		config_free(&cfg);
		return 0;
	}
	/* drainit's own log: the command line wins over the file. */
	if (cli.log_level >= 0)
		log_min_level = (enum log_level)cli.log_level;
	else if (!cli.verbose && cfg.log_level >= 0)
		log_min_level = (enum log_level)cfg.log_level;
	log_format = (enum log_format)(cli.log_format >= 0 ? cli.log_format : cfg.log_format);
	{
		struct config_errors hints = { 0 };

		preflight_hints(&cfg, &hints);
		for (size_t i = 0; i < hints.n; i++)
			log_warn("%s", hints.msgs[i]);
		config_errors_free(&hints);
	}

	/* the control socket: --control, then control_socket, then the default */
	if (cli.control)
		control_path = cli.control;
	else if (cfg.control_socket)
		control_path = cfg.control_socket;
	else
		control_path = control_default_path(ctlbuf, sizeof(ctlbuf));
	control_explicit = cli.control || cfg.control_socket;

	fds_cloexec_inherited();
	/* Not libev's default loop: that one reaps children itself, one per
	 * loop iteration. drainit reads every signal, SIGCHLD included, from
	 * its own signalfd (signals.c) and reaps all it can at each SIGCHLD
	 * (reaper.c). */
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!loop) {
		fprintf(stderr, "drainit: cannot initialise the event loop (bad LIBEV_FLAGS?)\n");
		config_free(&cfg);
		return EXIT_OSERR;
	}
	/* Relative paths used after start-up are resolved now: drainit moves
	 * to / once its services run. */
	if (!getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "drainit: getcwd: %s; relative paths stay relative to /\n", strerror(errno));
		cwd[0] = '\0';
	}
	if (config_absolute_paths(&cfg, cwd[0] ? cwd : NULL) < 0 ||
	    runtime_init(&sup, loop, &cfg, NULL) < 0) {
		fprintf(stderr, "drainit: out of memory\n");
		return EXIT_OSERR;
	}
	sup.is_pid1 = getpid() == 1;
	log_set_stage_source(stage_of, &sup);	/* "stage" of json log lines */

	/* From here on the log never blocks the loop (output.c queues it). */
	output_log_attach(&sup);
	sup.cwd = cwd[0] ? cwd : NULL;
	if ((r = signals_setup(&sup, &sigw)) < 0) {
		log_error("cannot set up signal intake: signalfd: %s; nothing started, exiting with code %d",
			  strerror(-r), EXIT_OSERR);
		r = EXIT_OSERR;
		goto out;
	}
	reaper_setup(&sup);
	log_info("drainit %s starting as %s: %zu service%s%s%s", DRAINIT_VERSION,
		 sup.is_pid1 ? "PID 1" : "child subreaper", cfg.nsvcs, cfg.nsvcs == 1 ? "" : "s",
		 cfg.path ? " from " : "", cfg.path ? cfg.path : "");
	/* Before any service: NOTIFY_SOCKET goes into their environment, and
	 * a probe port that cannot be bound stops drainit with nothing started. */
	if (notify_setup(&sup) < 0 || probe_setup(&sup) < 0 ||
	    control_setup(&sup, control_path, control_explicit) < 0) {
		log_error("nothing started, exiting with code %d", EXIT_OSERR);
		r = EXIT_OSERR;
		goto out;
	}
	signals_pdeath(&sup, cfg.pdeath_signal, parent);
	lifecycle_start_all(&sup);
	/* Like any init, drainit keeps no directory busy; the services start
	 * in theirs (directory =, else where drainit was started). */
	if (chdir("/") < 0)
		log_warn("chdir /: %s", strerror(errno));

	/* ev_run() forgets an ev_break() made before it started. */
	if (sup.stage != STAGE_EXITED)
		ev_run(loop, 0);
	r = shutdown_exit_code(&sup);
#ifndef DRAINIT_FULL_TEARDOWN
	/* The run is over and its output written: the kernel closes every
	 * descriptor and frees the memory at once, faster than drainit would
	 * one object at a time. What it does not do is remove the socket
	 * files. (Sanitizer builds take the whole teardown below: their leak
	 * check runs at exit.) */
	control_free(&sup);
	notify_free(&sup);
	fflush(NULL);
	_exit(r);
#endif
out:
	control_free(&sup);
	probe_free(&sup);
	notify_free(&sup);
	signals_free(&sup, &sigw);
	runtime_free(&sup);
	config_free(&cfg);
	ev_loop_destroy(loop);
	return r;
}
