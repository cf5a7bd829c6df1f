/* SPDX-License-Identifier: ISC */
/* Webhook URLs, read the way libcurl reads them: which may be used, and what may be logged. */
#ifndef NUDGED_URL_H
#define NUDGED_URL_H

int	 url_webhook_allowed(const char *url);
char	*url_host(const char *url);

#endif
