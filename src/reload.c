/* reload.c: assembly layer. A configuration reload, in three steps:
 *
 *   1. load the file into a new struct config; any error: nothing changes
 *   2. reload_diff (confdiff.c) against the running configuration; build
 *      the new service array: kept services (their objects, with their
 *      pids and state, now pointing at the new config), changed ones
 *      (same objects; the new settings wait in next_cfg for their next
 *      start), added ones (new objects with their watchers and checks),
 *      and removed ones that still run (flagged, at the end)
 *   3. switch sup->cfg and the arrays at once, then ask the lifecycle
 *      machine, by posting the same events drainit ctl posts, to stop the
 *      removed services and restart the changed ones; start the added.
 *
 * Nothing is freed during the switch: an event in the queue or a process
 * may still name a replaced service, hook, check or configuration.
 * reload_reclaim() frees them later, when no event waits and nothing of
 * them runs (output streams keep copies of the names). Settings read
 * once at start-up (probe_listen, control_socket, log_format, log_level)
 * keep their old values and the answer says so. */
#include "reload.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "confdiff.h"
#include "lifecycle.h"
#include "log.h"
#include "notify.h"
#include "output.h"
#include "preflight.h"
#include "watchers.h"

static void
answer(struct ctl_result *r, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
answer(struct ctl_result *r, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!r)
		return;
	r->done = true;
	r->ok = ok;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

/* Appends one line to *buf (malloc'd); quietly short on no memory. */
static void
add_line(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add_line(char **buf, const char *fmt, ...)
{
	va_list ap;
	char *line, *n;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0) {
		va_end(ap);
		return;
	}
	va_end(ap);
	if (asprintf(&n, "%s%s%s", *buf ? *buf : "", *buf ? "\n" : "", line) >= 0) {
		free(*buf);
		*buf = n;
	}
	free(line);
}

/* "a, b, c" of the entries of kind k, into buf. */
static const char *
names_of(const struct reload_diff *d, enum diff_kind k, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->n && off < len; i++)
		if (d->v[i].kind == k) {
			if (k == DIFF_CHANGED)
				off += (size_t)snprintf(buf + off, len - off, "%s%s (%s)",
							off ? ", " : "", d->v[i].name, d->v[i].key);
			else
				off += (size_t)snprintf(buf + off, len - off, "%s%s",
							off ? ", " : "", d->v[i].name);
		}
	return buf;
}

/* "web (grace_period)" for the kept services that took new settings. */
static const char *
updated_names(const struct reload_diff *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->n && off < len; i++)
		if (d->v[i].kind == DIFF_KEPT && d->v[i].key)
			off += (size_t)snprintf(buf + off, len - off, "%s%s (%s)", off ? ", " : "",
						d->v[i].name, d->v[i].key);
	return buf;
}

/* Keeps the settings that only apply at start-up as they are. */
static int
keep_fixed(const struct config *old, struct config *nc)
{
	free(nc->probe_listen);
	nc->probe_listen = old->probe_listen ? strdup(old->probe_listen) : NULL;
	nc->probe_addr = old->probe_addr;
	free(nc->control_socket);
	nc->control_socket = old->control_socket ? strdup(old->control_socket) : NULL;
	nc->log_format = old->log_format;
	nc->log_level = old->log_level;
	nc->pdeath_signal = old->pdeath_signal;
	if ((old->probe_listen && !nc->probe_listen) ||
	    (old->control_socket && !nc->control_socket))
		return -ENOMEM;
	return 0;
}

static struct service *
live_by_name(struct supervisor *sup, const char *name)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (strcmp(sup->svcs[i]->cfg->name, name) == 0)
			return sup->svcs[i];
	return NULL;
}

/* A new service, ready to start: watchers, watchdog timer, checks. */
static struct service *
added(struct supervisor *sup, struct svc_config *c)
{
	struct service *svc = service_new(sup, c);

	if (!svc)
		return NULL;
	watchers_init_service(svc);
	notify_watchdog_init_service(svc);
	if (check_init_service(sup, svc) < 0)
		return NULL;
	return svc;
}

/* The kept service now points at the new config (the same settings). */
static void
rebind(struct service *svc, struct svc_config *c)
{
	if (svc->next_cfg) {	/* a change of an earlier reload still waits */
		svc->next_cfg = c;
		return;
	}
	svc->cfg = c;
	for (size_t j = 0; j < svc->nhooks && j < c->ndrain; j++)
		svc->hooks[j]->cfg = &c->drain[j];
	if (svc->pr.ready_chk)
		svc->pr.ready_chk->spec = &c->ready;
	if (svc->pr.health_chk)
		svc->pr.health_chk->spec = &c->health;
}

