/* SPDX-License-Identifier: ISC */
/*
 * db.h over PostgreSQL (libpq), for instances sharing one database. SQL is
 * translated once per statement: ?, ?N become $N by SQLite's numbering and
 * temp.NAME becomes pg_temp.NAME. Kept statements are prepared on the
 * server under a name; one-off ones go with their parameters in one round
 * trip. Every wait is bounded: connect_timeout, statement_timeout and
 * lock_timeout are set, and a lost connection is re-established with a
 * backoff, calls failing at once (DB_ERROR) meanwhile. Messages come from
 * the server and libpq, never from the connection string, which may hold a
 * password. Text and NULL parameters go untyped, so the server infers
 * their type from where they stand; where it cannot (?1 IS NULL alone),
 * the SQL says it: CAST(?1 AS TEXT) IS NULL.
 */
#include "db_pg.h"

#include <ctype.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db_int.h"
#include "log.h"
#include "xmalloc.h"

/* Type OIDs (server/catalog/pg_type.dat); libpq does not export them. */
#define DB_PG_BOOLOID	16
#define DB_PG_INT8OID	20
#define DB_PG_TEXTOID	25

/*
 * Defaults the connection string may override: the first connection's
 * wait (seconds), how long sent data may go unacknowledged (ms), and
 * keepalives that find a silent server while a query waits (seconds).
 */
#define DB_PG_CONNECT_TIMEOUT	"3"
#define DB_PG_TCP_USER_TIMEOUT	"10000"
#define DB_PG_KEEPALIVES_IDLE	"10"
#define DB_PG_KEEPALIVES_INTVL	"5"
#define DB_PG_KEEPALIVES_COUNT	"3"
/*
 * Set on every session: no statement or lock wait stalls the loop for
 * long, and notices (CREATE ... IF NOT EXISTS skipping) stay quiet.
 */
#define DB_PG_SESSION \
	"SET statement_timeout = '5s'; SET lock_timeout = '2s'; " \
	"SET client_min_messages = warning"
/* While migrating at start: a long table rewrite, another instance's turn. */
#define DB_PG_PATIENT \
	"SET statement_timeout = 0; SET lock_timeout = '5min'"
/* After a lost connection: the first retry, then doubling up to the cap. */
#define DB_PG_BACKOFF_MIN_MS	200
#define DB_PG_BACKOFF_MAX_MS	10000
/* A reconnect runs in steps: a call waits this long at most, an attempt this long. */
#define DB_PG_STEP_MS		100
#define DB_PG_RECONNECT_MS	5000

struct db_pg {
	struct db	 base;
	PGconn		*conn;
	char		*error;
	int64_t		 changes;
	unsigned	 generation;	/* bumped per connection: kept statements
					 * are prepared again on a new one */
	unsigned	 nnames;	/* prepared statements named so far */
	int		 down;		/* the connection was lost */
	int64_t		 retry_ms;	/* when to try reconnecting */
	int		 backoff_ms;
	int		 resetting;	/* a reconnect is under way: */
	PostgresPollingStatusType polling;	/* what it waits for */
	int64_t		 reset_deadline;
};

/* A parameter's bound value: text points at the caller's or at num. */
struct db_pg_param {
	const char	*text;		/* NULL: SQL NULL */
	int		 is_int;
	char		 num[24];
};

struct db_pg_stmt {
	struct db_stmt		 base;
	char			*sql;		/* translated */
	int			 nparams;	/* the highest $N */
	unsigned char		*used;		/* [nparams]: $N appears */
	struct db_pg_param	*params;	/* [nparams] */
	Oid			*types;		/* [nparams]: as prepared */
	char			 name[32];	/* a kept one's, once prepared */
	unsigned		 generation;	/* the connection it was prepared on */
	PGresult		*res;		/* NULL until run */
	int			 row;
	int			 failed;
};

static const struct db_ops db_pg_ops;

static char	*db_pg_translate(const char *, int *, unsigned char **);
static int64_t	 db_pg_now_ms(void);
static void	 db_pg_fail(struct db_pg *, const char *, const char *);
static void	 db_pg_fail_result(struct db_pg *, const PGresult *);
static int	 db_pg_session(struct db_pg *);
static void	 db_pg_lost(struct db_pg *);
static int	 db_pg_retry_later(struct db_pg *, const char *);
static int	 db_pg_reconnect(struct db_pg *);
static int	 db_pg_ready(struct db_pg *);
static int	 db_pg_check(struct db_pg *, PGresult *);
static void	 db_pg_count(struct db_pg *, const PGresult *);
static char	*db_pg_redact(const char *, const char *);
static void	 db_pg_notice_cb(void *, const char *);
static void	 db_pg_stmt_types(struct db_pg_stmt *, Oid *);
static int	 db_pg_stmt_prepare(struct db_pg *, struct db_pg_stmt *,
		    const Oid *);
