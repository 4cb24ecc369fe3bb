/*
 * signals.c - the handler of the stop signals (signals.h).
 */
#include <string.h>

#include "session/signals.h"

struct stop_signals session_stop;

static void on_stop_signal(int sig, siginfo_t *info, void *unused)
{
	(void)unused;
	session_stop.requested++;
	session_stop.signal = sig;
	if (sig == SIGPIPE)
		session_stop.pipe_closed = 1;
	session_stop.from_user = info && (info->si_code == SI_USER ||
					  info->si_code == SI_QUEUE);
}

void session_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: sleeps wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a closed pipe (`scorch top ... | head`) stops the recording like
	 * Ctrl-C: the output file is still written, the program ended */
	sigaction(SIGPIPE, &sa, NULL);
}