/* The globals read once at start-up that the file changed: a line of
 * the answer's detail and a warning. */
static void
fixed_not_applied(const struct reload_diff *d, char **detail, char *buf, size_t len)
{
	size_t off = 0;

	if (!d->nfixed)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < d->nfixed && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", d->fixed[i]);
	add_line(detail, "not applied (read once at start-up; restart drainit for them): %s", buf);
	log_warn("reload-config: not applied until drainit restarts: %s", buf);
}

/* The answer's detail lines go with the answer (none: they are dropped). */
static void
give_detail(struct ctl_result *reply, char *detail)
{
	if (reply)
		reply->detail = detail;
	else
		free(detail);
}

/* The file's errors, each logged and a line of the answer's detail: the
 * reload changes nothing. */
static void
refuse(struct ctl_result *reply, const char *path, const struct config_errors *errs)
{
	char *detail = NULL;

	for (size_t i = 0; i < errs->n; i++) {
		log_error("%s", errs->msgs[i]);
		add_line(&detail, "%s", errs->msgs[i]);
	}
	log_error("reload-config: %s: %zu error%s, nothing changed", path, errs->n,
		  errs->n == 1 ? "" : "s");
	answer(reply, false, "%s: %zu error%s, nothing changed", path, errs->n,
	       errs->n == 1 ? "" : "s");
	give_detail(reply, detail);
}

static void
back_to_root(bool *moved)
{
	if (*moved && chdir("/") < 0)
		log_warn("reload-config: chdir /: %s", strerror(errno));
	*moved = false;
}

/* What a reload replaced is freed once the loop is between callbacks. */
static void
reclaim_soon(struct supervisor *sup)
{
	sup->reclaim_due = true;
	watch_reclaim(sup, true);
}

static char *
config_path(const struct supervisor *sup)
{
	const char *p = sup->cfg->path;
	char *abs = NULL;

	if (p[0] == '/' || !sup->cwd)
		return strdup(p);
	/* drainit moved to /: a relative -c is relative to where it started */
	return asprintf(&abs, "%s/%s", sup->cwd, p) < 0 ? NULL : abs;
}

/* A removed or changed service to stop: kept in stops to be sent in
 * reverse dependency order, or sent now when stops could not be had. */
static void
stop_later(struct supervisor *sup, struct service **stops, size_t *n, struct service *svc)
{
	if (stops)
		stops[(*n)++] = svc;
	else
		sup_post(sup, &(struct event){ .kind = svc->removed ? EVT_CTL_STOP : EVT_CTL_RESTART,
					       .svc = svc, .by_reload = true });
}

