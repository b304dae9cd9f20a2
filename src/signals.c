/* signals.c: mechanism layer. drainit's signal intake.
 *
 * Every catchable signal is blocked and read from one signalfd: 1-31
 * without SIGKILL and SIGSTOP, and the real-time signals
 * SIGRTMIN..SIGRTMAX. SIGCHLD makes the reaper reap (reaper.c), and is
 * never forwarded. Each other one another process sent (kill, sigqueue,
 * a terminal, the parent's death) is posted as EVT_SIGNAL: the shutdown machine takes SIGTERM and SIGINT, the
 * lifecycle machine forwards the others. As PID 1 a signal with no
 * handler is dropped by the kernel; a blocked one read from a signalfd is
 * not, so every signal reaches drainit this way.
 *
 * The siginfo says who sent a signal, which ev_signal cannot tell:
 *   - a fault the kernel raises synchronously in drainit (SIGSEGV on a bad
 *     address, SIGFPE, ...) never gets here: the kernel unblocks it and
 *     the default action kills drainit, as it should;
 *   - the same signals raised by the kernel asynchronously for drainit
 *     itself (SIGXCPU past RLIMIT_CPU, SIGXFSZ, a memory-error SIGBUS)
 *     take their default action too: drainit resets the signal and
 *     raises it again. As PID 1 the kernel ignores those, and so does
 *     drainit (it logs it);
 *   - SIGPIPE from drainit's own write to a closed pipe is dropped (the
 *     write fails with EPIPE, which its caller handles);
 *   - sent by kill() or sigqueue() from another process (si_code <= 0),
 *     every one of them is forwarded like any other signal.
 * Children get an empty mask and default dispositions back (spawn.c). */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "reaper.h"

static void
signals_fill(sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaddset(set, sig);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(set, sig);
}

bool
signal_is_fault(int sig)
{
	switch (sig) {
	case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGSYS: case SIGXCPU: case SIGXFSZ: case SIGSTKFLT:
		return true;
	default:
		return false;
	}
}

/* drainit's pid, taken once: each signal is checked against it, and
 * getpid() is a system call. */
static pid_t self_pid;

/* The kernel's own signal for drainit, or one drainit raised itself (the
 * kernel sends SIGPIPE and SIGXFSZ as if from the process that wrote). */
static bool
from_kernel_or_self(const struct signalfd_siginfo *si)
{
	return si->ssi_code > 0 || (pid_t)si->ssi_pid == self_pid;
}

/* A fault meant for drainit itself: what the kernel would have done
 * without the signalfd. */
static void
own_fault(struct supervisor *sup, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	sigset_t one;

	if (sup->is_pid1) {
		log_warn("%s raised by the kernel for drainit itself (code %d): ignored, as the kernel ignores it for PID 1",
			 signal_name(sig), si->ssi_code);
		return;
	}
	log_error("%s raised by the kernel for drainit itself (code %d): taking its default action",
		  signal_name(sig), si->ssi_code);
	signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
}

/* What one signalfd record asks for. */
static void
signal_record(struct supervisor *sup, const struct signalfd_siginfo *si)
{
	if (si->ssi_signo == SIGCHLD) {
		reaper_reap_all(sup);
		return;
	}
	if (from_kernel_or_self(si)) {
		if (si->ssi_signo == SIGPIPE)
			return;
		if (signal_is_fault((int)si->ssi_signo)) {
			own_fault(sup, si);
			return;
		}
	}
	sup_post(sup, &(struct event){ .kind = EVT_SIGNAL, .sig = (int)si->ssi_signo,
				       .pid = (pid_t)si->ssi_pid });
}

/* Everything pending, in as few reads as it takes (one, mostly). */
static void
signalfd_cb(EV_P_ ev_io *w, int revents)
{
	struct supervisor *sup = ev_userdata(EV_A);
	struct signalfd_siginfo si[16];
	ssize_t n;

	(void)revents;
	for (;;) {
		n = read(w->fd, si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(si[0]))
			return;	/* EAGAIN: all read */
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++)
			signal_record(sup, &si[i]);
		if ((size_t)n < sizeof(si))
			return;	/* a short read: nothing more was pending */
	}
}

/* What drainit inherited as ignored goes back to the default action.
 * Blocked, every signal still reaches the signalfd, but an ignored
 * SIGCHLD makes the kernel reap drainit's children itself: their exit
 * statuses would be lost and drainit would wait for exits it never
 * sees. And the services inherit drainit's dispositions: they start with
 * none ignored. A default action never runs for drainit (every signal is
 * blocked and read from the signalfd). */
static void
signals_reset_ignored(void)
{
	struct sigaction cur, dfl = { .sa_handler = SIG_DFL };
	char names[256] = "";
	size_t off = 0;

	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		/* SIGKILL, SIGSTOP and glibc's own two cannot be changed: refused */
		if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &cur) < 0 ||
		    cur.sa_handler != SIG_IGN || sigaction(sig, &dfl, NULL) < 0)
			continue;
		if (off < sizeof(names))
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
						off ? ", " : "", signal_name(sig));
	}
	if (names[0])
		log_debug("inherited as ignored, set back to the default action: %s", names);
}

void
signals_block(void)
{
	sigset_t set;

	signals_fill(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int
signals_setup(struct supervisor *sup, ev_io *w)
{
	sigset_t set;
	int fd;

	self_pid = getpid();
	signals_fill(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signals_reset_ignored();
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	ev_io_init(w, signalfd_cb, fd, EV_READ);
	ev_io_start(sup->loop, w);
	return 0;
}

void
signals_free(struct supervisor *sup, ev_io *w)
{
	if (w->fd < 0)
		return;
	ev_io_stop(sup->loop, w);
	close(w->fd);
	w->fd = -1;
}

void
signals_pdeath(struct supervisor *sup, int sig, pid_t parent)
{
	if (sig == 0)
		return;
	if (sup->is_pid1) {
		log_info("--pdeath-signal %s: ignored as PID 1 (its parent is outside the container)",
			 signal_name(sig));
		return;
	}
	if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) {
		log_warn("--pdeath-signal %s: prctl: %s", signal_name(sig), strerror(errno));
		return;
	}
	log_debug("will get %s when parent pid %d dies", signal_name(sig), (int)parent);
	/* The parent may have died before the prctl: then no signal comes. */
	if (getppid() != parent) {
		log_info("parent pid %d is gone already: acting on %s (--pdeath-signal)", (int)parent,
			 signal_name(sig));
		sup_post(sup, &(struct event){ .kind = EVT_SIGNAL, .sig = sig, .pid = parent });
	}
}
