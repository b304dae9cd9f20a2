/* bench-orphans: the orphan storm, run as a service of a supervisor that is
 * PID 1 of a fresh PID namespace.
 *
 *   BENCH_ORPHANS     how many orphans (default 10000)
 *   BENCH_OUT         result file, written atomically when done
 *   BENCH_TIMEOUT_MS  stop watching after this long (default 30000)
 *   BENCH_SAMPLE_US   pause between two samples (default 500; at least twice
 *                     the time the last sample took, so that sampling takes
 *                     at most a third of one CPU)
 *
 * An intermediate process forks the orphans, which block reading a pipe,
 * records their pids in shared memory and exits: the kernel reparents them
 * all to PID 1. Then the write end is closed and every orphan reads EOF
 * and exits at once. From then on this program samples
 *   exited  orphans that have reached _exit (a shared counter), and
 *   reaped  orphans whose pid is gone: kill(pid, 0) fails with ESRCH once
 *           PID 1 has reaped the zombie (pids are not reused this soon:
 *           the namespace allocates them upwards from 2),
 * so zombies = exited - reaped. Each sample re-checks only the pids not
 * yet seen reaped, so it costs less as the storm drains. The sampler runs
 * SCHED_FIFO (when allowed) so that 10 000 runnable orphans cannot starve
 * it: its timestamps then track the reaper, not the run queue. It reports the
 * time from the release to the first sample with every orphan reaped, the
 * time from the first sample that saw every orphan exited to that one
 * (the reaper's lag behind the storm), and the peak zombie count as one JSON object, then idles until it is killed
 * (a supervisor with a restart policy must not start a second storm).
 * It also reports the CPU time PID 1 (the supervisor; for s6, s6-svscan)
 * spent from the release to that last sample: field 1 of /proc/1/schedstat
 * (ns, user + system), read just before the release and just after the
 * last sample ("pid1_cpu_ms"; -1 when schedstat cannot be read). */
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "common.h"

struct shared {
	atomic_long exited;
	pid_t pids[];
};

static void __attribute__((noreturn))
orphan(int rfd, struct shared *sh)
{
	char c;

	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
	atomic_fetch_add(&sh->exited, 1);
	_exit(0);
}

/* The start of a /proc file into buf, NUL-terminated; -1 if unreadable. */
static int
read_proc(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* CPU time (ns) of PID 1 from /proc/1/schedstat (this namespace's /proc,
 * mounted by unshare --mount-proc), or -1. */
static int64_t
pid1_cpu_ns(void)
{
	char buf[128];
	long long v;

	if (read_proc("/proc/1/schedstat", buf, sizeof(buf)) < 0)
		return -1;
	return sscanf(buf, "%lld", &v) == 1 ? (int64_t)v : -1;
}

/* Parent pid of pid from /proc/PID/stat, or -1. */
static long
ppid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	long ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_proc(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (p && sscanf(p + 1, " %*c %ld", &ppid) != 1)
		ppid = -1;
	return ppid;
}

int
main(void)
{
	long n = env_ll("BENCH_ORPHANS", 10000);
	int64_t timeout = env_ll("BENCH_TIMEOUT_MS", 30000) * 1000000LL;
	int64_t sample = env_ll("BENCH_SAMPLE_US", 500) * 1000LL;
	const char *out = getenv("BENCH_OUT");
	struct shared *sh;
	size_t shsize;
	int rel[2], sync[2];
	long made = 0, pending, peak = 0, samples = 0, parent;
	int64_t t_release, t_done = 0, t_exited = 0, t_forked0, t_forked;
	int64_t cpu0, cpu1 = -1;
	pid_t mid;
	char rec[512];
	int len;

	if (!out || n < 1) {
		fprintf(stderr, "bench-orphans: BENCH_OUT is not set or BENCH_ORPHANS < 1\n");
		return 2;
	}
	if (getpid() == 1) {
		fprintf(stderr, "bench-orphans: must run under a supervisor that is PID 1\n");
		return 2;
	}
	shsize = sizeof(*sh) + (size_t)n * sizeof(pid_t);
	sh = mmap(NULL, shsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || pipe(rel) < 0 || pipe(sync) < 0) {
		perror("bench-orphans");
		return 1;
	}
	atomic_store(&sh->exited, 0);

	t_forked0 = now_ns();
	mid = fork();
	if (mid < 0) {
		perror("bench-orphans: fork");
		return 1;
	}
	if (mid == 0) {
		close(rel[1]);
		close(sync[0]);
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0)
				orphan(rel[0], sh);
			if (p < 0)
				break;
			sh->pids[made++] = p;
		}
		(void)!write(sync[1], &made, sizeof(made));
		_exit(0);
	}
	close(rel[0]);
	close(sync[1]);
	if (read(sync[0], &made, sizeof(made)) != (ssize_t)sizeof(made))
		made = 0;
	waitpid(mid, NULL, 0);	/* now every orphan belongs to PID 1 */
	t_forked = now_ns();
	parent = made ? ppid_of(sh->pids[0]) : -1;

	{
		struct sched_param sp = { .sched_priority = 1 };
		(void)sched_setscheduler(0, SCHED_FIFO, &sp);
	}
	pending = made;
	cpu0 = pid1_cpu_ns();
	t_release = now_ns();
	close(rel[1]);
	for (;;) {
		long e = atomic_load(&sh->exited), z;
		int64_t t, t_scan = now_ns();

		/* Compact the pids still there to the front of the array. */
		for (long i = 0; i < pending;) {
			if (kill(sh->pids[i], 0) < 0 && errno == ESRCH)
				sh->pids[i] = sh->pids[--pending];
			else
				i++;
		}
		t = now_ns();
		samples++;
		if (!t_exited && e == made)
			t_exited = t_scan;
		z = e - (made - pending);
		if (z > peak)
			peak = z;
		if (pending == 0) {
			t_done = t;
			cpu1 = pid1_cpu_ns();
			break;
		}
		if (t - t_release > timeout)
			break;
		sleep_ns(sample > 2 * (t - t_scan) ? sample : 2 * (t - t_scan));
	}

	len = snprintf(rec, sizeof(rec),
		       "{\"orphans\": %ld, \"parent\": %ld, \"fork_ms\": %.3f, \"reap_all_ms\": %.3f, "
		       "\"after_last_exit_ms\": %.3f, \"all_reaped\": %s, \"left\": %ld, "
		       "\"peak_zombies\": %ld, \"samples\": %ld, \"pid1_cpu_ms\": %.3f}\n",
		       made, parent, (double)(t_forked - t_forked0) / 1e6,
		       t_done ? (double)(t_done - t_release) / 1e6 : -1.0,
		       t_done && t_exited ? (double)(t_done - t_exited) / 1e6 : -1.0,
		       t_done ? "true" : "false", pending, peak, samples,
		       cpu0 >= 0 && cpu1 >= 0 ? (double)(cpu1 - cpu0) / 1e6 : -1.0);
	if (write_file_atomic(out, rec, (size_t)len) < 0)
		fprintf(stderr, "bench-orphans: %s: %s\n", out, strerror(errno));
	for (;;)
		pause();
}
