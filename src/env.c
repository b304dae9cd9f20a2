/* env.c: pure layer. Environment arrays for children. */
#include "env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int
grow(struct envbuf *e)
{
	char **nv;
	size_t cap = e->cap ? e->cap * 2 : 16;

	if (e->n + 1 < e->cap)
		return 0;
	nv = realloc(e->v, cap * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	e->v = nv;
	e->cap = cap;
	return 0;
}

int
env_init(struct envbuf *e, char *const *src)
{
	memset(e, 0, sizeof(*e));
	if (grow(e) < 0)
		return -ENOMEM;
	e->v[0] = NULL;
	for (; src && *src; src++) {
		if (grow(e) < 0)
			return -ENOMEM;
		if (!(e->v[e->n] = strdup(*src)))
			return -ENOMEM;
		e->v[++e->n] = NULL;
	}
	return 0;
}

static ssize_t
find(const struct envbuf *e, const char *key, size_t klen)
{
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->v[i], key, klen) == 0 && e->v[i][klen] == '=')
			return (ssize_t)i;
	return -1;
}

int
env_put(struct envbuf *e, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *copy;
	ssize_t at;

	if (!eq || eq == kv)
		return -EINVAL;
	if (!(copy = strdup(kv)))
		return -ENOMEM;
	at = find(e, kv, (size_t)(eq - kv));
	if (at >= 0) {
		free(e->v[at]);
		e->v[at] = copy;
		return 0;
	}
	if (grow(e) < 0) {
		free(copy);
		return -ENOMEM;
	}
	e->v[e->n++] = copy;
	e->v[e->n] = NULL;
	return 0;
}

int
env_setf(struct envbuf *e, const char *fmt, ...)
{
	va_list ap;
	char *kv;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&kv, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = env_put(e, kv);
	free(kv);
	return r;
}

void
env_unset(struct envbuf *e, const char *key)
{
	ssize_t at = find(e, key, strlen(key));

	if (at < 0)
		return;
	free(e->v[at]);
	memmove(&e->v[at], &e->v[at + 1], (e->n - (size_t)at) * sizeof(*e->v));
	e->n--;
}

char **
env_take(struct envbuf *e)
{
	char **v = e->v;
	memset(e, 0, sizeof(*e));
	return v;
}

void
env_free(struct envbuf *e)
{
	argv_free(e->v);
	memset(e, 0, sizeof(*e));
}