void
reload_config(struct supervisor *sup, struct ctl_result *reply)
{
	struct config *old = sup->cfg, *nc = NULL;
	struct config_errors errs = { 0 };
	struct reload_diff d = { 0 };
	struct service **nv = NULL, **stops = NULL, **starts = NULL;
	size_t nn = 0, carried = 0, nstops = 0, nstarts = 0;
	char *path = NULL, *detail = NULL, buf[1024];
	bool moved = false;
	int r;

	if (!old->path || old->single) {
		answer(reply, false, "drainit runs a command (-- CMD), not a configuration file: nothing to reload");
		return;
	}
	if (sup->stage != STAGE_RUNNING) {
		answer(reply, false, "drainit is shutting down (stage %s)", stage_name(sup->stage));
		return;
	}
	log_info("reload-config: reading %s", old->path);
	path = config_path(sup);
	nc = calloc(1, sizeof(*nc));
	if (!path || !nc)
		goto oom;
	config_init(nc);
	/* Paths the file reads as it loads (env_file, prestop_token = file:)
	 * and relative commands are relative to where drainit started, as
	 * they were the first time: it has moved to / since. Back to / once
	 * the file is checked (back_to_root). */
	moved = sup->cwd && chdir(sup->cwd) == 0;
	r = config_load(path, nc, &errs);
	if (r != 0) {
		refuse(reply, path, &errs);
		goto out;
	}
	free(nc->path);
	nc->path = strdup(old->path);	/* as given: a later reload resolves it again */
	if (!nc->path || config_absolute_paths(nc, sup->cwd) < 0 || reload_diff(old, nc, &d) < 0 ||
	    keep_fixed(old, nc) < 0)
		goto oom;

	/* What would not start is refused before anything stops: a command
	 * or drain hook that cannot be found or run, a directory that is not
	 * there (what --check finds, and a restart would fail on). */
	{
		size_t bad = d.global_hooks_changed ? preflight_global_hooks(nc, &errs) : 0;

		for (size_t i = 0; i < d.n; i++) {
			struct service *svc = live_by_name(sup, d.v[i].name);

			/* a changed service held stopped by ctl stop starts later */
			if (d.v[i].kind == DIFF_ADDED ||
			    (d.v[i].kind == DIFF_CHANGED && !(svc && svc->ctl_stopped)))
				bad += preflight_service(nc, d.v[i].new, &errs) +
				       preflight_directory(nc, d.v[i].new, &errs);
		}
		if (bad) {
			refuse(reply, path, &errs);
			goto out;
		}
	}
	back_to_root(&moved);

	/* Nothing that runs would change: the running configuration stays,
	 * and the new one is freed (a reload a minute costs no memory). */
	if (d.services_same && !config_globals_differ(old, nc)) {
		answer(reply, true, "reloaded %s: 0 added, 0 removed, 0 changed, %zu kept", old->path,
		       d.kept);
		log_info("reload-config: %s: nothing changed, %zu kept", old->path, d.kept);
		if (d.kept)
			add_line(&detail, "kept: %s", names_of(&d, DIFF_KEPT, buf, sizeof(buf)));
		fixed_not_applied(&d, &detail, buf, sizeof(buf));
		give_detail(reply, detail);
		goto out;
	}

	/* A service removed by an earlier reload that still stops cannot come
	 * back yet: two services of one name would run at once. */
	for (size_t i = 0; i < d.n; i++) {
		struct service *svc = live_by_name(sup, d.v[i].name);

		if (d.v[i].kind == DIFF_ADDED && svc && svc->removed) {
			answer(reply, false, "service %s is still stopping after an earlier reload; nothing changed, try again once it has stopped",
			       d.v[i].name);
			log_warn("reload-config: service %s is still stopping after an earlier reload; nothing changed",
				 d.v[i].name);
			goto out;
		}
	}

	/* Everything that can fail is made before anything changes. */
	nv = calloc(d.n + sup->nsvcs + 1, sizeof(*nv));
	if (!nv)
		goto oom;
	for (size_t i = 0; i < d.n; i++) {
		struct diff_entry *e = &d.v[i];

		if (e->kind == DIFF_ADDED) {
			if (!(nv[nn++] = added(sup, (struct svc_config *)e->new)))
				goto oom;
		} else if (e->kind != DIFF_REMOVED) {
			nv[nn++] = live_by_name(sup, e->name);
		}
	}
	for (size_t i = 0; i < sup->nsvcs; i++) {	/* removed now or earlier, still here */
		struct service *svc = sup->svcs[i];
		bool listed = false;

		for (size_t k = 0; k < nn && !listed; k++)
			listed = nv[k] == svc;
		if (!listed) {
			nv[nn++] = svc;
			carried++;
		}
	}
	if (sup_keep_config(sup, nc) < 0)
		goto oom;

	/* The switch: from here on the new configuration is the running one. */
	for (size_t i = 0; i < d.n; i++) {
		struct diff_entry *e = &d.v[i];
		struct service *svc = live_by_name(sup, e->name);

		if (e->kind == DIFF_KEPT) {
			struct svc_config *nc_svc = (struct svc_config *)e->new;

			/* Output left to its default keeps what it started with:
			 * the default follows the service count, the pipes do not. */
			for (int k = 0; k < 2; k++)
				if (svc->cfg->out_defaulted[k] && nc_svc->out_defaulted[k]) {
					nc_svc->out[k] = svc->cfg->out[k];
					free(nc_svc->out_path[k]);
					nc_svc->out_path[k] = svc->cfg->out_path[k] ? strdup(svc->cfg->out_path[k]) : NULL;
				}
			if (e->key)
				log_info("service %s: %s changed: taken without a restart", e->name, e->key);
			rebind(svc, nc_svc);
		}
		else if (e->kind == DIFF_CHANGED)
			svc->next_cfg = (struct svc_config *)e->new;
		else if (e->kind == DIFF_REMOVED)
			svc->removed = true;
	}
	free(sup->svcs);
	sup->svcs = nv;
	sup->nsvcs = nn;
	nv = NULL;
	sup->cfg = nc;
	nc = NULL;
	sup->main = NULL;
	for (size_t i = 0; sup->cfg->main && i < sup->nsvcs; i++)
		if (!sup->svcs[i]->removed && strcmp(sup->svcs[i]->cfg->name, sup->cfg->main) == 0)
			sup->main = sup->svcs[i];
	if (supervisor_make_global_hooks(sup) < 0 || supervisor_hooks_rebuild(sup) < 0)
		log_error("reload-config: out of memory building the drain hooks; some may not run");
	output_services_changed(sup);
	if (!sup->notify && notify_setup(sup) < 0)
		log_error("reload-config: no notify socket: services with ready = notify will not get NOTIFY_SOCKET");

	reclaim_soon(sup);

	/* What the machines do about it: logged in the order of the file,
	 * the stops sent in reverse dependency order, as ctl stop sends them,
	 * and only then the starts, so that what depends on a service that
	 * restarts waits for it. */
	stops = calloc(d.n ? d.n : 1, sizeof(*stops));
	starts = calloc(d.n ? d.n : 1, sizeof(*starts));
	for (size_t i = 0; i < d.n; i++) {
		struct diff_entry *e = &d.v[i];
		struct service *svc = live_by_name(sup, e->name);

		if (e->kind == DIFF_REMOVED) {
			if (!service_alive(svc))
				continue;	/* nothing runs: reload_sweep drops it */
			log_info("service %s: removed from the configuration: stopping it", e->name);
			stop_later(sup, stops, &nstops, svc);
		} else if (e->kind == DIFF_CHANGED) {
			log_info("service %s: its settings changed (%s first): restarting it", e->name,
				 e->key);
			if (service_alive(svc)) {
				if (!svc->ctl_stopped) {
					svc->restart_pending = true;	/* holds its dependents from now */
					stop_later(sup, stops, &nstops, svc);
				}
			} else {
				lifecycle_adopt_config(sup, svc);
				if (!svc->ctl_stopped && svc->state != SVC_PENDING) {
					if (starts)
						starts[nstarts++] = svc;
					else
						sup_post(sup, &(struct event){ .kind = EVT_CTL_START, .svc = svc });
				}
			}
		} else if (e->kind == DIFF_ADDED) {
			log_info("service %s: added to the configuration", e->name);
		}
	}
	if (stops) {
		services_stop_order(stops, nstops);
		for (size_t i = 0; i < nstops; i++)
			sup_post(sup, &(struct event){ .kind = stops[i]->removed ? EVT_CTL_STOP
										: EVT_CTL_RESTART,
						       .svc = stops[i], .by_reload = true });
		free(stops);
	}
	for (size_t i = 0; starts && i < nstarts; i++)
		sup_post(sup, &(struct event){ .kind = EVT_CTL_START, .svc = starts[i] });
	free(starts);
	/* New services, or new after/requires of pending ones: started once
	 * the restarts above are under way, so that a changed dependency
	 * holds them back (the event queue keeps that order). */
	if (d.added || d.updated)
		sup_post(sup, &(struct event){ .kind = EVT_START_PENDING });

	answer(reply, true, "reloaded %s: %zu added, %zu removed, %zu changed, %zu kept",
	       sup->cfg->path, d.added, d.removed, d.changed, d.kept);
	log_info("reload-config: %s: %zu added, %zu removed, %zu changed, %zu kept", sup->cfg->path,
		 d.added, d.removed, d.changed, d.kept);
	if (d.added)
		add_line(&detail, "added: %s", names_of(&d, DIFF_ADDED, buf, sizeof(buf)));
	if (d.removed)
		add_line(&detail, "removed: %s", names_of(&d, DIFF_REMOVED, buf, sizeof(buf)));
	if (d.changed)
		add_line(&detail, "changed: %s", names_of(&d, DIFF_CHANGED, buf, sizeof(buf)));
	if (d.kept)
		add_line(&detail, "kept: %s", names_of(&d, DIFF_KEPT, buf, sizeof(buf)));
	if (d.updated)
		add_line(&detail, "kept, new settings taken without a restart: %s", updated_names(&d, buf, sizeof(buf)));
	fixed_not_applied(&d, &detail, buf, sizeof(buf));
	give_detail(reply, detail);
	(void)carried;
	goto out;
oom:
	log_error("reload-config: out of memory; nothing changed");
	answer(reply, false, "out of memory; nothing changed");
out:
	back_to_root(&moved);
	free(nv);
	reload_diff_free(&d);
	config_errors_free(&errs);
	if (nc) {
		config_free(nc);
		free(nc);
	}
	free(path);
	reload_sweep(sup);
}

