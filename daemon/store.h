/* SPDX-License-Identifier: ISC */
/* nudged's store: one SQLite database (WAL) under the state folder. */
#ifndef NUDGED_STORE_H
#define NUDGED_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct db;

enum store_state {
	STORE_PENDING,
	STORE_SENDING,
	STORE_SENT,
	STORE_FAILED,
	STORE_SKIPPED,
};

/* What an outbox row posts. */
enum store_kind {
	STORE_KIND_PROMPT,	/* a schedule's question; answers attach to it */
	STORE_KIND_REMINDER,	/* a gentle reminder of its parent prompt */
	STORE_KIND_DIGEST,	/* a schedule's weekly summary of its channel */
	STORE_KIND_FOLLOW_UP,	/* a prompt's follow-up, asked at the next instant */
};

/* One nudge as the outbox keeps it. */
struct store_delivery {
	int64_t		 id;
	const char	*schedule;
	const char	*channel;
	const char	*prompt_id;	/* NULL until the bank chooses one */
	int64_t		 due_at;	/* UTC seconds */
	enum store_state state;
	const char	*reason;	/* why skipped or failed */
	int64_t		 cycle;		/* the bank's cycle, with prompt_id */
	enum store_kind	 kind;
	const char	*person;	/* asked directly; NULL: the channel */
	int64_t		 parent_id;	/* a follow-up's prompt; 0: none */
};

struct bank_history;
struct tz;

/* A delivery the outbox is about to send. */
struct store_outbox_row {
	int64_t	 id;
	char	*schedule;
	char	*channel;
	char	*prompt_id;
	int64_t	 due_at;
	int64_t	 attempts;
	char	*reply_code;
	enum store_kind kind;
	char	*person;	/* "" for the channel itself */
	int64_t	 parent_id;
	char	*context;	/* an event's line above the question, or NULL */
};

/* The delivery an answer is attached to. */
struct store_target {
	int64_t	 id;
	char	*schedule;
	char	*prompt_id;
	int64_t	 due_at;
	char	*person;	/* "" for the channel itself */
};

/* What the store keeps of a person on one channel (one workspace). */
struct store_person_channel {
	char	*dm_id;		/* the direct conversation, or NULL */
	char	*tz;		/* the zone of their profile, or NULL */
	int64_t	 tz_checked_at;
	char	*inactive;	/* why they cannot be reached, or NULL */
};

/* A schedule's previous prompt to someone, for its follow-up. */
struct store_previous {
	int64_t	 id;
	char	*prompt_id;
	int64_t	 due_at;
	int	 answered;	/* someone answered it */
	int	 followed;	/* its follow-up is enqueued already */
};

/* Where a delivery is: its channel, and the platform's message when kept. */
struct store_where {
	char	*channel;
	char	*conversation;	/* the platform's channel or DM id, or NULL */
	char	*message_id;	/* the platform's id of the message, or NULL */
};

/* A person's own choices: a pause, an absence (local days, both included). */
struct store_person_state {
	int64_t	 paused_at;	/* 0: not paused */
	int64_t	 away_from;	/* -1: not away */
	int64_t	 away_until;
};

/* One answer as it is stored. */
struct store_reply {
	int64_t		 delivery_id;
	const char	*channel;
	const char	*user_id;
	const char	*user_name;
	const char	*text;
	int64_t		 received_at;
	const char	*source;	/* the route: a platform's name, or api */
	const char	*message_id;	/* unique per source */
};

/* One row of `nudged export`: a delivery and one of its replies (reply_id 0: none). */
struct store_export_row {
	int64_t		 delivery_id;
	const char	*schedule;
	const char	*channel;
	const char	*prompt_id;
	int64_t		 due_at;
	const char	*state;
	const char	*reason;
	int64_t		 attempts;
	int64_t		 sent_at;	/* 0: not sent */
	const char	*reply_code;
	int64_t		 reply_id;
	const char	*user_id;
	const char	*user_name;
	const char	*text;
	int64_t		 received_at;
	const char	*source;
	const char	*message_id;
};

/* What the habit measures look at (see store_stats.c). */
struct store_stats_scope {
	const char	*channel;	/* NULL: every channel */
	const char	*user;		/* NULL: everyone */
	int64_t		 since;		/* deliveries due from here; 0: all */
	int64_t		 now;
	struct store_away {
		const char	*user;
		const char	*channel;	/* NULL: every channel */
		int64_t		 from, until;
	}		*away;
	size_t		 naway;
	struct store_window {
		const char	*schedule;
		int64_t		 seconds;
	}		*windows;		/* answer windows by schedule */
	size_t		 nwindows;
	int64_t		 default_window;
	const struct tz	*tz;		/* the zone local days and weeks are read in */
	int		 kept;		/* read the kept measures (store_habits.c) */
	int		 rebuild;	/* ...built again from scratch first */
};

