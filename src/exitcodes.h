/* exitcodes.h: pure layer. The exit codes of drainit itself
 * (man/drainit.8, EXIT STATUS), sysexits(3) where one fits. */
#ifndef DRAINIT_EXITCODES_H
#define DRAINIT_EXITCODES_H

#define EXIT_USAGE 64		/* EX_USAGE: bad command line */
#define EXIT_UNREAPED 70	/* EX_SOFTWARE: gave up waiting for a process it had SIGKILLed */
#define EXIT_OSERR 71		/* EX_OSERR: drainit could not set itself up */
#define EXIT_CONFIG 78		/* EX_CONFIG: bad configuration */
#define EXIT_NOEXEC 126		/* command found but could not be executed */
#define EXIT_NOTFOUND 127	/* command not found */

#endif
