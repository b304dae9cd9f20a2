/* confdiff.c: pure layer. Compares two loaded configurations for a
 * reload: a service is kept only when every setting that shapes how it
 * runs is the same (its command, environment, user, limits, output,
 * checks, stop sequence, restart policy, dependencies, drain hooks, ...);
 * where it sits in the file does not matter. */
#include "confdiff.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool
names_eq(const struct name_list *a, const struct name_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->names[i], b->names[i]) != 0)
			return false;
	return true;
}

static bool
hooks_eq(const struct hook_config *a, size_t na, const struct hook_config *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!argv_equal(a[i].argv, b[i].argv) || a[i].timeout_ms != b[i].timeout_ms)
			return false;
	return true;
}

static bool
hooks_cmd_eq(const struct hook_config *a, size_t na, const struct hook_config *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!argv_equal(a[i].argv, b[i].argv))
			return false;
	return true;
}

static bool
stop_seq_eq(const struct stop_seq *a, const struct stop_seq *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->step[i].sig != b->step[i].sig || a->step[i].wait_ms != b->step[i].wait_ms)
			return false;
	return true;
}

static bool
spec_eq(const struct check_spec *a, const struct check_spec *b)
{
	return a->kind == b->kind && str_eq(a->text, b->text);
}

static bool
opt_eq(const struct opt_int *a, const struct opt_int *b)
{
	return a->set == b->set && (!a->set || a->v == b->v);
}

static bool
groups_eq(const struct svc_config *a, const struct svc_config *b)
{
	if (a->has_gid != b->has_gid || a->ngroups != b->ngroups)
		return false;
	if (!a->has_gid)
		return true;
	return a->gid == b->gid &&
	       (a->ngroups == 0 || memcmp(a->groups, b->groups, a->ngroups * sizeof(*a->groups)) == 0);
}

const char *
svc_config_differs(const struct svc_config *a, const struct svc_config *b)
{
	if (!argv_equal(a->argv, b->argv))
		return "command";
	if (a->type != b->type)
		return "type";
	if (!stop_seq_eq(&a->stop_seq, &b->stop_seq))
		return "stop_signal";
	if (memcmp(a->signal_map.to, b->signal_map.to, sizeof(a->signal_map.to)) != 0)
		return "signal_map";
	if (memcmp(a->success_exit.codes, b->success_exit.codes, sizeof(a->success_exit.codes)) != 0 ||
	    a->success_exit.sigs != b->success_exit.sigs)
		return "success_exit";
	if (a->single_child != b->single_child)
		return "single_child";
	if (a->grace_ms != b->grace_ms)
		return "grace_period";
	if (!str_eq(a->directory, b->directory))
		return "directory";
	if (!hooks_eq(a->drain, a->ndrain, b->drain, b->ndrain))
		return hooks_cmd_eq(a->drain, a->ndrain, b->drain, b->ndrain) ? "drain_timeout" : "drain";
	if (!spec_eq(&a->ready, &b->ready))
		return "ready";
	if (a->ready_interval_ms != b->ready_interval_ms)
		return "ready_interval";
	if (a->ready_timeout_ms != b->ready_timeout_ms)
		return "ready_timeout";
	if (!spec_eq(&a->health, &b->health))
		return "health";
	if (a->health_interval_ms != b->health_interval_ms)
		return "health_interval";
	if (a->health_timeout_ms != b->health_timeout_ms)
		return "health_timeout";
	if (a->health_failures != b->health_failures)
		return "health_failures";
	if (a->watchdog_ms != b->watchdog_ms)
		return "watchdog";
	if (!str_eq(a->user, b->user) || a->has_uid != b->has_uid || (a->has_uid && a->uid != b->uid))
		return "user";
	if (!str_eq(a->group, b->group) || !groups_eq(a, b))
		return "group";
	if (!argv_equal(a->env, b->env))
		return "env";
	if (!str_eq(a->env_file, b->env_file) || !argv_equal(a->file_env, b->file_env))
		return "env_file";	/* its contents count too */
	if (a->clear_env != b->clear_env)
		return "clear_env";
	if (!opt_eq(&a->umask, &b->umask))
		return "umask";
	if (!opt_eq(&a->nice, &b->nice))
		return "nice";
	if (!opt_eq(&a->oom_score_adjust, &b->oom_score_adjust))
		return "oom_score_adjust";
	for (int i = 0; i < _LIM_MAX; i++)
		if (a->limits[i].set != b->limits[i].set ||
		    (a->limits[i].set && (a->limits[i].soft != b->limits[i].soft ||
					  a->limits[i].hard != b->limits[i].hard)))
			return limit_defs[i].key;
	if (a->stdin_mode != b->stdin_mode)
		return "stdin";
	for (int i = 0; i < 2; i++)
		if (!(a->out_defaulted[i] && b->out_defaulted[i]) &&
		    (a->out[i] != b->out[i] || !str_eq(a->out_path[i], b->out_path[i])))
			return i == 0 ? "stdout" : "stderr";
	if (a->restart != b->restart)
		return "restart";
	if (a->restart_delay_ms != b->restart_delay_ms)
		return "restart_delay";
	if (a->restart_delay_max_ms != b->restart_delay_max_ms)
		return "restart_delay_max";
	if (a->restart_reset_ms != b->restart_reset_ms)
		return "restart_reset";
	if (a->restart_limit != b->restart_limit || a->restart_window_ms != b->restart_window_ms)
		return "restart_limit";
	if (!names_eq(&a->after, &b->after))
		return "after";
	if (!names_eq(&a->requires, &b->requires))
		return "requires";
	if (!str_eq(a->pidfile, b->pidfile))
		return "pidfile";
	if (a->start_timeout_ms != b->start_timeout_ms)
		return "start_timeout";
	if (a->reload_signal != b->reload_signal)
		return "reload_signal";
	if (a->log_buffer != b->log_buffer)
		return "log_buffer";
	if (a->forward_set != b->forward_set || a->forward_mask != b->forward_mask)
		return "forward_signals";
	if (!str_eq(a->runtime_directory, b->runtime_directory))
		return "runtime_directory";
	return NULL;
}

