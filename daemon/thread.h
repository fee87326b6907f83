/* thread.h: what a thread of ikid's own (a reader, libmicrohttpd's) takes from its maker. */
#ifndef IKI_THREAD_H
#define IKI_THREAD_H

#include <signal.h>

/*
 * Block every signal but a fault's (SEGV, BUS, FPE, ILL) in the calling thread, keeping the mask
 * it had in *was: threads made meanwhile take none of ikid's SIGTERM, SIGINT and SIGHUP, which
 * are the writer's loop's (one caught elsewhere would end that thread's wait with EINTR, and
 * the loop would not see it). Undo with thread_signals_restore(was).
 */
void thread_signals_block(sigset_t *was);
void thread_signals_restore(const sigset_t *was);

#endif
