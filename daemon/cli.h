/* SPDX-License-Identifier: ISC */
/* The command line: sub-commands and their options, parsed without side effects. */
#ifndef NUDGED_CLI_H
#define NUDGED_CLI_H

#include <stdint.h>

enum cli_command {
	CLI_NONE,
	CLI_HELP,
	CLI_VERSION,
	CLI_SERVE,
	CLI_CHECK,
	CLI_CRON,
	CLI_NEXT,
	CLI_PROMPTS,
	CLI_SEND,
	CLI_EXPORT,
	CLI_STATS,
	CLI_FORGET,
	CLI_STORE,
};

struct cli {
	enum cli_command command;
	int		 help;		/* SUBCOMMAND --help */
	int		 verbose;
	int		 offline;	/* check --offline */
	const char	*config;	/* -c FILE, or NULL for the default */
	const char	*expr;		/* cron EXPR */
	const char	*schedule;	/* send SCHEDULE */
	const char	*forget_user;	/* forget USER */
	const char	*tz;		/* --tz ZONE */
	int		 has_from;
	int64_t		 from;		/* --from TIME, UTC seconds */
	long		 count;		/* --count N */
	long		 days;		/* --days D, 0 when not given */
	const char	*theme;		/* --theme T */
	const char	*audience;	/* --audience A */
	const char	*format;	/* --format table|json|csv */
	const char	*channel;	/* --channel C */
	const char	*user;		/* --user U */
	const char	*since;		/* --since DATE */
	const char	*to;		/* send --to NAME */
	const char	*store_action;	/* store copy */
	const char	*from_dir;	/* store copy --from STATE_DIR */
	int		 rebuild;	/* stats --rebuild */
};

int		 cli_parse(int argc, char **argv, struct cli *, char **cause);
const char	*cli_usage(enum cli_command);
const char	*cli_command_name(enum cli_command);

#endif
