/* SPDX-License-Identifier: ISC */
/*
 * JSON with comments, parsed by cJSON, with every node's FILE:LINE:COL kept so
 * that config and prompt-bank errors can say exactly where they are. Errors are
 * collected (not stopped at) so `nudged check` can print all of them.
 */
#ifndef NUDGED_JSONC_H
#define NUDGED_JSONC_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct jsonc_pos;

struct jsonc_doc {
	char		 *path;		/* as given, for messages */
	char		 *text;		/* the source with comments blanked out */
	size_t		  len;
	cJSON		 *root;
	struct jsonc_pos *pos;		/* node -> offsets, in document order */
	size_t		  npos;
	char		**errors;	/* "FILE:LINE:COL: what" */
	size_t		  nerrors;
};

struct jsonc_doc *jsonc_load_file(const char *path, char **cause);
struct jsonc_doc *jsonc_parse(const char *path, const char *text, size_t len,
	char **cause);
void	jsonc_free(struct jsonc_doc *);

void	jsonc_where(const struct jsonc_doc *, const cJSON *, int *line,
	int *col);
void	jsonc_error(struct jsonc_doc *, const cJSON *, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void	jsonc_error_at(struct jsonc_doc *, const cJSON *, int column_offset,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
char	*jsonc_errors_join(const struct jsonc_doc *);

int	 jsonc_check_keys(struct jsonc_doc *, const cJSON *object,
	const char *const *allowed);
const char *jsonc_type_name(const cJSON *);

/* Typed getters: report wrong type or a missing required key as an error. */
const cJSON *jsonc_get(struct jsonc_doc *, const cJSON *object,
	const char *key, int required);
const char *jsonc_get_string(struct jsonc_doc *, const cJSON *object,
	const char *key, int required);
const cJSON *jsonc_get_object(struct jsonc_doc *, const cJSON *object,
	const char *key, int required);
const cJSON *jsonc_get_array(struct jsonc_doc *, const cJSON *object,
	const char *key, int required);
int	 jsonc_get_int(struct jsonc_doc *, const cJSON *object, const char *key,
	int required, long min, long max, long *out);
int	 jsonc_get_bool(struct jsonc_doc *, const cJSON *object,
	const char *key, int required, int *out);

#endif
