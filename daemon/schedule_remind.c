/* SPDX-License-Identifier: ISC */
/*
 * Gentle reminders: a schedule with remind_after gives each nudge nobody
 * answered one more post once that long has passed (within its
 * answer_window). The scheduler runs these after every wake and sleeps no
 * later than the next one can come due.
 */
#include "schedule.h"

#include <inttypes.h>
#include <stdint.h>

#include "chat/chat.h"
#include "config.h"
#include "cron.h"
#include "log.h"
#include "metrics.h"
#include "store.h"

/*
 * Enqueue the reminders now due for every schedule with remind_after (see
 * store_enqueue_reminders), counting them into *enqueued.
 */
int
schedule_remind(struct store *st, const struct config *cfg, int64_t now,
    int *enqueued)
{
	const struct config_schedule *sc;
	int64_t n;
	int failed = 0;

	for (size_t i = 0; i < cfg->nschedules; i++) {
		sc = &cfg->schedules[i];
		if (sc->remind_after <= 0)
			continue;
		if (store_begin(st) == -1 ||
		    store_enqueue_reminders(st, sc->name, sc->remind_after,
		    sc->answer_window, now, &n) == -1 ||
		    store_commit(st) == -1) {
			store_rollback(st);
			failed = 1;
			continue;
		}
		if (n > 0)
			log_info("schedule %s: %" PRId64 " unanswered nudge%s get a "
			    "gentle reminder", sc->name, n, n == 1 ? "" : "s");
		*enqueued += (int)n;
		metrics_count_enqueued(sc->name, sc->channel->platform->name, n);
	}
	return failed ? -1 : 0;
}

/* When the next reminder may come due: a remind_after past a schedule's next instant. */
int64_t
schedule_next_reminder(const struct config *cfg, int64_t now)
{
	const struct config_schedule *sc;
	int64_t earliest = INT64_MAX, t;

	for (size_t i = 0; i < cfg->nschedules; i++) {
		sc = &cfg->schedules[i];
		if (sc->remind_after <= 0 || cron_next(sc->cron, sc->tz,
		    now - sc->remind_after, &t) == -1)
			continue;
		if (t + sc->remind_after < earliest)
			earliest = t + sc->remind_after;
	}
	return earliest;
}
