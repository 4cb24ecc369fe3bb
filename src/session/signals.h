/*
 * signals.h - the stop signals of a recording: Ctrl-C, SIGTERM, SIGHUP
 * and a closed pipe end sampling (the profile is still written); what
 * arrived is kept for the session to pass on to a program it started.
 */
#ifndef SCORCH_SESSION_SIGNALS_H
#define SCORCH_SESSION_SIGNALS_H

#include <signal.h>

struct stop_signals {
	volatile sig_atomic_t requested;	/* how many arrived */
	volatile sig_atomic_t signal;		/* the last one */
	volatile sig_atomic_t from_user;	/* kill(), not the tty */
	volatile sig_atomic_t pipe_closed;	/* SIGPIPE: our reader left */
};

/* The one set of stop signals (a process has one set of handlers). */
extern struct stop_signals session_stop;

/* Installs the handlers (no SA_RESTART: sleeps wake up). */
void session_install_signals(void);

#endif
