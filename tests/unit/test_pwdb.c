/* Unit tests: user and group lookups read from sample passwd and group
 * files (the back end of the static build), and the procattr functions
 * the configuration calls on top of them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procattr.h"
#include "pwdb.h"

static char dir[64];
static char passwd[128], group[128];

static void
put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void
files(const char *pw, const char *gr)
{
	if (pw)
		put(passwd, pw, strlen(pw));
	if (gr)
		put(group, gr, strlen(gr));
	pwdb_use_files(passwd, group);
}

static void
setup(void)
{
	strcpy(dir, "/tmp/drainit-pwdb-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
	snprintf(group, sizeof(group), "%s/group", dir);
}

static void
teardown(void)
{
	unlink(passwd);
	unlink(group);
	rmdir(dir);
}

TestSuite(pwdb, .init = setup, .fini = teardown);

static const char sample_passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
	"app:x:1000:1000:App User,,,:/home/app:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static const char sample_group[] =
	"root:x:0:\n"
	"www-data:x:33:app\n"
	"app:x:1000:\n"
	"audio:x:29:pulse,app\n"
	"staff:x:50:appx,xapp,ap\n"
	"nogroup:x:65534:\n";

Test(pwdb, user_by_name)
{
	struct pwdb_user u;

	files(sample_passwd, sample_group);
	cr_assert_eq(pwdb_user_by_name("app", &u), 0);
	cr_assert_eq(u.uid, 1000);
	cr_assert_eq(u.gid, 1000);
	cr_assert_str_eq(u.name, "app");
	cr_assert_str_eq(u.home, "/home/app");
	pwdb_user_free(&u);
	cr_assert_null(u.name);

	cr_assert_eq(pwdb_user_by_name("root", &u), 0);
	cr_assert_eq(u.uid, 0);
	cr_assert_str_eq(u.home, "/root");
	pwdb_user_free(&u);
	cr_assert(pwdb_reads_files());
}

Test(pwdb, user_by_uid)
{
	struct pwdb_user u;

	files(sample_passwd, sample_group);
	cr_assert_eq(pwdb_user_by_uid(33, &u), 0);
	cr_assert_str_eq(u.name, "www-data");
	cr_assert_eq(u.gid, 33);
	cr_assert_str_eq(u.home, "/var/www");
	pwdb_user_free(&u);
	cr_assert_eq(pwdb_user_by_uid(65534, &u), 0);
	cr_assert_str_eq(u.name, "nobody");
	pwdb_user_free(&u);
}

Test(pwdb, missing_entries)
{
	struct pwdb_user u;
	gid_t g = 7;
	char *name = (char *)"unchanged";

	files(sample_passwd, sample_group);
	cr_assert_eq(pwdb_user_by_name("ghost", &u), -ENOENT);
	cr_assert_eq(pwdb_user_by_name("ap", &u), -ENOENT, "a prefix is no match");
	cr_assert_eq(pwdb_user_by_name("", &u), -ENOENT);
	cr_assert_eq(pwdb_user_by_uid(4242, &u), -ENOENT);
	cr_assert_eq(pwdb_group_by_name("ghosts", &g), -ENOENT);
	cr_assert_eq(g, 7);
	cr_assert_eq(pwdb_group_by_gid(4242, &name), -ENOENT);
	cr_assert_null(name);
}

Test(pwdb, missing_files_are_empty_databases)
{
	struct pwdb_user u;
	gid_t g, *list;
	size_t n;

	pwdb_use_files("/nonexistent/passwd", "/nonexistent/group");
	cr_assert_eq(pwdb_user_by_name("root", &u), -ENOENT);
	cr_assert_eq(pwdb_user_by_uid(0, &u), -ENOENT);
	cr_assert_eq(pwdb_group_by_name("root", &g), -ENOENT);
	cr_assert_eq(pwdb_group_list("app", 1000, &list, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(list[0], 1000);
	free(list);
}

Test(pwdb, unreadable_file_is_an_error)
{
	struct pwdb_user u;

	/* a directory opens, but cannot be read */
	pwdb_use_files(dir, dir);
	int r = pwdb_user_by_name("root", &u);
	cr_assert(r < 0 && r != -ENOENT, "got %d", r);
}

