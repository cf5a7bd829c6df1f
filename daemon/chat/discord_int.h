/* SPDX-License-Identifier: ISC */
/*
 * What Discord's files share: the message a nudge makes (discord.c), the
 * bot API calls and their answers (discord_api.c), and the button, modal
 * and /reflect interactions (discord_interact.c).
 */
#ifndef NUDGED_CHAT_DISCORD_INT_H
#define NUDGED_CHAT_DISCORD_INT_H

#include "chat/chat_int.h"

/* Where the API lives; a channel's "api_url" replaces it in tests. */
#define DISCORD_API_BASE	"https://discord.com/api/v10"
/* The Answer button's and the modal's custom_id: this, ':', a delivery id. */
#define DISCORD_ANSWER_ID	"nudged_answer"
/* The modal's text input. */
#define DISCORD_INPUT_ID	"answer"
/* A paragraph text input holds at most 4,000 characters. */
#define DISCORD_INPUT_MAX	4000
/*
 * The characters escaped wherever they are: Discord's Markdown, and the
 * brackets and parentheses of a masked link, [text](url), which embed
 * titles and descriptions render as live links ("Markdown Text 101",
 * support.discord.com/hc/en-us/articles/210298617; a backslash makes a
 * character literal). Link previews (embeds) come only from URLs in a
 * message's content, which holds nudged's own words, never a prompt's.
 */
#define DISCORD_SPECIALS	"\\*_~`|>[]()"

/* The direct messages and the answer form, for the row in discord.c. */
extern const struct chat_direct discord_direct;
extern const struct chat_forms discord_forms;

/*
 * The message of a nudge: content, the embed and allowed_mentions, as an
 * Execute Webhook or Create Message body; NULL and a cause when a field is
 * over Discord's limits.
 */
struct cJSON	*discord_message(const struct chat_nudge *,
		    const struct config_channel *, char **cause);
/* Read an interaction: a button click, a modal's submission. -1 when malformed. */
int		 discord_interact_component(const struct cJSON *,
		    struct chat_answer *, char **cause);
int		 discord_interact_submit(const struct cJSON *,
		    struct chat_answer *, char **cause);
/* The person who sent an interaction: user in a DM, member.user in a server. */
int		 discord_interact_user(const struct cJSON *, struct chat_answer *,
		    char **cause);
/* The answer to a submission: the message updated (type 7), its button off. */
char		*discord_interact_answered(int64_t streak,
		    const char **content_type);
/* s cut to at most max characters, ending in an ellipsis when cut. */
char		*discord_cut(const char *, size_t max);
/* An ephemeral message only the caller sees (type 4). */
char		*discord_interact_ephemeral(const char *message,
		    const char **content_type);

#endif
