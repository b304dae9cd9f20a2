/* env.h: pure layer. Building a child's environment (KEY=VALUE arrays) in the parent,
 * before fork, since setenv() is not async-signal-safe in the child. */
#ifndef DRAINIT_ENV_H
#define DRAINIT_ENV_H

#include <stddef.h>

struct envbuf {
	char **v;	/* NULL-terminated once non-empty */
	size_t n, cap;
};

/* Copies src (NULL: start empty). 0 or -ENOMEM. */
int env_init(struct envbuf *e, char *const *src);
/* Sets "KEY=VALUE", replacing an existing KEY. 0, -EINVAL (no '='), -ENOMEM. */
int env_put(struct envbuf *e, const char *kv);
int env_setf(struct envbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Removes KEY if present. */
void env_unset(struct envbuf *e, const char *key);
/* Hands the array over (free with argv_free) and resets e. */
char **env_take(struct envbuf *e);
void env_free(struct envbuf *e);

#endif
