/* pwdb.c: pure layer. User and group lookups for the user and group keys,
 * through NSS or, with DRAINIT_NSS_FREE, by reading /etc/passwd and
 * /etc/group in the formats of passwd(5) and group(5).
 *
 * The file back end reads the files the way glibc's "files" NSS module
 * does for the cases drainit needs: blank lines and lines whose first
 * non-blank is '#' are skipped, and so is every line that does not have
 * the right number of ':'-separated fields, has a non-numeric or
 * out-of-range id, or starts with '+' or '-' (NIS compat entries, which
 * need NSS). The first matching entry wins. Lines of any length are read
 * whole. */
#include "pwdb.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DRAINIT_NSS_FREE
#include <grp.h>
#include <pwd.h>
#endif

static const char *passwd_path = PWDB_PASSWD;
static const char *group_path = PWDB_GROUP;
#ifdef DRAINIT_NSS_FREE
static const bool use_files = true;
#else
static bool use_files;
#endif

void
pwdb_use_files(const char *passwd, const char *group)
{
	passwd_path = passwd ? passwd : PWDB_PASSWD;
	group_path = group ? group : PWDB_GROUP;
#ifndef DRAINIT_NSS_FREE
	use_files = true;
#endif
}

bool
pwdb_reads_files(void)
{
	return use_files;
}

void
pwdb_user_free(struct pwdb_user *u)
{
	free(u->name);
	free(u->home);
	u->name = u->home = NULL;
}

static int
user_fill(struct pwdb_user *u, uid_t uid, gid_t gid, const char *name, const char *home)
{
	u->uid = uid;
	u->gid = gid;
	u->name = strdup(name);
	u->home = strdup(home);
	if (!u->name || !u->home) {
		pwdb_user_free(u);
		return -ENOMEM;
	}
	return 0;
}

/* A uid or gid field: decimal digits only, at most 4294967294 ((uid_t)-1
 * means "no change" to setuid(2) and is no one's id). */
static bool
parse_field_id(const char *s, uint32_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX - 1)
			return false;
	}
	*ret = (uint32_t)v;
	return true;
}

/* Splits line in place at ':' into exactly n fields: false when it has
 * another count (the line is malformed). */
static bool
split_fields(char *line, char **f, size_t n)
{
	size_t i = 0;
	char *p = line;

	for (;;) {
		char *c = strchr(p, ':');

		if (i == n)
			return false;
		f[i++] = p;
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	return i == n;
}

/* One parsed line of either file: fields, and the id of field 2. */
struct pw_line {
	char *f[7];
	uint32_t id;		/* uid (passwd) or gid (group) */
	uint32_t gid;		/* passwd only: the primary gid */
};

/* Returns > 0 to stop the scan (found), 0 to go on, < 0 on error. */
typedef int (*line_fn)(struct pw_line *l, void *ctx);

/* Calls fn for every well-formed line of path, which has nfields fields
 * (7: passwd, 4: group). 0 when fn never stopped the scan (a missing file
 * is an empty database), > 0 when it did, or -errno. */
static int
scan_file(const char *path, size_t nfields, line_fn fn, void *ctx)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = 0;

	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
		struct pw_line l;
		char *p = line;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len != strlen(line))
			continue;	/* a NUL byte inside: malformed */
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#' || *p == '+' || *p == '-')
			continue;
		if (!split_fields(line, l.f, nfields) || !*l.f[0] ||
		    !parse_field_id(l.f[2], &l.id))
			continue;
		if (nfields == 7 && !parse_field_id(l.f[3], &l.gid))
			continue;
		r = fn(&l, ctx);
	}
	if (r == 0 && ferror(f))
		r = -EIO;
	free(line);
	fclose(f);
	return r;
}

struct query {
	const char *name;	/* match by name, or else ... */
	uint32_t id;		/* ... by id */
	struct pwdb_user *u;
	gid_t gid;
	char **gname;
	int err;
};