/* One result row of a stats query. */
struct store_row;
int64_t		 store_row_int(const struct store_row *, int col);
const char	*store_row_text(const struct store_row *, int col);
int		 store_row_is_null(const struct store_row *, int col);
typedef void	(*store_row_cb)(void *, const struct store_row *);

enum store_stats_query {
	STORE_STATS_PEOPLE,		/* channel, user, user_name, answers, deliveries, open */
	STORE_STATS_STREAKS,		/* channel, user, schedule, longest, current */
	STORE_STATS_LATENCY,		/* channel, user, median seconds */
	STORE_STATS_ACTIVE_WEEKS,	/* channel, user, weeks */
	STORE_STATS_USER_WEEKS,		/* channel, user, week, answers (from ?5) */
	STORE_STATS_USER_PROMPTS,	/* channel, user, prompt_id, answers */
	STORE_STATS_CHANNELS,		/* channel, deliveries, answers, people, missed, open */
	STORE_STATS_PARTICIPATION,	/* channel, delivery, due_at, schedule, prompt, answered_by, rank */
	STORE_STATS_CHANNEL_WEEKS,	/* channel, week, deliveries, answers, people (from ?5) */
	STORE_STATS_CHANNEL_DAYS,	/* channel, day, answers (from ?5) */
	STORE_STATS_TOP_PROMPTS,	/* channel, prompt_id, answers, rank */
};

#define STORE_FILE	"nudged.db"
#define STORE_LOCK_FILE	"nudged.lock"
/* The longest instance id kept with a claim: host name, pid, random. */
#define STORE_CLAIMANT_LEN	320

struct store	*store_open(const char *state_dir, char **cause);
struct store	*store_open_readonly(const char *state_dir, char **cause);
struct store	*store_open_for(const char *state_dir, const char *postgresql,
		    int readonly, char **cause);
/* Shared by several instances: conninfo is a secret, never in a message. */
struct store	*store_open_postgresql(const char *conninfo, char **cause);
struct store	*store_open_postgresql_readonly(const char *conninfo,
		    char **cause);
/* Any engine: the database is the store's from now on (closed on failure). */
struct store	*store_open_db(struct db *, const char *where, char **cause);
void		 store_close(struct store *);
int		 store_connected(struct store *);
int		 store_lock(const char *state_dir, int *fd, char **cause);
int		 store_schema_version(struct store *);
int		 store_latest_version(void);
const char	*store_state_name(enum store_state);
const char	*store_kind_name(enum store_kind);
enum store_kind	 store_kind_of(const char *);

int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);

int		 store_enqueue(struct store *, const struct store_delivery *,
		    int64_t *id);
int		 store_last_instant(struct store *, const char *schedule,
		    int64_t *out);
int		 store_set_last_instant(struct store *, const char *schedule,
		    int64_t instant);
int		 store_count_deliveries(struct store *, const char *schedule,
		    enum store_state, int64_t *count);
int		 store_load_history(struct store *, const char *channel,
		    const char *person, const char *schedule,
		    struct bank_history *);
int		 store_recover_sending(struct store *, int64_t now,
		    int64_t *count);
int		 store_next_attempt(struct store *, int64_t only, int64_t *at);
int		 store_due(struct store *, int64_t now, int64_t only,
		    size_t offset, size_t limit, struct store_outbox_row **,
		    size_t *n);
void		 store_outbox_free(struct store_outbox_row *, size_t);
int		 store_mark_sending(struct store *, int64_t id, int64_t now);
int		 store_mark_attempt(struct store *, int64_t id, int64_t now);
int		 store_mark_sent(struct store *, int64_t id, int64_t now);
int		 store_mark_retry(struct store *, int64_t id, int64_t next_at,
		    const char *error);
int		 store_mark_retry_held(struct store *, int64_t id,
		    int64_t next_at, const char *error);
int		 store_mark_failed(struct store *, int64_t id,
		    const char *reason);
int		 store_release(struct store *, int64_t id, int64_t now);
/* Who claims deliveries in this store (an instance's id) and for how many seconds. */
void		 store_set_claimant(struct store *, const char *instance,
		    int64_t lease);
/* Whether several instances may share this store (PostgreSQL). */
int		 store_shared(const struct store *);
/* Every table of an SQLite store into an empty PostgreSQL one, keeping ids. */
int		 store_copy(struct store *from, struct store *to, int64_t *rows,
		    char **cause);
int		 store_find_target(struct store *, const char *channel,
		    const char *code, int64_t since, struct store_target *);