/* The first key that needs a restart, b's settings that a running
 * service can take as they are left out: they matter only at its next
 * stop (grace_period, drain_timeout, success_exit), its next restart
 * (restart_delay, restart_delay_max, restart_reset), its next start
 * (after, requires, start_timeout) or the next ctl reload. NULL: none. */
static const char *
needs_restart(const struct svc_config *a, const struct svc_config *b)
{
	struct svc_config t = *b;	/* shallow: compared, never freed */

	t.grace_ms = a->grace_ms;
	t.success_exit = a->success_exit;
	t.restart_delay_ms = a->restart_delay_ms;
	t.restart_delay_max_ms = a->restart_delay_max_ms;
	t.restart_reset_ms = a->restart_reset_ms;
	t.after = a->after;
	t.requires = a->requires;
	t.start_timeout_ms = a->start_timeout_ms;
	t.reload_signal = a->reload_signal;
	if (hooks_cmd_eq(a->drain, a->ndrain, b->drain, b->ndrain)) {
		t.drain = a->drain;
		t.ndrain = a->ndrain;
	}
	return svc_config_differs(a, &t);
}

static const struct svc_config *
find(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nsvcs; i++)
		if (strcmp(c->svcs[i].name, name) == 0)
			return &c->svcs[i];
	return NULL;
}

int
reload_diff(const struct config *old, const struct config *new, struct reload_diff *d)
{
	memset(d, 0, sizeof(*d));
	d->v = calloc(old->nsvcs + new->nsvcs + 1, sizeof(*d->v));
	if (!d->v)
		return -ENOMEM;
	for (size_t i = 0; i < new->nsvcs; i++) {
		struct diff_entry *e = &d->v[d->n++];

		e->new = &new->svcs[i];
		e->name = e->new->name;
		e->old = find(old, e->name);
		if (!e->old) {
			e->kind = DIFF_ADDED;
			d->added++;
		} else if ((e->key = svc_config_differs(e->old, e->new)) &&
			   needs_restart(e->old, e->new)) {
			e->key = needs_restart(e->old, e->new);
			e->kind = DIFF_CHANGED;
			d->changed++;
		} else if (e->key) {
			e->kind = DIFF_KEPT;	/* taken by the running service */
			d->kept++;
			d->updated++;
		} else {
			e->kind = DIFF_KEPT;
			d->kept++;
		}
	}
	for (size_t i = 0; i < old->nsvcs; i++)
		if (!find(new, old->svcs[i].name)) {
			struct diff_entry *e = &d->v[d->n++];

			e->old = &old->svcs[i];
			e->name = e->old->name;
			e->kind = DIFF_REMOVED;
			d->removed++;
		}
	d->global_hooks_changed = !hooks_eq(old->drain, old->ndrain, new->drain, new->ndrain);
	d->services_same = d->kept == new->nsvcs && d->updated == 0 && old->nsvcs == new->nsvcs;
	for (size_t i = 0; d->services_same && i < new->nsvcs; i++)
		d->services_same = strcmp(old->svcs[i].name, new->svcs[i].name) == 0;
	/* read once, when drainit starts */
	if (!str_eq(old->probe_listen, new->probe_listen))
		d->fixed[d->nfixed++] = "probe_listen";
	if (!str_eq(old->control_socket, new->control_socket))
		d->fixed[d->nfixed++] = "control_socket";
	if (old->log_format != new->log_format)
		d->fixed[d->nfixed++] = "log_format";
	if (old->log_level != new->log_level)
		d->fixed[d->nfixed++] = "log_level";
	return 0;
}

void
reload_diff_free(struct reload_diff *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}
