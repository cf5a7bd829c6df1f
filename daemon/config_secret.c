/* SPDX-License-Identifier: ISC */
/*
 * Secrets in nudged's configuration: ${NAME} in a string is the systemd
 * credential NAME (in $CREDENTIALS_DIRECTORY under the unit, else in the
 * credential stores systemd reads), else the environment variable NAME.
 * A secret's value never appears in a message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"
#include "jsonc.h"
#include "xmalloc.h"

/*
 * Where systemd's LoadCredential=NAME looks for NAME when no path is given
 * (systemd.exec(5), "LoadCredential="); `nudged check` outside the unit
 * reads the same files, so it sees what the service will see.
 */
static const char *const config_credstores[] = { "/etc/credstore",
	"/run/credstore", "/usr/lib/credstore", NULL };

static char	*config_expand(struct config_reader *, const cJSON *, const char *);
static char	*config_find_secret(const char *, char **);
static char	*config_read_credential(const char *, const char *, char **);

/* A string member with ${NAME} expanded; NULL when absent or invalid. */
char *
config_read_string(struct config_reader *L, const cJSON *object, const char *key,
    int required)
{
	const char *raw = jsonc_get_string(L->doc, object, key, required);

	if (raw == NULL)
		return NULL;
	return config_expand(L, cJSON_GetObjectItemCaseSensitive(object, key),
	    raw);
}

/*
 * Replace each ${NAME} in s with the secret NAME (config_find_secret); "$${"
 * is a literal "${". A name found nowhere is an error naming where to put it.
 */
static char *
config_expand(struct config_reader *L, const cJSON *node, const char *s)
{
	char *out = xmalloc(1), *name, *value, *cause;
	size_t len = 0, n;
	const char *p = s, *end;
	int failed = 0;

	out[0] = '\0';
	while (*p != '\0') {
		value = NULL;
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			value = xstrdup("${");
			p += 3;
		} else if (p[0] == '$' && p[1] == '{') {
			end = strchr(p + 2, '}');
			n = end != NULL ? (size_t)(end - p - 2) : 0;
			name = xstrndup(p + 2, n);
			if (end == NULL || !config_valid_name(name) ||
			    isdigit((unsigned char)name[0]) ||
			    strchr(name, '.') != NULL || strchr(name, '-') != NULL) {
				jsonc_error_at(L->doc, node, (int)(p - s) + 1,
				    "\"${\" must be followed by a variable name "
				    "and \"}\"");
				free(name);
				free(out);
				return NULL;
			}
			cause = NULL;
			value = config_find_secret(name, &cause);
			if (value == NULL && cause == NULL && L->leave_secrets) {
				failed = 1;
				value = xstrdup("");
			} else if (value == NULL) {
				if (cause != NULL)
					jsonc_error_at(L->doc, node, (int)(p - s) + 1,
					    "%s", cause);
				else
					jsonc_error_at(L->doc, node, (int)(p - s) + 1,
					    "${%s}: not set: put the secret in "
					    "/etc/credstore/%s (mode 0600; the unit "
					    "loads it with LoadCredential=%s) or in "
					    "the environment variable %s", name, name,
					    name, name);
				free(cause);
				failed = 1;
				value = xstrdup("");
			}
			free(name);
			p = end + 1;
		} else {
			value = xstrndup(p, 1);
			p++;
		}
		n = strlen(value);
		out = xreallocarray(out, len + n + 1, 1);
		memcpy(out + len, value, n + 1);
		len += n;
		free(value);
	}
	if (failed) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * The secret NAME: the credential in $CREDENTIALS_DIRECTORY under systemd,
 * else in the first credential store that has it, else the environment
 * variable. NULL when absent (cause stays NULL) or unreadable (cause set).
 */
static char *
config_find_secret(const char *name, char **cause)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char *value = NULL;

	if (creds != NULL && *creds != '\0')
		value = config_read_credential(creds, name, cause);
	else {
		for (size_t i = 0; value == NULL && *cause == NULL &&
		    config_credstores[i] != NULL; i++)
			value = config_read_credential(config_credstores[i],
			    name, cause);
	}
	if (value == NULL && *cause == NULL && getenv(name) != NULL)
		value = xstrdup(getenv(name));
	return value;
}

/* The contents of credential file dir/name without a trailing newline; NULL if absent. */
static char *
config_read_credential(const char *dir, const char *name, char **cause)
{
	char *path, *buf;
	size_t len;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno != ENOENT)
			xasprintf(cause, "credential %s: %s: %s", name, path,
			    strerror(errno));
		free(path);
		return NULL;
	}
	free(path);
	buf = xmalloc(65537);
	len = fread(buf, 1, 65536, f);
	if (ferror(f) || !feof(f)) {
		xasprintf(cause, "credential %s: unreadable or larger than 64 KiB",
		    name);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return buf;
}
