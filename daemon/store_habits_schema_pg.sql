-- SPDX-License-Identifier: ISC
-- The PostgreSQL text of the kept habit measures' migration (SQLite's is
-- store_habits_schema.c): to be pasted into store_schema_pg.c's list as
-- migration 11 when branch pg lands. Same tables and keys; BIGINT for
-- instants; text compared bytewise; triggers through plpgsql functions.
CREATE TABLE habits_people (
  channel TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  first_due BIGINT NOT NULL,
  PRIMARY KEY (channel, user_id)
);
CREATE TABLE habits_runs (
  channel TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  schedule TEXT COLLATE "C" NOT NULL,
  first_due BIGINT NOT NULL,
  n BIGINT NOT NULL,
  answers BIGINT NOT NULL,
  head BIGINT NOT NULL,
  tail BIGINT NOT NULL,
  longest BIGINT NOT NULL,
  PRIMARY KEY (channel, user_id, schedule)
);
CREATE TABLE habits_latency (
  channel TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  seconds BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (channel, user_id, seconds)
);
CREATE TABLE habits_active (
  channel TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  week BIGINT NOT NULL,
  PRIMARY KEY (channel, user_id, week)
);
CREATE TABLE habits_prompts (
  channel TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  prompt_id TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (channel, user_id, prompt_id)
);
CREATE TABLE habits_user_weeks (
  channel TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  week BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (week, channel, user_id)
);
CREATE TABLE habits_channel_weeks (
  channel TEXT COLLATE "C" NOT NULL,
  week BIGINT NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (week, channel, user_id)
);
CREATE TABLE habits_days (
  channel TEXT COLLATE "C" NOT NULL,
  day BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (day, channel)
);
CREATE TABLE habits_away (
  user_id TEXT COLLATE "C" NOT NULL,
  channel TEXT COLLATE "C",
  from_at BIGINT NOT NULL,
  until_at BIGINT NOT NULL
);
CREATE INDEX replies_by_time ON replies (received_at, channel, user_id,
  delivery_id);
CREATE INDEX replies_by_person ON replies (user_id, received_at);
CREATE TABLE habits_dirty (
  id BIGSERIAL PRIMARY KEY,
  channel TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C",
  due_at BIGINT NOT NULL,
  received_at BIGINT
);
CREATE FUNCTION habits_reply_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO habits_dirty (channel, user_id, due_at, received_at)
      SELECT OLD.channel, OLD.user_id, d.due_at, OLD.received_at
      FROM deliveries d WHERE d.id = OLD.delivery_id;
  ELSE
    INSERT INTO habits_dirty (channel, user_id, due_at, received_at)
      SELECT NEW.channel, NEW.user_id, d.due_at, NEW.received_at
      FROM deliveries d WHERE d.id = NEW.delivery_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER habits_reply_touched AFTER INSERT OR DELETE ON replies
  FOR EACH ROW EXECUTE FUNCTION habits_reply_touched();
CREATE FUNCTION habits_sent_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO habits_dirty (channel, user_id, due_at, received_at)
    VALUES (NEW.channel, NULL, NEW.due_at, NULL);
  RETURN NULL;
END $$;
CREATE TRIGGER habits_sent_added AFTER INSERT ON deliveries FOR EACH ROW
  WHEN (NEW.state = 'sent' AND NEW.kind = 'prompt')
  EXECUTE FUNCTION habits_sent_touched();
CREATE TRIGGER habits_sent_changed AFTER UPDATE OF state ON deliveries
  FOR EACH ROW WHEN (NEW.kind = 'prompt' AND (NEW.state = 'sent' OR
  OLD.state = 'sent'))
  EXECUTE FUNCTION habits_sent_touched();
