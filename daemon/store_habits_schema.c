/* SPDX-License-Identifier: ISC */
/*
 * The migration that adds the habit measures the store keeps
 * (store_habits.c): per person their first answered nudge; per person and
 * schedule the runs of counted nudges; per person their times to answer,
 * weeks with an answer and answers per prompt; the recent weeks and days
 * (store_habits_recent.c); the away ranges the kept part was built under
 * (store_habits_away.c); and the people a change touched since. Triggers note those in the change's own transaction, so
 * no write path can forget to. The tables are clustered by their keys
 * (WITHOUT ROWID), which is the order a read walks them in.
 */
#include "store_int.h"

const char store_habits_schema[] =
	"CREATE TABLE habits_people ("
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  first_due INTEGER NOT NULL,"
	"  PRIMARY KEY (channel, user_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_runs ("
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  schedule TEXT NOT NULL,"
	"  first_due INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  answers INTEGER NOT NULL,"
	"  head INTEGER NOT NULL,"
	"  tail INTEGER NOT NULL,"
	"  longest INTEGER NOT NULL,"
	"  PRIMARY KEY (channel, user_id, schedule)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_latency ("
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  seconds INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (channel, user_id, seconds)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_active ("
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  week INTEGER NOT NULL,"
	"  PRIMARY KEY (channel, user_id, week)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_prompts ("
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  prompt_id TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (channel, user_id, prompt_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_user_weeks ("
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  week INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (week, channel, user_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_channel_weeks ("
	"  channel TEXT NOT NULL,"
	"  week INTEGER NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (week, channel, user_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_days ("
	"  channel TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (day, channel)"
	") WITHOUT ROWID;"
	"CREATE TABLE habits_away ("
	"  user_id TEXT NOT NULL,"
	"  channel TEXT,"		/* NULL: every channel */
	"  from_at INTEGER NOT NULL,"
	"  until_at INTEGER NOT NULL"
	");"
	/*
	 * Recent answers (trends, heatmap, retention) from the index alone,
	 * and one person's on every channel.
	 */
	"CREATE INDEX replies_by_time ON replies (received_at, channel, "
	"  user_id, delivery_id);"
	"CREATE INDEX replies_by_person ON replies (user_id, received_at);"
	"CREATE TABLE habits_dirty ("
	"  id INTEGER PRIMARY KEY,"
	"  channel TEXT NOT NULL,"
	"  user_id TEXT,"		/* NULL: everyone on the channel */
	"  due_at INTEGER NOT NULL,"
	"  received_at INTEGER"		/* an answer's; NULL for a nudge */
	");"
	"CREATE TRIGGER habits_reply_added AFTER INSERT ON replies BEGIN "
	"  INSERT INTO habits_dirty (channel, user_id, due_at, received_at) "
	"  SELECT new.channel, new.user_id, d.due_at, new.received_at FROM "
	"  deliveries d WHERE d.id = new.delivery_id; END;"
	"CREATE TRIGGER habits_reply_deleted AFTER DELETE ON replies BEGIN "
	"  INSERT INTO habits_dirty (channel, user_id, due_at, received_at) "
	"  SELECT old.channel, old.user_id, d.due_at, old.received_at FROM "
	"  deliveries d WHERE d.id = old.delivery_id; END;"
	"CREATE TRIGGER habits_sent_added AFTER INSERT ON deliveries WHEN "
	"  new.state = 'sent' AND new.kind = 'prompt' BEGIN INSERT INTO "
	"  habits_dirty (channel, user_id, due_at) VALUES (new.channel, NULL, "
	"  new.due_at); END;"
	"CREATE TRIGGER habits_sent_changed AFTER UPDATE OF state ON deliveries "
	"  WHEN new.kind = 'prompt' AND (new.state = 'sent' OR old.state = "
	"  'sent') BEGIN INSERT INTO habits_dirty (channel, user_id, due_at) "
	"  VALUES (new.channel, NULL, new.due_at); END;";