static PGresult	*db_pg_stmt_run(struct db_pg *, struct db_pg_stmt *);

/*
 * Rewrite SQL written for both engines into PostgreSQL's: each ? or ?N
 * becomes $N (a plain ? is one past the highest number before it, as in
 * SQLite), temp.NAME becomes pg_temp.NAME; quoted text and comments are
 * left alone. *nparams gets the highest number, *used which appear.
 */
static char *
db_pg_translate(const char *sql, int *nparams, unsigned char **used)
{
	size_t len = strlen(sql), cap = len * 2 + 16, o = 0;
	char *out = xmalloc(cap), quote = 0;
	int max = 0, ncap = 0;
	unsigned char *u = NULL;

	for (const char *p = sql; *p != '\0'; p++) {
		if (cap - o < 32)
			out = xreallocarray(out, cap *= 2, 1);
		if (quote != 0) {
			if (*p == quote || (quote == '\n' && *p == '\n'))
				quote = 0;
			out[o++] = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			out[o++] = *p;
		} else if (p[0] == '-' && p[1] == '-') {
			quote = '\n';
			out[o++] = *p;
		} else if (*p == '?') {
			int n = max + 1;

			if (isdigit((unsigned char)p[1])) {
				char *end;
				long v = strtol(p + 1, &end, 10);

				n = v < 1 || v > 32766 ? 32766 : (int)v;
				p = end - 1;
			}
			if (n > max)
				max = n;
			if (n > ncap) {
				u = xreallocarray(u, (size_t)n + 16, 1);
				memset(u + ncap, 0, (size_t)(n + 16 - ncap));
				ncap = n + 16;
			}
			u[n - 1] = 1;
			o += (size_t)snprintf(out + o, cap - o, "$%d", n);
		} else if (strncasecmp(p, "temp.", 5) == 0 && (p == sql ||
		    !(isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
		    p[-1] == '$' || p[-1] == '.'))) {
			memcpy(out + o, "pg_temp.", 8);
			o += 8;
			p += 4;
		} else
			out[o++] = *p;
	}
	out[o] = '\0';
	*nparams = max;
	*used = u;
	return out;
}

/* Milliseconds on the clock that never jumps, for the reconnect backoff. */
static int64_t
db_pg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Remember why the last call failed, on one line. */
static void
db_pg_fail(struct db_pg *pg, const char *prefix, const char *msg)
{
	char *text, *o;

	xasprintf(&text, "%s%s", prefix, msg != NULL && *msg != '\0' ? msg :
	    "no answer from the server");
	for (const char *p = o = text; *p != '\0'; p++)
		if (!isspace((unsigned char)*p))
			*o++ = *p;
		else if (o > text && o[-1] != ' ')
			*o++ = ' ';
	while (o > text && o[-1] == ' ')
		o--;
	*o = '\0';
	free(pg->error);
	pg->error = text;
}

/* Remember a failed result's primary message (or libpq's, when it has none). */
static void
db_pg_fail_result(struct db_pg *pg, const PGresult *res)
{
	const char *msg = res != NULL ? PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY) : NULL;

	db_pg_fail(pg, "", msg != NULL ? msg : PQerrorMessage(pg->conn));
}

/* Set up a fresh session: the bounds on every wait. */
static int
db_pg_session(struct db_pg *pg)
{
	PGresult *res = PQexec(pg->conn, DB_PG_SESSION);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		db_pg_fail_result(pg, res);
	PQclear(res);
	pg->generation++;
	return ok ? 0 : -1;
}

/* The connection broke: calls fail at once until a reconnect after the backoff. */
static void
db_pg_lost(struct db_pg *pg)
{
	if (pg->down)
		return;
	pg->down = 1;
	pg->backoff_ms = DB_PG_BACKOFF_MIN_MS;
	pg->retry_ms = db_pg_now_ms() + pg->backoff_ms;
	log_warnx("store: the PostgreSQL connection is lost (%s); reconnecting",
	    pg->error);
}