Test(pwdb, malformed_lines_are_skipped)
{
	static const char pw[] =
		"\n"
		"# bob:x:1:1::/comment:/bin/sh\n"
		"   # indented comment\n"
		"+bob:x:2:2::/nis:/bin/sh\n"
		"-bob:x:3:3::/nis:/bin/sh\n"
		"bob:x:4:4::/short\n"			/* 6 fields */
		"bob:x:5:5::/long:/bin/sh:extra\n"	/* 8 fields */
		"bob:x:abc:6::/alpha:/bin/sh\n"
		"bob:x::7::/empty-uid:/bin/sh\n"
		"bob:x:8::/empty-gid::/bin/sh\n"
		"bob:x:-9:9::/negative:/bin/sh\n"
		"bob:x:4294967295:10::/max:/bin/sh\n"
		"bob:x:99999999999999999999:11::/huge:/bin/sh\n"
		"bob:x:12:1 2::/space:/bin/sh\n"
		":x:13:13::/no-name:/bin/sh\n"
		"bob:x:1001:1002:Bob:/home/bob:/bin/sh\n"
		"bob:x:1003:1003:Second:/home/second:/bin/sh\n";
	struct pwdb_user u;

	files(pw, "");
	cr_assert_eq(pwdb_user_by_name("bob", &u), 0);
	cr_assert_eq(u.uid, 1001, "got uid %u from a malformed line", (unsigned)u.uid);
	cr_assert_eq(u.gid, 1002);
	cr_assert_str_eq(u.home, "/home/bob", "the first good entry wins");
	pwdb_user_free(&u);
	for (uid_t id = 1; id <= 13; id++)
		cr_assert_eq(pwdb_user_by_uid(id, &u), -ENOENT, "uid %u came from a bad line",
			     (unsigned)id);
	cr_assert_eq(pwdb_user_by_uid(1003, &u), 0);
	cr_assert_str_eq(u.home, "/home/second");
	pwdb_user_free(&u);
}

Test(pwdb, nul_byte_in_line_is_skipped)
{
	static const char pw[] = "bob:x:5\0:5::/nul:/bin/sh\nbob:x:6:6::/ok:/bin/sh\n";
	struct pwdb_user u;

	put(passwd, pw, sizeof(pw) - 1);
	pwdb_use_files(passwd, group);
	cr_assert_eq(pwdb_user_by_name("bob", &u), 0);
	cr_assert_eq(u.uid, 6);
	pwdb_user_free(&u);
}

Test(pwdb, numeric_ids)
{
	static const char pw[] =
		"top:x:4294967294:4294967294::/top:/bin/sh\n"
		"zero:x:0010:007::/zeros:/bin/sh\n";
	static const char gr[] = "topg:x:4294967294:\nbadg:x:4294967295:\nzg:x:0042:\n";
	struct pwdb_user u;
	gid_t g;

	files(pw, gr);
	cr_assert_eq(pwdb_user_by_name("top", &u), 0);
	cr_assert_eq(u.uid, 4294967294u);
	cr_assert_eq(u.gid, 4294967294u);
	pwdb_user_free(&u);
	cr_assert_eq(pwdb_user_by_uid(10, &u), 0);
	cr_assert_str_eq(u.name, "zero");
	cr_assert_eq(u.gid, 7);
	pwdb_user_free(&u);
	cr_assert_eq(pwdb_group_by_name("topg", &g), 0);
	cr_assert_eq(g, 4294967294u);
	cr_assert_eq(pwdb_group_by_name("badg", &g), -ENOENT, "(gid_t)-1 is no one's gid");
	cr_assert_eq(pwdb_group_by_name("zg", &g), 0);
	cr_assert_eq(g, 42);
}

Test(pwdb, last_line_without_newline)
{
	struct pwdb_user u;
	gid_t g;

	files("a:x:1:1::/a:/bin/sh\nb:x:2:2::/b:/bin/sh", "ga:x:5:\ngb:x:6:b");
	cr_assert_eq(pwdb_user_by_name("b", &u), 0);
	cr_assert_str_eq(u.home, "/b");
	pwdb_user_free(&u);
	cr_assert_eq(pwdb_group_by_name("gb", &g), 0);
	cr_assert_eq(g, 6);
}

