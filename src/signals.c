/* signals.c: mechanism layer. One ev_signal watcher per signal drainit
 * acts on; each signal received is posted as EVT_SIGNAL (the dispatcher
 * gives SIGTERM and SIGINT to the shutdown machine, the others to the
 * lifecycle machine, which forwards them). As PID 1 a signal with no
 * handler is dropped by the kernel, so every signal drainit means to
 * forward must have a watcher here. SIGPIPE is ignored (a closed stderr
 * must not kill the supervisor); children get SIG_DFL back in spawn.c. */
#include "signals.h"

#include <signal.h>

const int forwarded_signals[] = {
	SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGVTALRM,
	SIGPROF, SIGIO, SIGPWR, SIGTTIN, SIGTTOU,
};
const size_t n_forwarded_signals = sizeof(forwarded_signals) / sizeof(forwarded_signals[0]);

static void
signal_cb(EV_P_ ev_signal *w, int revents)
{
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){ .kind = EVT_SIGNAL, .sig = w->signum });
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
	ev_signal_init(&ws[0], signal_cb, SIGTERM);
	ev_signal_init(&ws[1], signal_cb, SIGINT);
	for (size_t i = 0; i < n_forwarded_signals; i++)
		ev_signal_init(&ws[2 + i], signal_cb, forwarded_signals[i]);
	for (size_t i = 0; i < signals_count(); i++)
		ev_signal_start(sup->loop, &ws[i]);
}
