/* signals.c: one ev_signal watcher per signal drainit acts on. As PID 1 a
 * signal with no handler is dropped by the kernel, so every signal drainit
 * means to forward must have a watcher here.
 * SIGTERM and SIGINT drive the shutdown; the others are forwarded to each
 * live service's process group. SIGPIPE is ignored (a closed stderr must
 * not kill the supervisor); children get SIG_DFL back in spawn.c. */
#include "signals.h"

#include <signal.h>

#include "log.h"
#include "output.h"
#include "service.h"
#include "shutdown.h"

const int forwarded_signals[] = {
	SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGVTALRM,
	SIGPROF, SIGIO, SIGPWR, SIGTTIN, SIGTTOU,
};
const size_t n_forwarded_signals = sizeof(forwarded_signals) / sizeof(forwarded_signals[0]);

static void
shutdown_signal_cb(EV_P_ ev_signal *w, int revents)
{
	(void)revents;
	shutdown_on_signal(ev_userdata(EV_A), w->signum);
}

static void
forward_signal_cb(EV_P_ ev_signal *w, int revents)
{
	(void)revents;
	if (w->signum == SIGHUP)
		output_reopen(ev_userdata(EV_A));	/* file:PATH outputs, for logrotate */
	service_forward_all(ev_userdata(EV_A), w->signum);
}

size_t
signals_count(void)
{
	return 2 + n_forwarded_signals;
}

void
signals_setup(struct supervisor *sup, ev_signal *ws)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigaction(SIGPIPE, &ign, NULL);
	ev_signal_init(&ws[0], shutdown_signal_cb, SIGTERM);
	ev_signal_init(&ws[1], shutdown_signal_cb, SIGINT);
	for (size_t i = 0; i < n_forwarded_signals; i++)
		ev_signal_init(&ws[2 + i], forward_signal_cb, forwarded_signals[i]);
	for (size_t i = 0; i < signals_count(); i++)
		ev_signal_start(sup->loop, &ws[i]);
}
