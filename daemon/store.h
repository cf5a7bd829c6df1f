/* nudged's store: one SQLite database (WAL) under the state folder. */
#ifndef NUDGED_STORE_H
#define NUDGED_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_state {
	STORE_PENDING,
	STORE_SENDING,
	STORE_SENT,
	STORE_FAILED,
	STORE_SKIPPED,
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
};

struct bank_history;

/* A delivery the outbox is about to send. */
struct store_outbox_row {
	int64_t	 id;
	char	*schedule;
	char	*channel;
	char	*prompt_id;
	int64_t	 due_at;
	int64_t	 attempts;
	char	*reply_code;
};

#define STORE_FILE	"nudged.db"
#define STORE_LOCK_FILE	"nudged.lock"

struct store	*store_open(const char *state_dir, char **cause);
struct store	*store_open_readonly(const char *state_dir, char **cause);
void		 store_close(struct store *);
int		 store_lock(const char *state_dir, int *fd, char **cause);
int		 store_schema_version(struct store *);
int		 store_latest_version(void);
const char	*store_state_name(enum store_state);

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
		    const char *schedule, struct bank_history *);
int		 store_recover_sending(struct store *, int64_t now,
		    int64_t *count);
int		 store_next_attempt(struct store *, int64_t *at);
int		 store_due(struct store *, int64_t now, int64_t only,
		    size_t offset, size_t limit, struct store_outbox_row **,
		    size_t *n);
void		 store_outbox_free(struct store_outbox_row *, size_t);
int		 store_mark_sending(struct store *, int64_t id, int64_t now);
int		 store_mark_attempt(struct store *, int64_t id, int64_t now);
int		 store_mark_sent(struct store *, int64_t id, int64_t now);
int		 store_mark_retry(struct store *, int64_t id, int64_t next_at,
		    const char *error, int keep_sending);
int		 store_mark_failed(struct store *, int64_t id,
		    const char *reason);
int		 store_release(struct store *, int64_t id, int64_t now);
int		 store_integrity_check(struct store *, char **cause);

#endif
