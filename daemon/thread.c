/* thread.c: the signals ikid's own threads take (see thread.h). */
#include "thread.h"

#include <pthread.h>

void thread_signals_block(sigset_t *was)
{
	sigset_t all;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV); /* a fault is the faulting thread's, for its report */
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_BLOCK, &all, was);
}

void thread_signals_restore(const sigset_t *was)
{
	pthread_sigmask(SIG_SETMASK, was, NULL);
}
