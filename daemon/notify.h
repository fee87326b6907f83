/* notify.h: tell systemd (a Type=notify unit) that ikid is ready, alive, reloading or stopping. */
#ifndef IKI_NOTIFY_H
#define IKI_NOTIFY_H

#include <stdint.h>

/*
 * The protocol of sd_notify(3), by hand (it is small and stable, and saves a dependency on
 * libsystemd): one datagram of "KEY=value" lines to the AF_UNIX socket named by $NOTIFY_SOCKET
 * (a path, or "@name" in the abstract namespace).
 */

/*
 * Send state (e.g. "READY=1\nSTATUS=listening") to the service manager. Returns 1 when sent, 0
 * when not run under one ($NOTIFY_SOCKET unset or empty), or -errno (a name too long, the socket
 * gone: the caller logs it once and goes on).
 */
int notify_send(const char *state);

/*
 * The watchdog interval systemd asked for (WatchdogSec=, as $WATCHDOG_USEC, for this process by
 * $WATCHDOG_PID when set), in microseconds; 0 when there is none. Send "WATCHDOG=1" at least
 * twice per interval, and only from the loop whose life it vouches for.
 */
uint64_t notify_watchdog_usec(void);

#endif
