/* SPDX-License-Identifier: ISC */
/*
 * Adding one nudge to the outbox: the prompt the bank picks from the
 * channel's or person's history (a follow-up of their last answer first),
 * at a due instant for the scheduler, or now for `nudged send` and for an
 * event's POST /api/v1/nudges.
 */
#include "schedule.h"

#include "bank.h"
#include "config.h"
#include "followup.h"
#include "store.h"

/*
 * Add a delivery of sc at instant at, in state (pending for the outbox, or
 * sending for `nudged send`, which posts it itself), carrying the prompt
 * the bank picks from the channel's history. 1 added (and *id), 0 already
 * there, -1 store error; 2 when there is nothing to send (a finished track):
 * the instant is then recorded as skipped and *cause says why.
 */
int
schedule_enqueue(struct store *st, const struct bank *bank,
    const struct config_schedule *sc, const char *person, int64_t at,
    enum store_state state, int64_t *id, char **cause)
{
	struct store_delivery d = {
		.schedule = sc->name,
		.channel = sc->channel->name,
		.due_at = at,
		.state = state,
		.person = person,
	};
	struct bank_history h = { 0 };
	const struct bank_prompt *p;
	int rc;

	*cause = NULL;
	/* Each person's own rotation: no repeat for them within a cycle. */
	if (store_load_history(st, sc->channel->name, person != NULL ? person :
	    "", sc->name, &h) == -1) {
		bank_history_clear(&h);
		return -1;
	}
	h.at = at;
	if ((p = bank_pick(bank, sc, &h, &d.cycle, cause)) == NULL) {
		d.state = STORE_SKIPPED;
		d.reason = *cause;
		rc = store_enqueue(st, &d, NULL);
		bank_history_clear(&h);
		return rc == -1 ? -1 : 2;
	}
	d.prompt_id = p->id;
	/* The follow-up of their last answer goes first (followup.c). */
	if (person != NULL && state == STORE_PENDING &&
	    followup_enqueue(st, bank, sc, person, at) == -1) {
		bank_history_clear(&h);
		return -1;
	}
	rc = store_enqueue(st, &d, id);
	bank_history_clear(&h);
	return rc;
}

/*
 * One nudge of sc now, outside its timetable: for `nudged send` (ev NULL),
 * held in `sending` for the caller to post; for an event (POST
 * /api/v1/nudges), pending for the outbox and marked with the event's id and
 * context line, in the same transaction. An instant is unique per schedule,
 * so it takes the first second from now the schedule has not used. 1 and
 * *id, 2 when the bank has nothing to send (*cause says why), 0 when the
 * next minute is taken, -1 on a store error.
 */
int
schedule_enqueue_now(struct store *st, const struct bank *bank,
    const struct config_schedule *sc, const char *person, int64_t now,
    const struct schedule_event *ev, int64_t *id, char **cause)
{
	int rc = 0;

	for (int64_t at = now; rc == 0 && at < now + 60; at++) {
		if (store_begin(st) == -1)
			return -1;
		rc = schedule_enqueue(st, bank, sc, person, at, ev != NULL ?
		    STORE_PENDING : STORE_SENDING, id, cause);
		if (rc == 1 && ev != NULL && store_set_event(st, *id, ev->id,
		    ev->context) == -1)
			rc = -1;
		if (rc == -1 || store_commit(st) == -1) {
			store_rollback(st);
			return -1;
		}
	}
	return rc;
}