void
reload_sweep(struct supervisor *sup)
{
	size_t k = 0;
	bool dropped = false;

	if (sup->stage != STAGE_RUNNING)
		return;	/* the shutdown counts every service it stops */
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];

		if (svc->removed && !service_alive(svc) && !svc->draining &&
		    hooks_running_of(sup, svc) == 0) {
			ev_timer_stop(sup->loop, &svc->restart_timer);
			ev_timer_stop(sup->loop, &svc->start_timer);
			watch_pidfile_stop(sup, svc);
			notify_watchdog_stop(sup, svc);
			log_info("service %s: stopped and dropped (removed from the configuration)",
				 svc->cfg->name);
			dropped = true;
			continue;
		}
		sup->svcs[k++] = svc;
	}
	sup->nsvcs = k;
	if (dropped)
		reclaim_soon(sup);
	if (dropped) {
		if (supervisor_hooks_rebuild(sup) < 0)
			log_error("reload-config: out of memory rebuilding the drain hooks");
		output_services_changed(sup);
	}
}

/* ---- freeing what reloads replaced --------------------------------------------- */

static bool
in_svcs(const struct supervisor *sup, const struct service *svc)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (sup->svcs[i] == svc)
			return true;
	return false;
}

/* p is in the proc table: its exit is still to be reaped. */
static bool
tracked(struct supervisor *sup, const struct proc *p)
{
	return p->pid > 0 && proc_find(sup, p->pid) == p;
}