static int
match_user(struct pw_line *l, void *ctx)
{
	struct query *q = ctx;

	if (q->name ? strcmp(l->f[0], q->name) != 0 : l->id != q->id)
		return 0;
	q->err = user_fill(q->u, l->id, l->gid, l->f[0], l->f[5]);
	return 1;
}

static int
match_group(struct pw_line *l, void *ctx)
{
	struct query *q = ctx;

	if (q->name ? strcmp(l->f[0], q->name) != 0 : l->id != q->id)
		return 0;
	q->gid = l->id;
	if (q->gname && !(*q->gname = strdup(l->f[0])))
		q->err = -ENOMEM;
	return 1;
}

static int
files_user(struct query *q)
{
	int r = scan_file(passwd_path, 7, match_user, q);

	return r < 0 ? r : r == 0 ? -ENOENT : q->err;
}

static int
files_group(struct query *q)
{
	int r = scan_file(group_path, 4, match_group, q);

	return r < 0 ? r : r == 0 ? -ENOENT : q->err;
}

struct glist {
	const char *user;
	gid_t *g;
	size_t n, cap;
};

static int
glist_add(struct glist *gl, gid_t gid)
{
	for (size_t i = 0; i < gl->n; i++)
		if (gl->g[i] == gid)
			return 0;
	if (gl->n == gl->cap) {
		size_t cap = gl->cap ? gl->cap * 2 : 16;
		gid_t *ng = realloc(gl->g, cap * sizeof(*ng));

		if (!ng)
			return -ENOMEM;
		gl->g = ng;
		gl->cap = cap;
	}
	gl->g[gl->n++] = gid;
	return 0;
}

static int
match_member(struct pw_line *l, void *ctx)
{
	struct glist *gl = ctx;
	size_t ulen = strlen(gl->user);

	for (const char *m = l->f[3]; *m;) {
		size_t len = strcspn(m, ",");

		if (len == ulen && memcmp(m, gl->user, len) == 0)
			return glist_add(gl, l->id);
		m += len;
		if (*m == ',')
			m++;
	}
	return 0;
}

static int
files_group_list(const char *user, gid_t gid, gid_t **ret, size_t *n)
{
	struct glist gl = { .user = user };
	int r = glist_add(&gl, gid);

	if (r == 0)
		r = scan_file(group_path, 4, match_member, &gl);
	if (r < 0) {
		free(gl.g);
		return r;
	}
	*ret = gl.g;
	*n = gl.n;
	return 0;
}

#ifndef DRAINIT_NSS_FREE
/* The reentrant NSS calls want a buffer for the strings of the entry and
 * say ERANGE when it is too small: one loop grows it for all of them. */
#define NSS_BUF_START 1024
#define NSS_BUF_MAX (4u << 20)

struct nss_call {
	const char *name;
	uint32_t id;
	struct passwd pw, *pwres;
	struct group gr, *grres;
};

typedef int (*nss_fn)(struct nss_call *c, char *buf, size_t len);

/* Calls fn with a growing buffer; *buf (to free) holds the entry's
 * strings. Returns fn's last result, or ENOMEM / EOVERFLOW (positive,
 * like the NSS calls). */
static int
nss_with_buffer(nss_fn fn, struct nss_call *c, char **buf)
{
	size_t len = NSS_BUF_START;
	int r;

	*buf = NULL;
	for (;;) {
		char *nb = realloc(*buf, len);

		if (!nb)
			return ENOMEM;
		*buf = nb;
		r = fn(c, *buf, len);
		if (r != ERANGE)
			return r;
		if (len >= NSS_BUF_MAX)
			return EOVERFLOW;
		len *= 2;
	}
}

/* NSS's ways of saying "no such entry" (getpwnam_r(3)). */
static int
nss_result(int r, bool found)
{
	if (found)
		return 0;
	return r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM ? -ENOENT : -r;
}

static int
call_getpwnam(struct nss_call *c, char *buf, size_t len)
{
	return getpwnam_r(c->name, &c->pw, buf, len, &c->pwres);
}

