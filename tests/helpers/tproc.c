/* tproc: reports the process settings it was started with, or writes
 * output in patterns drainit's output tests check.
 *
 *   tproc ids                  "ids uid=U gid=G euid=U egid=G groups=G1,G2"
 *   tproc env VAR...           "env VAR=value" or "env VAR unset"; then "env count=N"
 *   tproc settings             limits (each one drainit sets), umask, nice, oom score, stdin
 *   tproc lines NAME N [FILE]  N numbered lines as fast as stdio goes (after FILE exists)
 *   tproc bigline N            one line of N bytes, then "after"
 *   tproc stdin                reads stdin to EOF, prints "stdin bytes=N"
 *
 * A helper may sleep; drainit may not. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
print_limit(const char *name, int res)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) < 0) {
		printf("limit %s error\n", name);
		return;
	}
	printf("limit %s ", name);
	if (rl.rlim_cur == RLIM_INFINITY)
		printf("infinity:");
	else
		printf("%llu:", (unsigned long long)rl.rlim_cur);
	if (rl.rlim_max == RLIM_INFINITY)
		printf("infinity\n");
	else
		printf("%llu\n", (unsigned long long)rl.rlim_max);
}

/* The line the Python side recomputes: "NAME SEQ HASH PAD". */
static int
format_line(char *buf, size_t len, const char *name, unsigned long seq)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
	unsigned hash = (unsigned)((seq * 2654435761UL) & 0xffffffffUL);
	int n = snprintf(buf, len, "%s %06lu %08x ", name, seq, hash);

	for (unsigned long i = 0; i < seq % 37; i++)
		buf[n++] = alpha[(seq + i) % (sizeof(alpha) - 1)];
	buf[n++] = '\n';
	return n;
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "ids")) {
		gid_t g[256];
		int n = getgroups(256, g);

		printf("ids uid=%d gid=%d euid=%d egid=%d groups=", (int)getuid(), (int)getgid(),
		       (int)geteuid(), (int)getegid());
		for (int i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)g[i]);
		printf("\n");
		return 0;
	}
	if (!strcmp(cmd, "env")) {
		extern char **environ;
		int count = 0;

		for (int i = 2; i < argc; i++) {
			const char *v = getenv(argv[i]);
			if (v)
				printf("env %s=%s\n", argv[i], v);
			else
				printf("env %s unset\n", argv[i]);
		}
		for (char **e = environ; *e; e++)
			count++;
		printf("env count=%d\n", count);
		return 0;
	}
	if (!strcmp(cmd, "settings")) {
		char buf[64] = "";
		mode_t m = umask(0);
		FILE *f;
		ssize_t n;

		print_limit("nofile", RLIMIT_NOFILE);
		print_limit("core", RLIMIT_CORE);
		print_limit("fsize", RLIMIT_FSIZE);
		print_limit("nproc", RLIMIT_NPROC);
		print_limit("memlock", RLIMIT_MEMLOCK);
		print_limit("stack", RLIMIT_STACK);
		print_limit("as", RLIMIT_AS);
		print_limit("data", RLIMIT_DATA);
		print_limit("cpu", RLIMIT_CPU);
		printf("umask %04o\n", (unsigned)m);
		errno = 0;
		printf("nice %d\n", getpriority(PRIO_PROCESS, 0));
		f = fopen("/proc/self/oom_score_adj", "r");
		if (f && fgets(buf, sizeof(buf), f))
			printf("oom_score_adj %s", buf);
		if (f)
			fclose(f);
		n = readlink("/proc/self/fd/0", buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		printf("stdin %s\n", buf);
		return 0;
	}
	if (!strcmp(cmd, "lines") && argc >= 4) {
		unsigned long n = strtoul(argv[3], NULL, 10);
		char line[128];
		struct stat st;

		if (argc >= 5) {
			struct timespec ts = { 0, 10 * 1000000L };
			while (stat(argv[4], &st) < 0)
				nanosleep(&ts, NULL);
		}
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
		for (unsigned long i = 1; i <= n; i++)
			fwrite(line, 1, (size_t)format_line(line, sizeof(line), argv[2], i), stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (!strcmp(cmd, "bigline") && argc >= 3) {
		size_t n = strtoul(argv[2], NULL, 10);
		char *b = malloc(n + 1);

		if (!b)
			return 1;
		for (size_t i = 0; i < n; i++)
			b[i] = (char)('a' + i % 26);
		b[n] = '\n';
		fwrite(b, 1, n + 1, stdout);
		printf("after\n");
		free(b);
		return 0;
	}
	if (!strcmp(cmd, "stdin")) {
		char buf[4096];
		long total = 0;
		ssize_t n;

		while ((n = read(0, buf, sizeof(buf))) > 0)
			total += n;
		printf("stdin bytes=%ld%s\n", total, n < 0 ? " error" : "");
		return 0;
	}
	fprintf(stderr, "tproc: unknown command '%s'\n", cmd);
	return 2;
}
