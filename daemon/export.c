/* SPDX-License-Identifier: ISC */
/*
 * Exporting the record: JSON (deliveries, each with its replies) or CSV (one
 * line per reply, and one per delivery that has none), instants in ISO 8601
 * UTC. CSV fields are quoted per RFC 4180 where they need it.
 */
#include "export.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "timefmt.h"
#include "xmalloc.h"

/* What the export callbacks carry between rows. */
struct export_state {
	FILE	*out;
	cJSON	*deliveries;
	cJSON	*current;	/* the delivery being filled, JSON */
	int64_t	 current_id;
};

static void	export_json_row(void *, const struct store_export_row *);
static void	export_csv_row(void *, const struct store_export_row *);
static void	export_csv_field(FILE *, const char *, int);
static void	export_add_instant(cJSON *, const char *, int64_t);

/* An ISO 8601 instant, or null for 0. */
static void
export_add_instant(cJSON *o, const char *key, int64_t t)
{
	char buf[32];

	if (t == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	timefmt_utc(t, buf, sizeof buf);
	cJSON_AddStringToObject(o, key, buf);
}

/* One joined row into the JSON tree: a new delivery, and its reply if any. */
static void
export_json_row(void *arg, const struct store_export_row *row)
{
	struct export_state *es = arg;
	cJSON *d = es->current, *r;

	if (d == NULL || es->current_id != row->delivery_id) {
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "id", (double)row->delivery_id);
		cJSON_AddStringToObject(d, "schedule", row->schedule);
		cJSON_AddStringToObject(d, "channel", row->channel);
		cJSON_AddStringToObject(d, "prompt_id", row->prompt_id);
		export_add_instant(d, "due_at", row->due_at);
		cJSON_AddStringToObject(d, "state", row->state);
		cJSON_AddStringToObject(d, "reason", row->reason);
		cJSON_AddNumberToObject(d, "attempts", (double)row->attempts);
		export_add_instant(d, "sent_at", row->sent_at);
		cJSON_AddStringToObject(d, "reply_code", row->reply_code);
		cJSON_AddItemToObject(d, "replies", cJSON_CreateArray());
		cJSON_AddItemToArray(es->deliveries, d);
		es->current = d;
		es->current_id = row->delivery_id;
	}
	if (row->reply_id == 0)
		return;
	r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "id", (double)row->reply_id);
	cJSON_AddStringToObject(r, "user_id", row->user_id);
	cJSON_AddStringToObject(r, "user_name", row->user_name);
	cJSON_AddStringToObject(r, "text", row->text);
	export_add_instant(r, "received_at", row->received_at);
	cJSON_AddStringToObject(r, "source", row->source);
	cJSON_AddStringToObject(r, "message_id", row->message_id);
	cJSON_AddItemToArray(cJSON_GetObjectItem(d, "replies"), r);
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void
export_csv_field(FILE *out, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") == NULL)
		fputs(s, out);
	else {
		fputc('"', out);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	}
	fputc(last ? '\n' : ',', out);
}

/* One joined row as a CSV line. */
static void
export_csv_row(void *arg, const struct store_export_row *row)
{
	struct export_state *es = arg;
	char id[24], rid[24], attempts[24], due[32], sent[32] = "", got[32] = "";

	snprintf(id, sizeof id, "%lld", (long long)row->delivery_id);
	snprintf(rid, sizeof rid, "%lld", (long long)row->reply_id);
	snprintf(attempts, sizeof attempts, "%lld", (long long)row->attempts);
	timefmt_utc(row->due_at, due, sizeof due);
	if (row->sent_at != 0)
		timefmt_utc(row->sent_at, sent, sizeof sent);
	if (row->reply_id != 0)
		timefmt_utc(row->received_at, got, sizeof got);
	export_csv_field(es->out, id, 0);
	export_csv_field(es->out, row->schedule, 0);
	export_csv_field(es->out, row->channel, 0);
	export_csv_field(es->out, row->prompt_id, 0);
	export_csv_field(es->out, due, 0);
	export_csv_field(es->out, row->state, 0);
	export_csv_field(es->out, attempts, 0);
	export_csv_field(es->out, sent, 0);
	export_csv_field(es->out, row->reply_code, 0);
	export_csv_field(es->out, row->reply_id ? rid : "", 0);
	export_csv_field(es->out, row->user_id, 0);
	export_csv_field(es->out, row->user_name, 0);
	export_csv_field(es->out, got, 0);
	export_csv_field(es->out, row->source, 0);
	export_csv_field(es->out, row->text, 1);
}

/* Write the whole record in format ("json" or "csv"); -1 when the store fails. */
int
export_write(struct store *st, FILE *out, const char *format)
{
	struct export_state es = { .out = out };
	cJSON *root;
	char *json;
	int rc;

	if (strcmp(format, "csv") == 0) {
		fputs("delivery_id,schedule,channel,prompt_id,due_at,state,attempts,"
		    "sent_at,reply_code,reply_id,user_id,user_name,received_at,"
		    "source,text\n", out);
		return st == NULL ? 0 : store_each_export(st, export_csv_row, &es);
	}
	root = cJSON_CreateObject();
	es.deliveries = cJSON_AddArrayToObject(root, "deliveries");
	rc = st == NULL ? 0 : store_each_export(st, export_json_row, &es);
	json = cJSON_Print(root);
	fprintf(out, "%s\n", json);
	free(json);
	cJSON_Delete(root);
	return rc;
}
