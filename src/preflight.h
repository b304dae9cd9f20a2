/* preflight.h: pure layer. What --check verifies beyond the syntax: that
 * every command (services, drain hooks, exec: checks) can be found and
 * executed, looked up in the PATH the process will have. */
#ifndef DRAINIT_PREFLIGHT_H
#define DRAINIT_PREFLIGHT_H

#include <stddef.h>

#include "config.h"

/* Where argv0 resolves with path: 0 with the file in buf; -ENOENT (not
 * found), -EACCES (found, not executable), -EISDIR. */
int preflight_resolve(const char *argv0, const char *path, char *buf, size_t len);

/* Adds "FILE:LINE: [section] key: CMD: command not found (PATH=...)" and
 * the like to errs for every command that cannot run. Returns how many
 * errors it added. */
size_t preflight_commands(const struct config *c, struct config_errors *errs);

#endif