/* This reconnect failed: the next waits twice as long (up to the cap). */
static int
db_pg_retry_later(struct db_pg *pg, const char *why)
{
	db_pg_fail(pg, "reconnecting to PostgreSQL: ", why);
	pg->resetting = 0;
	pg->backoff_ms = pg->backoff_ms * 2 > DB_PG_BACKOFF_MAX_MS ?
	    DB_PG_BACKOFF_MAX_MS : pg->backoff_ms * 2;
	pg->retry_ms = db_pg_now_ms() + pg->backoff_ms;
	return -1;
}

/*
 * Take a reconnect one step further, waiting at most DB_PG_STEP_MS (a
 * server that does not answer never holds the caller longer): 0 once the
 * session is back, -1 meanwhile or when the attempt failed.
 */
static int
db_pg_reconnect(struct db_pg *pg)
{
	int64_t now = db_pg_now_ms(), until;
	struct pollfd pfd;

	if (!pg->resetting) {
		if (!PQresetStart(pg->conn))
			return db_pg_retry_later(pg, PQerrorMessage(pg->conn));
		pg->resetting = 1;
		pg->polling = PGRES_POLLING_WRITING;
		pg->reset_deadline = now + DB_PG_RECONNECT_MS;
	}
	until = now + DB_PG_STEP_MS < pg->reset_deadline ? now + DB_PG_STEP_MS :
	    pg->reset_deadline;
	while (pg->polling == PGRES_POLLING_READING ||
	    pg->polling == PGRES_POLLING_WRITING) {
		pfd.fd = PQsocket(pg->conn);
		pfd.events = pg->polling == PGRES_POLLING_READING ? POLLIN :
		    POLLOUT;
		if (poll(&pfd, 1, until > now ? (int)(until - now) : 0) <= 0) {
			if (db_pg_now_ms() >= pg->reset_deadline)
				return db_pg_retry_later(pg, "the server did not "
				    "answer in time");
			db_pg_fail(pg, "", "the PostgreSQL connection is lost; "
			    "reconnecting");
			return -1;
		}
		pg->polling = PQresetPoll(pg->conn);
		now = db_pg_now_ms();
	}
	if (pg->polling == PGRES_POLLING_FAILED)
		return db_pg_retry_later(pg, PQerrorMessage(pg->conn));
	pg->resetting = 0;
	if (db_pg_session(pg) == -1)
		return db_pg_retry_later(pg, pg->error);
	pg->down = 0;
	log_notice("store: reconnected to PostgreSQL");
	return 0;
}

/* 0 when the connection is up, else -1 (reconnecting when the backoff allows). */
static int
db_pg_ready(struct db_pg *pg)
{
	int64_t now;

	if (!pg->down)
		return 0;
	if (!pg->resetting && (now = db_pg_now_ms()) < pg->retry_ms) {
		free(pg->error);
		xasprintf(&pg->error, "the PostgreSQL connection is lost; next "
		    "try in %" PRId64 " ms", pg->retry_ms - now);
		return -1;
	}
	return db_pg_reconnect(pg);
}

/* 0 for a result that succeeded, else -1 with the reason kept (and a lost connection noted). */
static int
db_pg_check(struct db_pg *pg, PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	if (res != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK))
		return 0;
	db_pg_fail_result(pg, res);
	if (PQstatus(pg->conn) == CONNECTION_BAD)
		db_pg_lost(pg);
	return -1;
}

/* Keep the row count of a finished INSERT, UPDATE or DELETE. */
static void
db_pg_count(struct db_pg *pg, const PGresult *res)
{
	const char *status = PQcmdStatus((PGresult *)res);

	if (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE",
	    6) == 0 || strncmp(status, "DELETE", 6) == 0 || strncmp(status,
	    "MERGE", 5) == 0)
		pg->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
}

/*
 * libpq's complaint about a connection string, with every quoted piece of
 * the string itself (a password among them, perhaps) blanked out.
 */
static char *
db_pg_redact(const char *err, const char *conninfo)
{
	char *out = xstrdup(err), *open, *close;

	for (open = strchr(out, '"'); open != NULL; open = strchr(close + 1,
	    '"')) {
		if ((close = strchr(open + 1, '"')) == NULL)
			break;
		*close = '\0';
		if (close > open + 1 && strcmp(open + 1, "=") != 0 &&
		    strstr(conninfo, open + 1) != NULL)
			memset(open + 1, '*', (size_t)(close - open - 1));
		*close = '"';
	}
	return out;
}