Test(pwdb, long_lines)
{
	size_t gecos = 200000, members = 20000;
	char *pw = malloc(gecos + 256), *gr = malloc(members * 12 + 256), *p;
	struct pwdb_user u;
	gid_t *list;
	size_t n;

	cr_assert(pw && gr);
	p = pw + sprintf(pw, "before:x:1:1::/b:/bin/sh\nlong:x:2000:2000:");
	memset(p, 'g', gecos);
	p += gecos;
	sprintf(p, ":/home/long:/bin/sh\nafter:x:3:3::/after:/bin/sh\n");

	p = gr + sprintf(gr, "big:x:500:");
	for (size_t i = 0; i < members; i++)
		p += sprintf(p, "m%zu,", i);
	sprintf(p, "long\nsmall:x:501:long\n");
	files(pw, gr);
	free(pw);
	free(gr);

	cr_assert_eq(pwdb_user_by_name("long", &u), 0);
	cr_assert_eq(u.uid, 2000);
	cr_assert_str_eq(u.home, "/home/long");
	pwdb_user_free(&u);
	cr_assert_eq(pwdb_user_by_name("after", &u), 0, "a long line hides nothing after it");
	pwdb_user_free(&u);

	cr_assert_eq(pwdb_group_list("long", 2000, &list, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(list[0], 2000);
	cr_assert_eq(list[1], 500);
	cr_assert_eq(list[2], 501);
	free(list);
	cr_assert_eq(pwdb_group_list("m19999", 9, &list, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(list[1], 500);
	free(list);
}

Test(pwdb, group_by_name_and_gid)
{
	gid_t g;
	char *name;

	files(sample_passwd, sample_group);
	cr_assert_eq(pwdb_group_by_name("audio", &g), 0);
	cr_assert_eq(g, 29);
	cr_assert_eq(pwdb_group_by_gid(65534, &name), 0);
	cr_assert_str_eq(name, "nogroup");
	free(name);
	cr_assert_eq(pwdb_group_by_gid(0, NULL), 0);
}

Test(pwdb, group_list)
{
	gid_t *list;
	size_t n;

	files(sample_passwd, sample_group);
	cr_assert_eq(pwdb_group_list("app", 1000, &list, &n), 0);
	/* primary group first, then www-data and audio; never staff, whose
	 * members only look like "app" */
	cr_assert_eq(n, 3);
	cr_assert_eq(list[0], 1000);
	cr_assert_eq(list[1], 33);
	cr_assert_eq(list[2], 29);
	free(list);

	cr_assert_eq(pwdb_group_list("app", 33, &list, &n), 0);
	cr_assert_eq(n, 2, "the primary group is listed once");
	cr_assert_eq(list[0], 33);
	cr_assert_eq(list[1], 29);
	free(list);

	cr_assert_eq(pwdb_group_list("nobody", 65534, &list, &n), 0);
	cr_assert_eq(n, 1);
	free(list);
}

Test(pwdb, group_members_edge_cases)
{
	static const char gr[] =
		"g1:x:1:,,app,\n"
		"g2:x:2:app,app\n"
		"g3:x:3\n"		/* 3 fields: malformed */
		"g4:x:4:x:app\n"	/* 5 fields: malformed */
		"g5:x:five:app\n"
		"g6:x:6: app\n";	/* " app" is not "app" */
	gid_t *list;
	size_t n;

	files(sample_passwd, gr);
	cr_assert_eq(pwdb_group_list("app", 1000, &list, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(list[1], 1);
	cr_assert_eq(list[2], 2);
	free(list);
}

/* procattr's lookups, which the user and group keys call, on these files. */
Test(pwdb, procattr_on_files)
{
	uid_t uid = 1;
	gid_t gid = 1, *list;
	size_t n;
	char *name, *home;

	files(sample_passwd, sample_group);
	cr_assert_eq(procattr_lookup_user("app", &uid, &gid, &name, &home), 0);
	cr_assert_eq(uid, 1000);
	cr_assert_eq(gid, 1000);
	cr_assert_str_eq(name, "app");
	cr_assert_str_eq(home, "/home/app");
	free(name);
	free(home);

	cr_assert_eq(procattr_lookup_user("33", &uid, &gid, &name, &home), 0);
	cr_assert_str_eq(name, "www-data");
	free(name);
	free(home);

	/* a number without an entry is still a uid, with no name */
	gid = 77;
	cr_assert_eq(procattr_lookup_user("4321", &uid, &gid, &name, &home), 0);
	cr_assert_eq(uid, 4321);
	cr_assert_null(name);
	cr_assert_null(home);
	cr_assert_eq(gid, 77);

	cr_assert_eq(procattr_lookup_user("ghost", &uid, &gid, &name, &home), -ENOENT);
	cr_assert_eq(procattr_lookup_user("4294967295", &uid, &gid, &name, &home), -ERANGE);
	cr_assert_eq(procattr_lookup_group("www-data", &gid), 0);
	cr_assert_eq(gid, 33);
	cr_assert_eq(procattr_lookup_group("ghosts", &gid), -ENOENT);
	cr_assert_eq(procattr_lookup_group("4000", &gid), 0);
	cr_assert_eq(gid, 4000);
	cr_assert_eq(procattr_group_list("app", 1000, &list, &n), 0);
	cr_assert_eq(n, 3);
	free(list);
}

/* The compiled-in back end (NSS, or /etc/passwd in the static build)
 * finds root, and the same numbers as the files give. */
Test(pwdb, default_database)
{
	struct pwdb_user u;
	gid_t g;

	cr_assert_eq(pwdb_user_by_name("root", &u), 0);
	cr_assert_eq(u.uid, 0);
	cr_assert_str_eq(u.name, "root");
	pwdb_user_free(&u);
	cr_assert_eq(pwdb_user_by_uid(0, &u), 0);
	cr_assert_str_eq(u.name, "root");
	pwdb_user_free(&u);
	cr_assert_eq(pwdb_group_by_name("root", &g), 0);
	cr_assert_eq(g, 0);
	cr_assert_eq(pwdb_user_by_name("drainit-no-such-user", &u), -ENOENT);
}