static int
call_getpwuid(struct nss_call *c, char *buf, size_t len)
{
	return getpwuid_r(c->id, &c->pw, buf, len, &c->pwres);
}

static int
call_getgrnam(struct nss_call *c, char *buf, size_t len)
{
	return getgrnam_r(c->name, &c->gr, buf, len, &c->grres);
}

static int
call_getgrgid(struct nss_call *c, char *buf, size_t len)
{
	return getgrgid_r(c->id, &c->gr, buf, len, &c->grres);
}

static int
nss_user(nss_fn fn, struct nss_call *c, struct pwdb_user *u)
{
	char *buf;
	int r = nss_with_buffer(fn, c, &buf);

	c->pwres = r == 0 ? c->pwres : NULL;
	r = nss_result(r, c->pwres != NULL);
	if (r == 0)
		r = user_fill(u, c->pwres->pw_uid, c->pwres->pw_gid, c->pwres->pw_name,
			      c->pwres->pw_dir);
	free(buf);
	return r;
}

static int
nss_group(nss_fn fn, struct nss_call *c, gid_t *gid, char **name)
{
	char *buf;
	int r = nss_with_buffer(fn, c, &buf);

	c->grres = r == 0 ? c->grres : NULL;
	r = nss_result(r, c->grres != NULL);
	if (r == 0) {
		if (gid)
			*gid = c->grres->gr_gid;
		if (name && !(*name = strdup(c->grres->gr_name)))
			r = -ENOMEM;
	}
	free(buf);
	return r;
}

static int
nss_group_list(const char *user, gid_t gid, gid_t **ret, size_t *n)
{
	int cnt = 16;
	gid_t *g = NULL;

	for (;;) {
		int want = cnt;
		gid_t *ng = realloc(g, (size_t)cnt * sizeof(*g));

		if (!ng) {
			free(g);
			return -ENOMEM;
		}
		g = ng;
		if (getgrouplist(user, gid, g, &want) >= 0) {
			cnt = want;
			break;
		}
		if (want <= cnt || want > 65536) {
			free(g);
			return -EINVAL;
		}
		cnt = want;
	}
	*ret = g;
	*n = (size_t)cnt;
	return 0;
}
#endif

int
pwdb_user_by_name(const char *name, struct pwdb_user *u)
{
	struct query q = { .name = name, .u = u };

	u->name = u->home = NULL;
#ifndef DRAINIT_NSS_FREE
	if (!use_files)
		return nss_user(call_getpwnam, &(struct nss_call){ .name = name }, u);
#endif
	return files_user(&q);
}

int
pwdb_user_by_uid(uid_t uid, struct pwdb_user *u)
{
	struct query q = { .id = uid, .u = u };

	u->name = u->home = NULL;
#ifndef DRAINIT_NSS_FREE
	if (!use_files)
		return nss_user(call_getpwuid, &(struct nss_call){ .id = uid }, u);
#endif
	return files_user(&q);
}

int
pwdb_group_by_name(const char *name, gid_t *gid)
{
	struct query q = { .name = name };
	int r;

#ifndef DRAINIT_NSS_FREE
	if (!use_files)
		return nss_group(call_getgrnam, &(struct nss_call){ .name = name }, gid, NULL);
#endif
	r = files_group(&q);
	if (r == 0)
		*gid = q.gid;
	return r;
}

int
pwdb_group_by_gid(gid_t gid, char **name)
{
	struct query q = { .id = gid, .gname = name };

	if (name)
		*name = NULL;
#ifndef DRAINIT_NSS_FREE
	if (!use_files)
		return nss_group(call_getgrgid, &(struct nss_call){ .id = gid }, NULL, name);
#endif
	return files_group(&q);
}

int
pwdb_group_list(const char *user, gid_t gid, gid_t **ret, size_t *n)
{
#ifndef DRAINIT_NSS_FREE
	if (!use_files)
		return nss_group_list(user, gid, ret, n);
#endif
	return files_group_list(user, gid, ret, n);
}