/* Whether libpq reads a connection string; why not, without quoting it. */
int
db_pg_check_conninfo(const char *conninfo, char **cause)
{
	PQconninfoOption *opts;
	char *err = NULL, *safe;

	if ((opts = PQconninfoParse(conninfo, &err)) != NULL) {
		PQconninfoFree(opts);
		return 0;
	}
	safe = db_pg_redact(err != NULL ? err : "out of memory", conninfo);
	safe[strcspn(safe, "\n")] = '\0';
	xasprintf(cause, "PostgreSQL connection string: %s", safe);
	free(safe);
	PQfreemem(err);
	return -1;
}

/* The server's warnings go to the log, not to stderr. */
static void
db_pg_notice_cb(void *arg, const char *message)
{
	(void)arg;
	log_warnx("store: PostgreSQL: %.*s", (int)strcspn(message, "\n"),
	    message);
}

/* Connect with a libpq connection string or URI; NULL and a cause on failure. */
struct db *
db_open_postgresql(const char *conninfo, char **cause)
{
	/* Ours first, so the string overrides them; the encoding last, so it cannot. */
	const char *const keys[] = { "connect_timeout", "tcp_user_timeout",
	    "keepalives_idle", "keepalives_interval", "keepalives_count",
	    "dbname", "client_encoding", NULL };
	const char *const values[] = { DB_PG_CONNECT_TIMEOUT,
	    DB_PG_TCP_USER_TIMEOUT, DB_PG_KEEPALIVES_IDLE,
	    DB_PG_KEEPALIVES_INTVL, DB_PG_KEEPALIVES_COUNT, conninfo, "UTF8",
	    NULL };
	struct db_pg *pg;

	if (db_pg_check_conninfo(conninfo, cause) == -1)
		return NULL;
	pg = xcalloc(1, sizeof *pg);
	pg->base.ops = &db_pg_ops;
	pg->conn = PQconnectdbParams(keys, values, 1);
	PQsetNoticeProcessor(pg->conn, db_pg_notice_cb, NULL);
	if (PQstatus(pg->conn) != CONNECTION_OK || db_pg_session(pg) == -1) {
		if (PQstatus(pg->conn) != CONNECTION_OK)
			db_pg_fail(pg, "", PQerrorMessage(pg->conn));
		xasprintf(cause, "PostgreSQL: %s", pg->error);
		db_close(&pg->base);
		return NULL;
	}
	return &pg->base;
}

/* Whether the connection is up; a lost one is noticed (and retried) here too. */
int
db_pg_connected(struct db *db)
{
	struct db_pg *pg = (struct db_pg *)db;

	if (db->ops != &db_pg_ops)
		return 1;
	/* Reads what the server sent unasked: a closed connection shows. */
	if (!pg->down && (!PQconsumeInput(pg->conn) ||
	    PQstatus(pg->conn) == CONNECTION_BAD)) {
		db_pg_fail(pg, "", PQerrorMessage(pg->conn));
		db_pg_lost(pg);
	}
	return db_pg_ready(pg) == 0;
}

/* Migrations may take long; everything else is bounded. */
int
db_pg_wait_long(struct db *db, int on)
{
	return db_exec(db, on ? DB_PG_PATIENT : DB_PG_SESSION);
}

static void
db_pg_close(struct db *db)
{
	struct db_pg *pg = (struct db_pg *)db;

	PQfinish(pg->conn);
	free(pg->error);
	free(pg);
}

static const char *
db_pg_error(struct db *db)
{
	struct db_pg *pg = (struct db_pg *)db;

	return pg->error != NULL ? pg->error : "no error";
}

static int
db_pg_exec(struct db *db, const char *sql)
{
	struct db_pg *pg = (struct db_pg *)db;
	unsigned char *used;
	char *text;
	PGresult *res;
	int n, rc;

	if (db_pg_ready(pg) == -1)
		return -1;
	text = db_pg_translate(sql, &n, &used);
	res = PQexec(pg->conn, text);
	if ((rc = db_pg_check(pg, res)) == 0)
		db_pg_count(pg, res);
	PQclear(res);
	free(used);
	free(text);
	return rc;
}