void		 store_target_clear(struct store_target *);
int		 store_add_reply(struct store *, const struct store_reply *,
		    int64_t *id);
int		 store_streak_at(struct store *, const char *schedule,
		    const char *channel, const char *user_id, int64_t due_at,
		    int64_t *streak);
int		 store_each_export(struct store *,
		    void (*)(void *, const struct store_export_row *), void *);
int		 store_enqueue_reminders(struct store *, const char *schedule,
		    int64_t remind_after, int64_t window, int64_t now,
		    int64_t *count);
int		 store_each_recent_reply(struct store *, const char *channel,
		    int64_t since, int limit,
		    void (*)(void *, const char *, const char *), void *);
int		 store_forget(struct store *, const char *user,
		    const char *channel, int64_t *count);
int		 store_expire_replies(struct store *, int64_t before,
		    int64_t *count);
int		 store_stats_begin(struct store *,
		    const struct store_stats_scope *);
int		 store_stats_run(struct store *, enum store_stats_query,
		    int64_t from, store_row_cb, void *);
int		 store_stats_kept(struct store *);
int64_t		 store_habits_redone(struct store *);
void		 store_on_busy(struct store *, void (*)(void *), void *);
void		 store_stats_end(struct store *);
int		 store_integrity_check(struct store *, char **cause);
/* Bytes in a key made once per installation (store_keys.c). */
#define STORE_KEY_LEN	32
/*
 * The key that signs what nudged puts into callbacks a platform does not
 * sign, made on first need and kept: 0 with out set, or -1.
 */
int		 store_callback_key(struct store *, unsigned char *out);
/* Its proof of a callback naming delivery id and person (hex), or NULL. */
char		*store_callback_proof(struct store *, int64_t id,
		    const char *person);
int		 store_anon_set(struct store *, const char *const *channels,
		    size_t n);
int		 store_queue(struct store *, int64_t *depth, int64_t *oldest_due);

/* store_events.c: nudges opened by an event (POST /api/v1/nudges). */
struct store_event_row {
	int64_t	 id;
	char	*schedule;
	char	*person;	/* "" for the channel itself */
	char	*reply_code;
};
int		 store_set_event(struct store *, int64_t id, const char *event_id,
		    const char *context);
int		 store_event_deliveries(struct store *, const char *channel,
		    const char *event_id, struct store_event_row **, size_t *n);
void		 store_event_rows_free(struct store_event_row *, size_t);

/* store_people.c: people asked directly. */
int		 store_person_channel(struct store *, const char *channel,
		    const char *person, struct store_person_channel *);
void		 store_person_channel_clear(struct store_person_channel *);
int		 store_set_person_dm(struct store *, const char *channel,
		    const char *person, const char *dm_id);
int		 store_set_person_tz(struct store *, const char *channel,
		    const char *person, const char *tz, int64_t now);
int		 store_set_person_inactive(struct store *, const char *channel,
		    const char *person, const char *why);
int		 store_person_state(struct store *, const char *person,
		    struct store_person_state *);
int		 store_set_paused(struct store *, const char *person,
		    int64_t paused_at);
int		 store_set_away(struct store *, const char *person,
		    int64_t from_day, int64_t until_day);
int		 store_set_message(struct store *, int64_t id,
		    const char *message_channel, const char *message_id);
int		 store_message_of(struct store *, int64_t id,
		    char **message_channel, char **message_id);
int		 store_find_by_message(struct store *, const char *channel,
		    const char *message_channel, const char *message_id,
		    struct store_target *);
int		 store_find_for_person(struct store *, const char *channel,
		    const char *person, int64_t since, struct store_target *);
int		 store_previous_prompt(struct store *, const char *schedule,
		    const char *person, int64_t before, struct store_previous *);
void		 store_previous_clear(struct store_previous *);
int		 store_first_answer(struct store *, int64_t id, char **text,
		    int64_t *due_at);
int		 store_follow_up_waiting(struct store *, const char *schedule,
		    const char *person, int64_t at);

/* store_self.c: what a person looks up about themselves. */
int		 store_find_delivery(struct store *, int64_t id,
		    struct store_target *, struct store_where *);
void		 store_where_clear(struct store_where *);
int		 store_person_streak(struct store *, const char *schedule,
		    const char *person, const char *user_id, int64_t due_at,
		    int64_t *streak);
int		 store_person_rate(struct store *, const char *person,
		    const char *user_id, int64_t *sent, int64_t *answered);
int		 store_person_answers(struct store *, const char *person,
		    const char *user_id, int limit,
		    void (*)(void *, const struct store_target *, const char *),
		    void *);
int		 store_put_reply(struct store *, const struct store_reply *);

#endif
