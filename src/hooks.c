/* hooks.c: mechanism layer. Drain hooks. All of them (global and per
 * service) start together when the shutdown machine says so, each in its
 * own process group, each with a drain_timeout timer that posts
 * EVT_HOOK_TIMEOUT (the shutdown machine then has it killed). A failed or
 * timed-out hook is logged; whether the shutdown goes on is not decided
 * here. A per-service hook runs as its service (user, groups, limits,
 * environment, directory) and gets DRAINIT_SERVICE and DRAINIT_SERVICE_PID. */
#include "hooks.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "log.h"
#include "output.h"
#include "procset.h"
#include "spawn.h"

extern char **environ;

/* drainit's environment; for a per-service hook, the service's own
 * (its env, env_file, clear_env) and its name and pid. A global hook
 * never sees these variables, even when drainit itself inherited them. */
static char **
hook_env(const struct service *svc)
{
	struct envbuf e;

	if (env_init(&e, environ) < 0 || (svc && procset_env(svc->cfg, &e) < 0))
		goto fail;
	env_unset(&e, "DRAINIT_SERVICE");
	env_unset(&e, "DRAINIT_SERVICE_PID");
	if (svc && (env_setf(&e, "DRAINIT_SERVICE=%s", svc->cfg->name) < 0 ||
		    env_setf(&e, "DRAINIT_SERVICE_PID=%d",
			     service_alive(svc) ? (int)svc->proc.pid : 0) < 0))
		goto fail;
	return env_take(&e);
fail:
	env_free(&e);
	return NULL;
}

static void
hook_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	struct hook *h = container_of(w, struct hook, timer);

	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){ .kind = EVT_HOOK_TIMEOUT, .hook = h });
}

/* A per-service hook runs as its service would: its user and groups,
 * limits, environment and directory. Its output is prefixed like its service's: "web#1 | line" where the
 * service's stdout (stderr) is prefixed; a global hook's, "drain#1 | line",
 * where any service's is. */
static void
hook_prefix(const struct supervisor *sup, const struct hook *h, bool prefix[2])
{
	prefix[0] = prefix[1] = false;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		const struct svc_config *c = sup->svcs[i]->cfg;

		if (h->svc && h->svc != sup->svcs[i])
			continue;
		for (int k = 0; k < 2; k++)
			prefix[k] |= c->out[k] == OUT_PREFIX;
	}
	if (h->svc && !prefix[0] && !prefix[1])	/* a removed service's hook */
		for (int k = 0; k < 2; k++)
			prefix[k] = h->svc->cfg->out[k] == OUT_PREFIX;
}

static bool
hook_start(struct supervisor *sup, struct hook *h)
{
	struct spawn_req req = { .argv = h->cfg->argv };
	struct spawn_opts opts = { .stdio = { -1, -1, -1 } };
	struct output_start os;
	struct spawn_rlimit rl[_LIM_MAX];
	char lbl[96], what[64] = "fork", oom[16];
	bool prefix[2];
	int r;

	hook_label(sup, h, lbl, sizeof(lbl));
	snprintf(h->out_name, sizeof(h->out_name), "%s", lbl + strlen("drain hook "));
	if (!h->svc)
		snprintf(h->out_name, sizeof(h->out_name), "drain%s", lbl + strlen("drain hook "));
	if (h->svc) {
		req.dir = h->svc->cfg->directory;
		procset_spawn_opts(h->svc->cfg, &opts, rl, oom);
		req.opts = &opts;
	}
	argv_free(h->envp);
	h->envp = hook_env(h->svc);
	req.envp = h->envp;
	h->timed_out = false;
	hook_prefix(sup, h, prefix);
	r = output_prepare_prefixed(sup, h->out_name, prefix, &os, what, sizeof(what));
	if (r == 0) {
		memcpy(opts.stdio, os.stdio, sizeof(opts.stdio));
		req.opts = &opts;
		r = spawn_start(sup, &h->proc, &req);
		output_spawned(sup, &os, r == 0);
		if (r < 0)
			snprintf(what, sizeof(what), "fork");
	}
	if (r < 0) {
		log_error("%s: failed to start: %s: %s", lbl, what, strerror(-r));
		return false;
	}
	h->running = true;
	log_info("%s (pid %d): started: %s", lbl, (int)h->proc.pid, h->cfg->command);
	ev_timer_init(&h->timer, hook_timeout_cb, (ev_tstamp)h->cfg->timeout_ms / 1000.0, 0.);
	if (h->cfg->timeout_ms > 0)
		ev_timer_start(sup->loop, &h->timer);
	return true;
}

/* A hook still running (started by drainit ctl stop) is not started twice. */
size_t
hooks_start_all(struct supervisor *sup)
{
	size_t running = 0;

	for (size_t i = 0; i < sup->nhooks; i++)
		running += sup->hooks[i]->running || hook_start(sup, sup->hooks[i]);
	return running;
}

size_t
hooks_start_service(struct supervisor *sup, struct service *svc)
{
	size_t running = 0;

	for (size_t i = 0; i < sup->nhooks; i++) {
		struct hook *h = sup->hooks[i];
		if (h->svc == svc)
			running += h->running || hook_start(sup, h);
	}
	return running;
}

void
hook_kill(struct supervisor *sup, struct hook *h, const char *why)
{
	char lbl[96];

	if (!h->running)
		return;
	hook_label(sup, h, lbl, sizeof(lbl));
	log_msg(h->timed_out ? LOG_WARN : LOG_INFO, "%s (pid %d): %s", lbl, (int)h->proc.pid, why);
	if (sup->sys->kill(-h->proc.pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("%s: kill: %s", lbl, strerror(errno));
}

void
hook_on_exec(struct supervisor *sup, struct hook *h)
{
	char lbl[96];

	if (h->proc.fail_step != SPAWN_STEP_NONE)
		log_error("%s (pid %d): failed to start: %s: %s",
			  hook_label(sup, h, lbl, sizeof(lbl)), (int)h->proc.pid,
			  spawn_step_name(h->proc.fail_step), strerror(h->proc.fail_errno));
}

void
hook_on_exit(struct supervisor *sup, struct hook *h, int wstatus)
{
	char lbl[96], buf[96];

	h->running = false;
	ev_timer_stop(sup->loop, &h->timer);
	hook_label(sup, h, lbl, sizeof(lbl));
	if (h->proc.fail_step != SPAWN_STEP_NONE)
		;	/* hook_on_exec said it */
	else if (h->forced)
		log_info("%s (pid %d): %s (shutdown forced)", lbl, (int)h->proc.pid,
			 describe_status(wstatus, buf, sizeof(buf)));
	else if (h->timed_out)
		log_warn("%s (pid %d): timed out, %s", lbl, (int)h->proc.pid,
			 describe_status(wstatus, buf, sizeof(buf)));
	else if (status_to_code(wstatus) != 0)
		log_warn("%s (pid %d): failed, %s; shutdown goes on", lbl,
			 (int)h->proc.pid, describe_status(wstatus, buf, sizeof(buf)));
	else
		log_info("%s (pid %d): done", lbl, (int)h->proc.pid);
}