static struct db_stmt *
db_pg_prepare(struct db *db, const char *sql, int keep)
{
	struct db_pg_stmt *s = xcalloc(1, sizeof *s);

	(void)keep;	/* named on the server at its first run (db_pg_stmt_run) */
	s->base.db = db;
	s->sql = db_pg_translate(sql, &s->nparams, &s->used);
	s->params = xcalloc((size_t)s->nparams + 1, sizeof *s->params);
	s->types = xcalloc((size_t)s->nparams + 1, sizeof *s->types);
	s->row = -1;
	return &s->base;
}

static void
db_pg_reset(struct db_stmt *st)
{
	struct db_pg_stmt *s = (struct db_pg_stmt *)st;

	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->failed = 0;
	memset(s->params, 0, (size_t)s->nparams * sizeof *s->params);
}

static void
db_pg_finalize(struct db_stmt *st)
{
	struct db_pg_stmt *s = (struct db_pg_stmt *)st;

	/* A kept one lives until close, where the session's end drops it. */
	PQclear(s->res);
	free(s->sql);
	free(s->used);
	free(s->params);
	free(s->types);
	free(s);
}

static void
db_pg_bind_int(struct db_stmt *st, int i, int64_t v)
{
	struct db_pg_stmt *s = (struct db_pg_stmt *)st;

	if (i < 1 || i > s->nparams)
		return;
	snprintf(s->params[i - 1].num, sizeof s->params[i - 1].num, "%" PRId64,
	    v);
	s->params[i - 1].text = s->params[i - 1].num;
	s->params[i - 1].is_int = 1;
}

static void
db_pg_bind_text(struct db_stmt *st, int i, const char *v)
{
	struct db_pg_stmt *s = (struct db_pg_stmt *)st;

	if (i < 1 || i > s->nparams)
		return;
	s->params[i - 1].text = v;
	s->params[i - 1].is_int = 0;
}

static void
db_pg_bind_null(struct db_stmt *st, int i)
{
	db_pg_bind_text(st, i, NULL);
}

/*
 * The parameter types for this run: an integer goes as int8, so that
 * arithmetic such as ?5 * 7 is bigint; text and NULL go untyped (0), the
 * server taking the type from where it is used; a number the SQL skips goes
 * as text, as the server cannot infer a type for it.
 */
static void
db_pg_stmt_types(struct db_pg_stmt *s, Oid *types)
{
	for (int i = 0; i < s->nparams; i++)
		types[i] = !s->used[i] ? DB_PG_TEXTOID : s->params[i].is_int ?
		    DB_PG_INT8OID : 0;
}

/*
 * Prepare a kept statement on the server, once per connection. Its types
 * are fixed then, so this waits for the first run, when the binds say
 * which parameters are integers; a later run binding another type (a
 * NULL fits any) prepares it again.
 */
static int
db_pg_stmt_prepare(struct db_pg *pg, struct db_pg_stmt *s, const Oid *types)
{
	PGresult *res;
	char *sql;
	int same = s->generation == pg->generation && s->name[0] != '\0';

	for (int i = 0; same && i < s->nparams; i++)
		if (s->params[i].text != NULL && types[i] != s->types[i])
			same = 0;
	if (same)
		return 0;
	if (s->generation == pg->generation && s->name[0] != '\0') {
		xasprintf(&sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(pg->conn, sql));
		free(sql);
	}
	snprintf(s->name, sizeof s->name, "nudged_%u", ++pg->nnames);
	res = PQprepare(pg->conn, s->name, s->sql, s->nparams, types);
	if (db_pg_check(pg, res) == -1) {
		s->name[0] = '\0';
		PQclear(res);
		return -1;
	}
	PQclear(res);
	memcpy(s->types, types, (size_t)s->nparams * sizeof *types);
	s->generation = pg->generation;
	return 0;
}

/* Run a statement with its binds: by name when kept, else in one go. */
static PGresult *
db_pg_stmt_run(struct db_pg *pg, struct db_pg_stmt *s)
{
	const char **values = xcalloc((size_t)s->nparams + 1, sizeof *values);
	Oid *types = xcalloc((size_t)s->nparams + 1, sizeof *types);
	PGresult *res = NULL;

	for (int i = 0; i < s->nparams; i++)
		values[i] = s->params[i].text;
	db_pg_stmt_types(s, types);
	if (!s->base.kept)
		res = PQexecParams(pg->conn, s->sql, s->nparams, types, values,
		    NULL, NULL, 0);
	else if (db_pg_stmt_prepare(pg, s, types) == 0)
		res = PQexecPrepared(pg->conn, s->name, s->nparams, values, NULL,
		    NULL, 0);
	free(values);
	free(types);
	return res;
}

