/* SPDX-License-Identifier: ISC */
/* The process exit codes of every sub-command, as README.md and `nudged help` list them. */
#ifndef NUDGED_EXITCODE_H
#define NUDGED_EXITCODE_H

#define EXIT_OK		0	/* done */
#define EXIT_INVALID	1	/* invalid input or config: nothing was changed */
#define EXIT_USAGE	2	/* the command line was not understood */
#define EXIT_RUNTIME	3	/* the store, the listener or a delivery failed */

#endif
