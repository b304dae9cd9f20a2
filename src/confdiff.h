/* confdiff.h: pure layer. What a configuration reload changes: the
 * services added, removed, changed (and by which key first) and kept, and
 * the global settings that only apply when drainit starts. */
#ifndef DRAINIT_CONFDIFF_H
#define DRAINIT_CONFDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum diff_kind { DIFF_KEPT, DIFF_CHANGED, DIFF_ADDED, DIFF_REMOVED };

struct diff_entry {
	const char *name;
	enum diff_kind kind;
	const struct svc_config *old;	/* NULL when added */
	const struct svc_config *new;	/* NULL when removed */
	const char *key;	/* changed: the first key that differs; kept: the first
				 * one taken without a restart, or NULL */
};

struct reload_diff {
	struct diff_entry *v;	/* new services in file order, then the removed ones */
	size_t n;
	size_t added, removed, changed, kept;
	size_t updated;		/* of the kept: with settings taken without a restart */
	const char *fixed[8];	/* globals that differ but cannot change at run time */
	size_t nfixed;
	bool services_same;	/* every service kept, in the same order */
	bool global_hooks_changed;	/* [drainit]'s drain hooks differ */
};

/* The diff from old to new. 0 or -ENOMEM. */
int reload_diff(const struct config *old, const struct config *new, struct reload_diff *d);
void reload_diff_free(struct reload_diff *d);

/* NULL when a and b would run the same way; else the first key (as the
 * file spells it) whose setting differs. Line numbers do not count, nor
 * the output a service count resolves when neither sets stdout/stderr. */
const char *svc_config_differs(const struct svc_config *a, const struct svc_config *b);

#endif