static int
db_pg_step(struct db_stmt *st)
{
	struct db_pg_stmt *s = (struct db_pg_stmt *)st;
	struct db_pg *pg = (struct db_pg *)st->db;

	if (s->failed)
		return DB_ERROR;
	if (s->res == NULL) {
		if (db_pg_ready(pg) == -1) {
			s->failed = 1;
			return DB_ERROR;
		}
		s->res = db_pg_stmt_run(pg, s);
		if (s->res == NULL && PQstatus(pg->conn) == CONNECTION_BAD) {
			db_pg_fail(pg, "", PQerrorMessage(pg->conn));
			db_pg_lost(pg);
		}
		if (s->res == NULL || db_pg_check(pg, s->res) == -1) {
			PQclear(s->res);
			s->res = NULL;
			s->failed = 1;
			return DB_ERROR;
		}
		db_pg_count(pg, s->res);
	}
	if (s->row + 1 < PQntuples(s->res)) {
		s->row++;
		return DB_ROW;
	}
	s->row = PQntuples(s->res);
	return DB_DONE;
}

/* The current row's value in a column, or NULL (no row, no column, SQL NULL). */
static const char *
db_pg_value(struct db_pg_stmt *s, int col)
{
	if (s->res == NULL || s->row < 0 || s->row >= PQntuples(s->res) ||
	    col < 0 || col >= PQnfields(s->res) || PQgetisnull(s->res, s->row,
	    col))
		return NULL;
	if (PQftype(s->res, col) == DB_PG_BOOLOID)
		return *PQgetvalue(s->res, s->row, col) == 't' ? "1" : "0";
	return PQgetvalue(s->res, s->row, col);
}

static int64_t
db_pg_column_int(struct db_stmt *st, int col)
{
	const char *v = db_pg_value((struct db_pg_stmt *)st, col);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static const char *
db_pg_column_text(struct db_stmt *st, int col)
{
	return db_pg_value((struct db_pg_stmt *)st, col);
}

static int
db_pg_column_is_null(struct db_stmt *st, int col)
{
	return db_pg_value((struct db_pg_stmt *)st, col) == NULL;
}

static int64_t
db_pg_changes(struct db *db)
{
	return ((struct db_pg *)db)->changes;
}

static int
db_pg_begin(struct db *db)
{
	return db_pg_exec(db, "BEGIN");
}

/* COMMIT of a transaction a failed statement spoiled answers ROLLBACK, not an error. */
static int
db_pg_commit(struct db *db)
{
	struct db_pg *pg = (struct db_pg *)db;
	PGresult *res;
	int rc = -1;

	if (db_pg_ready(pg) == -1)
		return -1;
	res = PQexec(pg->conn, "COMMIT");
	if (db_pg_check(pg, res) == 0) {
		if (strcmp(PQcmdStatus(res), "COMMIT") == 0)
			rc = 0;
		else
			db_pg_fail(pg, "", "the transaction was rolled back after "
			    "a failed statement");
	}
	PQclear(res);
	return rc;
}

static int
db_pg_in_transaction(struct db *db)
{
	struct db_pg *pg = (struct db_pg *)db;

	return !pg->down && PQtransactionStatus(pg->conn) != PQTRANS_IDLE &&
	    PQtransactionStatus(pg->conn) != PQTRANS_UNKNOWN;
}

static void
db_pg_rollback(struct db *db)
{
	struct db_pg *pg = (struct db_pg *)db;

	if (db_pg_in_transaction(db))
		PQclear(PQexec(pg->conn, "ROLLBACK"));
}

static const struct db_ops db_pg_ops = {
	.dialect = DB_POSTGRESQL,
	.close = db_pg_close,
	.error = db_pg_error,
	.exec = db_pg_exec,
	.prepare = db_pg_prepare,
	.reset = db_pg_reset,
	.finalize = db_pg_finalize,
	.bind_int = db_pg_bind_int,
	.bind_text = db_pg_bind_text,
	.bind_null = db_pg_bind_null,
	.step = db_pg_step,
	.column_int = db_pg_column_int,
	.column_text = db_pg_column_text,
	.column_is_null = db_pg_column_is_null,
	.changes = db_pg_changes,
	.begin = db_pg_begin,
	.commit = db_pg_commit,
	.rollback = db_pg_rollback,
	.in_transaction = db_pg_in_transaction,
};