static bool
hook_busy(struct supervisor *sup, const struct hook *h)
{
	return h->running || tracked(sup, &h->proc) || h->proc.status_fd >= 0;
}

/* Whether h is one of the hooks the running configuration has. */
static bool
hook_current(const struct supervisor *sup, const struct hook *h)
{
	for (size_t i = 0; i < sup->nghooks; i++)
		if (sup->ghooks[i] == h)
			return true;
	for (size_t i = 0; i < sup->nsvcs; i++)
		for (size_t k = 0; k < sup->svcs[i]->nhooks; k++)
			if (sup->svcs[i]->hooks[k] == h)
				return true;
	return false;
}

static void
hook_drop(struct supervisor *sup, size_t i)
{
	struct hook *h = sup->all_hooks[i];

	ev_timer_stop(sup->loop, &h->timer);
	argv_free(h->envp);
	free(h);
	sup->all_hooks[i] = sup->all_hooks[--sup->nall_hooks];
}

/* A service dropped from the configuration, with nothing of it left
 * running: its old checks and hooks first, then itself. false: it (or
 * one of them) still runs. */
static bool
service_drop(struct supervisor *sup, struct service *svc)
{
	if (service_alive(svc) || svc->draining || tracked(sup, &svc->proc) ||
	    svc->proc.status_fd >= 0)
		return false;
	for (size_t i = 0; i < sup->nall_hooks; i++)
		if (sup->all_hooks[i]->svc == svc && hook_busy(sup, sup->all_hooks[i]))
			return false;
	for (size_t i = 0; i < sup->nold_checks; i++)
		if (sup->old_checks[i]->svc == svc && !check_idle(sup->old_checks[i]))
			return false;
	if ((svc->pr.ready_chk && !check_idle(svc->pr.ready_chk)) ||
	    (svc->pr.health_chk && !check_idle(svc->pr.health_chk)))
		return false;
	for (size_t i = 0; i < sup->nold_checks;)
		if (sup->old_checks[i]->svc == svc) {
			check_destroy(sup, sup->old_checks[i]);
			sup->old_checks[i] = sup->old_checks[--sup->nold_checks];
		} else {
			i++;
		}
	check_destroy(sup, svc->pr.ready_chk);
	check_destroy(sup, svc->pr.health_chk);
	for (size_t i = 0; i < sup->nall_hooks;)
		if (sup->all_hooks[i]->svc == svc)
			hook_drop(sup, i);
		else
			i++;
	if (sup->first_unclean == svc) {
		/* its failure left with it: the exit code comes from what is left */
		sup->first_unclean = NULL;
		for (size_t i = 0; i < sup->nsvcs && !sup->first_unclean; i++) {
			struct service *o = sup->svcs[i];

			if (o != svc && !o->removed && (o->state == SVC_EXITED || o->state == SVC_FAILED) &&
			    o->runs > 0 && !service_clean(o))
				sup->first_unclean = o;
		}
	}
	ptimer_stop(sup->loop, &svc->grace_timer);
	ev_timer_stop(sup->loop, &svc->step_timer);
	ev_timer_stop(sup->loop, &svc->restart_timer);
	ev_timer_stop(sup->loop, &svc->start_timer);
	watch_pidfile_stop(sup, svc);
	notify_watchdog_stop(sup, svc);
	argv_free(svc->envp);
	free(svc->restart_log);
	free(svc->hooks);
	free(svc);
	return true;
}

