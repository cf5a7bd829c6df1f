/* SPDX-License-Identifier: ISC */
/* `nudged serve`: the daemon's one event loop and its lifecycle. */
#ifndef NUDGED_SERVER_H
#define NUDGED_SERVER_H

struct clock;

int	server_run(const char *config_path, const struct clock *);

#endif