/* Whether p points into configuration c (a service's settings, a hook's,
 * a check's spec: all inside c->svcs[] or c->drain[]). */
static bool
points_into(const struct config *c, const void *p)
{
	const char *q = p;

	if (!p)
		return false;
	if (c->nsvcs && q >= (const char *)c->svcs && q < (const char *)(c->svcs + c->nsvcs))
		return true;
	if (c->ndrain && q >= (const char *)c->drain && q < (const char *)(c->drain + c->ndrain))
		return true;
	for (size_t i = 0; i < c->nsvcs; i++) {
		const struct svc_config *s = &c->svcs[i];

		if (s->ndrain && q >= (const char *)s->drain && q < (const char *)(s->drain + s->ndrain))
			return true;
	}
	return false;
}

static bool
config_in_use(const struct supervisor *sup, const struct config *c)
{
	if (c == sup->cfg)
		return true;
	for (size_t i = 0; i < sup->nall_svcs; i++) {
		const struct service *svc = sup->all_svcs[i];

		if (points_into(c, svc->cfg) || points_into(c, svc->next_cfg) ||
		    (svc->pr.ready_chk && points_into(c, svc->pr.ready_chk->spec)) ||
		    (svc->pr.health_chk && points_into(c, svc->pr.health_chk->spec)))
			return true;
	}
	for (size_t i = 0; i < sup->nall_hooks; i++)
		if (points_into(c, sup->all_hooks[i]->cfg))
			return true;
	for (size_t i = 0; i < sup->nold_checks; i++)
		if (points_into(c, sup->old_checks[i]->spec))
			return true;
	return false;
}

void
reload_reclaim(struct supervisor *sup)
{
	bool left = false;

	if (!sup->reclaim_due || sup->events.len > 0)
		return;
	if (sup->stage != STAGE_RUNNING) {	/* the exit frees it all */
		sup->reclaim_due = false;
		return;
	}
	/* dropped services */
	for (size_t i = 0; i < sup->nall_svcs;) {
		struct service *svc = sup->all_svcs[i];

		if (in_svcs(sup, svc)) {
			i++;
		} else if (service_drop(sup, svc)) {
			sup->all_svcs[i] = sup->all_svcs[--sup->nall_svcs];
		} else {
			left = true;
			i++;
		}
	}
	/* replaced hooks (the global ones are made again by every reload) */
	for (size_t i = 0; i < sup->nall_hooks;) {
		struct hook *h = sup->all_hooks[i];

		if (hook_current(sup, h)) {
			i++;
		} else if (!hook_busy(sup, h)) {
			hook_drop(sup, i);
		} else {
			left = true;
			i++;
		}
	}
	/* replaced checks */
	for (size_t i = 0; i < sup->nold_checks;)
		if (check_idle(sup->old_checks[i])) {
			check_destroy(sup, sup->old_checks[i]);
			sup->old_checks[i] = sup->old_checks[--sup->nold_checks];
		} else {
			left = true;
			i++;
		}
	/* configurations nothing points into */
	for (size_t i = 0; i < sup->ncfgs;)
		if (!config_in_use(sup, sup->cfgs[i])) {
			config_free(sup->cfgs[i]);
			free(sup->cfgs[i]);
			sup->cfgs[i] = sup->cfgs[--sup->ncfgs];
		} else {
			left = left || sup->cfgs[i] != sup->cfg;
			i++;
		}
	sup->reclaim_due = left;
}
