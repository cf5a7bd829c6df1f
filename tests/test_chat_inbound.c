/* SPDX-License-Identifier: ISC */
/* Chat platforms, inbound: parsing real-shaped requests of every form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "chat/chat_int.h"
#include "inbound.h"
#include "config.h"
#include "sig.h"

#define FORM	"application/x-www-form-urlencoded"
#define JSON	"application/json"


static void		 parse_fails(const char *, const char *, const char *,
			    const char *);
static void		 parse_ignored(const char *, const char *, const char *);
static void		 parse_file(const char *, const char *, const char *,
			    struct chat_answer *);


/* Parse a sample payload file. */
static void
parse_file(const char *name, const char *type, const char *file,
    struct chat_answer *a)
{
	char	*body = inbound_data_file(file);

	inbound_parse_ok(name, type, body, a);
	free(body);
}

/* Parse body on platform name; it must fail with a cause containing want. */
static void
parse_fails(const char *name, const char *type, const char *body,
    const char *want)
{
	const struct chat_platform	*p = chat_find(name);
	struct inbound_request			 r = { .body = body, .type = type };
	struct chat_inbound		 in = inbound_of(&r);
	struct chat_answer		 a;
	char				*cause = NULL;

	assert_non_null(p);
	memset(&a, 0x5a, sizeof a);
	if (p->parse(&in, &a, &cause) != -1)
		fail_msg("%s: parsed %.60s", name, body);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("%s: cause \"%s\" lacks \"%s\"", name, cause, want);
	/* A failed parse leaves nothing to free. */
	assert_null(a.user_id);
	assert_null(a.text);
	assert_null(a.code);
	assert_null(a.handshake);
	free(cause);
}

/* Parse body; it must be ignored, with nothing to store. */
static void
parse_ignored(const char *name, const char *type, const char *body)
{
	struct chat_answer	 a;

	inbound_parse_ok(name, type, body, &a);
	assert_int_equal(a.kind, CHAT_IN_IGNORE);
	assert_null(a.user_id);
	assert_null(a.text);
	assert_null(a.message_id);
	chat_answer_free(&a);
}

/* Every receiving row has all inbound fields; the others none. */
static void
test_table(void **state)
{
	const char	*in[] = { "slack", "teams", "discord", "mattermost" };
	const char	*out[] = { "webhook", "googlechat", "console" };
	const struct chat_platform *p;
	size_t		 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		p = chat_find(in[i]);
		assert_non_null(p);
		assert_non_null(p->routes);
		assert_non_null(p->routes[0].accepts);
		assert_non_null(p->parse);
		assert_non_null(p->has_secret);
		assert_non_null(p->verify);
		assert_non_null(p->respond);
		assert_non_null(strstr(p->routes[0].accepts, JSON));
	}
	assert_non_null(strstr(chat_slack.routes[0].accepts, FORM));
	assert_non_null(strstr(chat_mattermost.routes[0].accepts, FORM));
	assert_null(strstr(chat_teams.routes[0].accepts, FORM));
	assert_null(strstr(chat_discord.routes[0].accepts, FORM));
	for (i = 0; i < 3; i++) {
		p = chat_find(out[i]);
		assert_non_null(p);
		assert_null(p->routes);
		assert_null(p->parse);
		assert_null(p->has_secret);
		assert_null(p->verify);
		assert_null(p->respond);
	}
}

/* /reflect with a code: '+' is a space, %2B a plus, &amp; decoded once. */
static void
test_slack_command(void **state)
{
	struct chat_answer	 a;

	(void)state;
	parse_file("slack", FORM, "slack-command.txt", &a);
	assert_int_equal(a.kind, CHAT_IN_ANSWER);
	assert_int_equal(a.via, CHAT_VIA_COMMAND);
	assert_string_equal(a.user_id, "U2147483697");
	assert_string_equal(a.user_name, "Steve");
	assert_string_equal(a.code, "k7qx");
	assert_string_equal(a.text,
	    "1+1 is 2 & <better> together \xe2\x9c\x85 100%");
	assert_string_equal(a.message_id,
	    "13345224609.738474920.8088930838d88f5b1d4c9f4c7e4b4f2f");
	assert_string_equal(a.route_key, "C2147483705");
	assert_null(a.thread);
	assert_null(a.handshake);
	chat_answer_free(&a);

	parse_file("slack", FORM, "slack-command-nocode.txt", &a);
	assert_null(a.code);
	assert_string_equal(a.text, "Listening more than talking.");
	assert_string_equal(a.message_id,
	    "13345224609.738474920.aaaa0000bbbb1111cccc2222dddd3333");
	chat_answer_free(&a);
	/* chat_answer_free leaves the struct empty; a second call is harmless. */
	chat_answer_free(&a);
	assert_null(a.text);
}

/* How the first word is read as a code, and put back. */
static void
test_code_rule(void **state)
{
	struct chat_answer	 a;

	(void)state;
	/* A word the code alphabet spells is a code when text follows... */
	inbound_parse_ok("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=That+went+well", &a);
	assert_string_equal(a.code, "That");
	assert_string_equal(a.text, "went well");
	/* ...and goes back when no delivery has it. */
	chat_answer_restore_code(&a);
	assert_null(a.code);
	assert_string_equal(a.text, "That went well");
	chat_answer_restore_code(&a);
	assert_string_equal(a.text, "That went well");
	chat_answer_free(&a);

	/* Not codes: too long, O and I are not in the alphabet, five chars. */
	inbound_parse_ok("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=Good+call+K7QXA", &a);
	assert_null(a.code);
	assert_string_equal(a.text, "Good call K7QXA");
	chat_answer_free(&a);

	/* A lone word: an answer unless it has a digit or is all capitals. */
	inbound_parse_ok("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=calm", &a);
	assert_null(a.code);
	assert_string_equal(a.text, "calm");
	chat_answer_free(&a);
	inbound_parse_ok("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=+Same+", &a);
	assert_null(a.code);
	assert_string_equal(a.text, "Same");
	chat_answer_free(&a);
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=K7QX", "empty answer");
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=+k7qx%0A", "empty answer");
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=KXQZ", "empty answer");
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=", "empty answer");
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=+++%09", "empty answer");

	/* Tabs and newlines separate the code too. */
	inbound_parse_ok("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=H2MP%0A%0Afirst+line%0Asecond", &a);
	assert_string_equal(a.code, "H2MP");
	assert_string_equal(a.text, "first line\nsecond");
	assert_null(a.user_name);
	chat_answer_free(&a);
}

/* Events API: handshake, thread replies, and what is ignored. */
static void
test_slack_events(void **state)
{
	struct chat_answer	 a;
	char			*body;

	(void)state;
	parse_file("slack", JSON, "slack-url-verification.json", &a);
	assert_int_equal(a.kind, CHAT_IN_HANDSHAKE);
	assert_string_equal(a.handshake, "{\"challenge\":\"3eZbrw1aBm2rZgRNFdxV"
	    "2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"}");
	assert_string_equal(a.handshake_type, "application/json");
	assert_null(a.user_id);
	chat_answer_free(&a);

	parse_file("slack", JSON, "slack-thread-reply.json", &a);
	assert_int_equal(a.kind, CHAT_IN_ANSWER);
	assert_int_equal(a.via, CHAT_VIA_MESSAGE);
	assert_string_equal(a.user_id, "U123ABC456");
	assert_null(a.user_name);
	assert_string_equal(a.code, "K7QX");
	assert_string_equal(a.text,
	    "I <3 how we paired on the bug & shipped it");
	assert_string_equal(a.message_id, "Ev123ABC456");
	assert_string_equal(a.route_key, "C123ABC456");
	assert_string_equal(a.thread, "1355517500.000001");
	chat_answer_free(&a);

	body = inbound_data_file("slack-bot-message.json");
	parse_ignored("slack", JSON, body);
	free(body);
	body = inbound_data_file("slack-edit.json");
	parse_ignored("slack", JSON, body);
	free(body);
	body = inbound_data_file("slack-channel-message.json");
	parse_ignored("slack", JSON, body);
	free(body);

	/* The thread's parent (thread_ts == ts) is not a reply. */
	parse_ignored("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"message\","
	    "\"user\":\"U1\",\"channel\":\"C1\",\"text\":\"hi\","
	    "\"ts\":\"1.1\",\"thread_ts\":\"1.1\"}}");
	/* A bot without a subtype; a join; other events; other envelopes. */
	parse_ignored("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"message\","
	    "\"bot_id\":\"B1\",\"channel\":\"C1\",\"text\":\"hi\","
	    "\"ts\":\"1.2\",\"thread_ts\":\"1.1\"}}");
	parse_ignored("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"message\","
	    "\"subtype\":\"channel_join\",\"user\":\"U1\",\"channel\":\"C1\","
	    "\"text\":\"<@U1> has joined\",\"ts\":\"1.2\"}}");
	parse_ignored("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"app_mention\","
	    "\"user\":\"U1\",\"channel\":\"C1\",\"text\":\"<@U2> K7QX hi\","
	    "\"ts\":\"1.2\",\"thread_ts\":\"1.1\"}}");
	parse_ignored("slack", JSON, "{\"type\":\"app_rate_limited\","
	    "\"team_id\":\"T1\",\"minute_rate_limited\":1518467820}");
	/* A reply that only shares a file. */
	parse_ignored("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"message\","
	    "\"subtype\":\"file_share\",\"user\":\"U1\",\"channel\":\"C1\","
	    "\"text\":\" \",\"ts\":\"1.2\",\"thread_ts\":\"1.1\"}}");

	/* "Also send to channel" is still a person's thread reply. */
	inbound_parse_ok("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev9\",\"event\":{\"type\":\"message\","
	    "\"subtype\":\"thread_broadcast\",\"user\":\"U1\","
	    "\"channel\":\"C1\",\"text\":\"Shared widely\",\"ts\":\"1.2\","
	    "\"thread_ts\":\"1.1\",\"bot_id\":null}}", &a);
	assert_int_equal(a.kind, CHAT_IN_ANSWER);
	assert_string_equal(a.text, "Shared widely");
	assert_string_equal(a.message_id, "Ev9");
	chat_answer_free(&a);
}

/* Teams: the webhook's mention goes, markup and entities are undone. */
static void
test_teams(void **state)
{
	struct chat_answer	 a;

	(void)state;
	parse_file("teams", JSON, "teams-mention.json", &a);
	assert_int_equal(a.kind, CHAT_IN_ANSWER);
	assert_int_equal(a.via, CHAT_VIA_MESSAGE);
	assert_string_equal(a.user_id, "29:1abcDEFghiJKLmnoPQRstuVWXyz012345"
	    "6789-AbCdEfGhIjKlMnOpQrStUvWxYz");
	assert_string_equal(a.user_name, "Ana Lima");
	assert_string_equal(a.code, "K7QX");
	assert_string_equal(a.text, "I'd say \"listen first\" & ask <why>\n"
	    "Thanks Larry Brown");
	assert_string_equal(a.message_id, "1712345678901");
	assert_string_equal(a.route_key,
	    "19:4a9e2f1c0b8d4e7f9a6b5c3d2e1f0a9b@thread.tacv2");
	assert_string_equal(a.thread, "1712345000000");
	chat_answer_free(&a);

	/* No channelData: the channel is conversation.id up to ';'. */
	inbound_parse_ok("teams", JSON, "{\"type\":\"message\",\"id\":\"1\","
	    "\"from\":{\"id\":\"29:x\"},\"conversation\":{\"id\":"
	    "\"19:abc@thread.skype;messageid=42\"},\"text\":"
	    "\"<AT>Bot</AT> <p>One</p><p>Two &#x1F600; &#128512;</p>\"}", &a);
	assert_null(a.user_name);
	assert_null(a.code);
	assert_string_equal(a.text, "One\nTwo \xf0\x9f\x98\x80 "
	    "\xf0\x9f\x98\x80");
	assert_string_equal(a.route_key, "19:abc@thread.skype");
	assert_string_equal(a.thread, "42");
	chat_answer_free(&a);

	/* Other activities are ignored; a bare mention is no answer. */
	parse_ignored("teams", JSON, "{\"type\":\"conversationUpdate\","
	    "\"id\":\"1\"}");
	parse_fails("teams", JSON, "{\"type\":\"message\",\"id\":\"1\","
	    "\"from\":{\"id\":\"29:x\"},\"text\":\"<at>nudged</at>&nbsp; \"}",
	    "empty answer");
}

/* Discord: PING, the command in a server and in a DM. */
static void
test_discord(void **state)
{
	struct chat_answer	 a;

	(void)state;
	parse_file("discord", JSON, "discord-ping.json", &a);
	assert_int_equal(a.kind, CHAT_IN_HANDSHAKE);
	assert_string_equal(a.handshake, "{\"type\":1}");
	assert_string_equal(a.handshake_type, "application/json");
	chat_answer_free(&a);

	parse_file("discord", JSON, "discord-command.json", &a);
	assert_int_equal(a.kind, CHAT_IN_ANSWER);
	assert_int_equal(a.via, CHAT_VIA_COMMAND);
	assert_string_equal(a.user_id, "300000000000000001");
	assert_string_equal(a.user_name, "Ana Lima");
	assert_string_equal(a.code, "k7qx");
	assert_string_equal(a.text, "Asking *why* before **how** @everyone");
	assert_string_equal(a.message_id, "1185000000000000400");
	assert_string_equal(a.route_key, "1185000000000000200");
	assert_null(a.thread);
	chat_answer_free(&a);

	/* In a DM: user, not member; global_name null gives username. */
	parse_file("discord", JSON, "discord-dm.json", &a);
	assert_string_equal(a.user_id, "300000000000000002");
	assert_string_equal(a.user_name, "bo");
	/* No code option: a code may open the answer. */
	assert_string_equal(a.code, "H2MP");
	assert_string_equal(a.text, "Slowing down in standups");
	assert_string_equal(a.message_id, "1185000000000000600");
	assert_string_equal(a.route_key, "1185000000000000500");
	chat_answer_free(&a);

	/* A code option of blanks is none; with a code option, no split. */
	inbound_parse_ok("discord", JSON, "{\"type\":2,\"id\":\"9\",\"channel_id\":"
	    "\"8\",\"user\":{\"id\":\"7\"},\"data\":{\"name\":\"reflect\","
	    "\"options\":[{\"name\":\"code\",\"type\":3,\"value\":\"  \"},"
	    "{\"name\":\"answer\",\"type\":3,\"value\":\"Calm down\"}]}}", &a);
	assert_null(a.code);
	assert_string_equal(a.text, "Calm down");
	assert_null(a.user_name);
	chat_answer_free(&a);
	inbound_parse_ok("discord", JSON, "{\"type\":2,\"id\":\"9\",\"channel_id\":"
	    "\"8\",\"user\":{\"id\":\"7\"},\"data\":{\"name\":\"reflect\","
	    "\"options\":[{\"name\":\"code\",\"type\":3,\"value\":\" K7QX \"},"
	    "{\"name\":\"answer\",\"type\":3,\"value\":\"H2MP is a code\"},"
	    "{\"name\":\"later\",\"type\":5,\"value\":true}]}}", &a);
	assert_string_equal(a.code, "K7QX");
	assert_string_equal(a.text, "H2MP is a code");
	chat_answer_free(&a);

	/* Other interactions and commands are not ours. */
	parse_fails("discord", JSON, "{\"type\":4,\"id\":\"9\"}",
	    "interaction type 4 is not one nudged answers");
	parse_fails("discord", JSON, "{\"type\":3,\"id\":\"9\",\"data\":"
	    "{\"custom_id\":\"someone_elses\"}}", "not nudged's Answer button");
	parse_fails("discord", JSON, "{\"type\":2,\"id\":\"9\",\"channel_id\":"
	    "\"8\",\"user\":{\"id\":\"7\"},\"data\":{\"name\":\"other\"}}",
	    "not /reflect");
	parse_fails("discord", JSON, "{\"type\":2,\"id\":\"9\",\"channel_id\":"
	    "\"8\",\"user\":{\"id\":\"7\"},\"data\":{\"name\":\"reflect\","
	    "\"options\":[]}}", "missing option \"answer\"");
	parse_fails("discord", JSON, "{\"type\":2,\"id\":\"9\",\"channel_id\":"
	    "\"8\",\"user\":{\"id\":\"7\"},\"data\":{\"name\":\"reflect\","
	    "\"options\":[{\"name\":\"answer\",\"value\":5}]}}",
	    "\"data.options[answer].value\" must be a string, not a number");
	parse_fails("discord", JSON, "{\"type\":2,\"id\":\"9\",\"channel_id\":"
	    "\"8\",\"member\":{\"nick\":\"x\"},\"data\":{\"name\":\"reflect\","
	    "\"options\":[{\"name\":\"answer\",\"value\":\"a\"}]}}",
	    "missing \"member.user\"");
	parse_fails("discord", JSON, "{\"type\":1.5}", "whole number");
	parse_fails("discord", JSON, "{\"type\":\"1\"}",
	    "\"type\" must be a number, not a string");
}

/* Mattermost: outgoing webhooks (form, JSON) and slash commands. */
static void
test_mattermost(void **state)
{
	struct chat_answer	 a;

	(void)state;
	parse_file("mattermost", FORM, "mattermost-outgoing.txt", &a);
	assert_int_equal(a.kind, CHAT_IN_ANSWER);
	assert_int_equal(a.via, CHAT_VIA_MESSAGE);
	assert_string_equal(a.user_id, "h7c4n2q9wjd1ke5ty8mzbx3ruo");
	assert_string_equal(a.user_name, "ana.lima");
	assert_string_equal(a.code, "K7QX");
	assert_string_equal(a.text, "Listening first, @channel later");
	assert_string_equal(a.message_id, "z1d9r5t7mxfw3cye8h4nkq2pbo");
	assert_string_equal(a.route_key, "q8d3w1z7ejfhbn6xk5ry9cu2to");
	chat_answer_free(&a);

	/* A "starts with" trigger: the whole first word goes. */
	parse_file("mattermost", JSON, "mattermost-outgoing.json", &a);
	assert_int_equal(a.via, CHAT_VIA_MESSAGE);
	assert_null(a.code);
	assert_string_equal(a.text, "Pairing helped more than I expected");
	assert_string_equal(a.message_id, "a2e8s6u4nyg1dzf9j5plr3qcbo");
	chat_answer_free(&a);

	parse_file("mattermost", FORM, "mattermost-slash.txt", &a);
	assert_int_equal(a.via, CHAT_VIA_COMMAND);
	assert_string_equal(a.code, "H2MP");
	assert_string_equal(a.text, "Less context switching");
	assert_string_equal(a.message_id, "dHJpZ2dlcjoxMjM0NTY3ODkw");
	assert_string_equal(a.route_key, "q8d3w1z7ejfhbn6xk5ry9cu2to");
	chat_answer_free(&a);

	/* A channel-triggered hook has no trigger word: all text counts. */
	inbound_parse_ok("mattermost", JSON, "{\"user_id\":\"u\",\"channel_id\":\"c\","
	    "\"post_id\":\"p\",\"trigger_word\":\"\",\"text\":\"reflect on "
	    "this\"}", &a);
	assert_string_equal(a.text, "reflect on this");
	chat_answer_free(&a);

	parse_fails("mattermost", FORM, "user_id=u&channel_id=c&text=hi",
	    "missing \"post_id\"");
	parse_fails("mattermost", FORM, "command=%2Freflect&user_id=u&"
	    "channel_id=c&text=hi", "missing \"trigger_id\"");
	parse_fails("mattermost", FORM, "user_id=u&channel_id=c&post_id=p&"
	    "trigger_word=reflect&text=reflect", "empty answer");
}

/* Bodies that must be refused, each with a cause naming the problem. */
static void
test_malformed(void **state)
{
	char	*big, *body;
	size_t	 i;

	(void)state;
	parse_fails("slack", JSON, "{\"type\":\"event_callback\",\"ev",
	    "not valid JSON");
	parse_fails("slack", JSON, "{\"type\":\"url_verification\"} x",
	    "not valid JSON");
	parse_fails("slack", JSON, "[1,2]", "not a JSON object");
	parse_fails("slack", JSON, "", "not valid JSON");
	parse_fails("slack", "text/plain", "hello", "neither a form nor JSON");
	parse_fails("slack", JSON, "{\"type\":5}",
	    "\"type\" must be a string, not a number");
	parse_fails("slack", JSON, "{\"type\":\"url_verification\"}",
	    "missing \"challenge\"");
	parse_fails("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"message\","
	    "\"user\":42,\"channel\":\"C1\",\"text\":\"hi\",\"ts\":\"1.2\","
	    "\"thread_ts\":\"1.1\"}}",
	    "\"event.user\" must be a string, not a number");
	parse_fails("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"message\","
	    "\"channel\":\"C1\",\"text\":\"hi\",\"ts\":\"1.2\","
	    "\"thread_ts\":\"1.1\"}}", "missing \"event.user\"");
	parse_fails("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event\":[]}", "\"event\" must be an object, not an array");
	parse_fails("slack", JSON, "{\"type\":\"event_callback\","
	    "\"event_id\":\"Ev1\",\"event\":{\"type\":\"message\","
	    "\"user\":\"U1\",\"channel\":\"C1\",\"text\":\"hi \xff\","
	    "\"ts\":\"1.2\",\"thread_ts\":\"1.1\"}}",
	    "\"event.text\" is not valid UTF-8");
	parse_fails("slack", JSON, "{\"type\":\"a\",\"type\":\"b\"}",
	    "duplicate key \"type\"");
	parse_fails("slack", FORM, "channel_id=C1&trigger_id=t&text=hi",
	    "missing \"user_id\"");
	parse_fails("slack", FORM, "user_id=&channel_id=C1&trigger_id=t&"
	    "text=hi", "\"user_id\" is empty");
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t",
	    "missing \"text\"");
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=caf%E9", "\"text\" is not valid UTF-8");
	parse_fails("slack", FORM, "user_id=U1&channel_id=C1&trigger_id=t&"
	    "text=a%00b", "NUL byte");
	parse_fails("slack", FORM, "user_id=U1&user_id=U2&channel_id=C1&"
	    "trigger_id=t&text=hi", "duplicate field \"user_id\"");
	parse_fails("slack", FORM, "user_id=U1&channel_id&text=hi",
	    "form body is malformed");
	parse_fails("teams", JSON, "{\"type\":\"message\",\"id\":\"1\","
	    "\"text\":\"hi\"}", "missing \"from\"");
	parse_fails("teams", JSON, "{\"type\":\"message\",\"id\":\"1\","
	    "\"from\":{\"id\":\"x\"},\"text\":[\"hi\"]}",
	    "\"text\" must be a string, not an array");
	parse_fails("teams", JSON, "{\"type\":\"message\",\"id\":\"1\","
	    "\"from\":{\"id\":\"x\",\"name\":false},\"text\":\"hi\"}",
	    "\"from.name\" must be a string, not a boolean");
	parse_fails("discord", JSON, "{\"type\":2", "not valid JSON");
	parse_fails("mattermost", JSON, "{\"user_id\":\"u\",\"channel_id\":"
	    "\"c\",\"post_id\":7,\"text\":\"hi\"}",
	    "\"post_id\" must be a string, not a number");

	/* A NUL inside the body, past where a C string would end. */
	{
		const struct chat_platform *p = chat_find("teams");
		struct inbound_request r = { .body = "{}\0{}", .len = 5, .type = JSON };
		struct chat_inbound in = inbound_of(&r);
		struct chat_answer a;
		char *cause = NULL;

		assert_int_equal(p->parse(&in, &a, &cause), -1);
		assert_non_null(strstr(cause, "NUL byte"));
		free(cause);
	}

	/* 4000 characters (here 3 bytes each) pass, 4001 do not. */
	big = malloc(3 * 4001 + 1);
	assert_non_null(big);
	for (i = 0; i < 4001; i++)
		memcpy(big + 3 * i, "\xe2\x9c\x85", 3);
	big[3 * 4000] = '\0';
	assert_true(asprintf(&body, "{\"type\":\"message\",\"id\":\"1\","
	    "\"from\":{\"id\":\"x\"},\"text\":\"%s\"}", big) > 0);
	{
		struct chat_answer a;

		inbound_parse_ok("teams", JSON, body, &a);
		assert_int_equal(chat_utf8_chars(a.text), 4000);
		chat_answer_free(&a);
	}
	free(body);
	big[3 * 4000] = '\xe2';
	big[3 * 4001] = '\0';
	assert_true(asprintf(&body, "{\"type\":\"message\",\"id\":\"1\","
	    "\"from\":{\"id\":\"x\"},\"text\":\"%s\"}", big) > 0);
	parse_fails("teams", JSON, body, "4001 characters");
	free(body);
	free(big);

	/* Ids are capped in bytes. */
	big = malloc(CHAT_IN_ID_MAX + 2);
	assert_non_null(big);
	memset(big, 'U', CHAT_IN_ID_MAX + 1);
	big[CHAT_IN_ID_MAX + 1] = '\0';
	assert_true(asprintf(&body, "user_id=%s&channel_id=C1&trigger_id=t&"
	    "text=hi", big) > 0);
	parse_fails("slack", FORM, body, "\"user_id\" is too long");
	free(body);
	free(big);
}

/* Entities: one pass, unknown or unsafe ones kept as written. */
static void
test_unescape(void **state)
{
	static const char *const cases[][2] = {
		{ "a &amp;lt; b", "a &lt; b" },
		{ "&lt;&gt;&quot;&#39;&apos;&nbsp;", "<>\"'' " },
		{ "&#x1F600;&#X41;&#65;", "\xf0\x9f\x98\x80" "AA" },
		{ "&#0; &#xD800; &#x110000; &#1;", "&#0; &#xD800; &#x110000; "
		    "&#1;" },
		{ "&bogus; & alone &amp", "&bogus; & alone &amp" },
		{ "&#;&#x;&;", "&#;&#x;&;" },
		{ "", "" },
	};
	char	*s;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = chat_in_unescape_html(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

/* Read an event's body; the cause (NULL when it parsed) in *cause. */
static int
event_parse(const char *body, struct chat_event *ev, char **cause)
{
	struct chat_inbound in = { .body = body, .len = strlen(body),
	    .content_type = "application/json" };

	*cause = NULL;
	return chat_in_event_parse(&in, ev, cause);
}

/* An event's fields: copied out, the context trimmed, a blank one absent. */
static void
test_event(void **state)
{
	struct chat_event ev;
	char *cause;

	(void)state;
	assert_int_equal(event_parse("{\"id\": \"ci:77\", \"schedule\": "
	    "\"review\", \"to\": \"ada\", \"context\": "
	    "\"  release 4.2 shipped \"}", &ev, &cause), 0);
	assert_string_equal(ev.id, "ci:77");
	assert_string_equal(ev.schedule, "review");
	assert_null(ev.track);
	assert_string_equal(ev.to, "ada");
	assert_string_equal(ev.context, "release 4.2 shipped");
	chat_event_free(&ev);
	assert_int_equal(event_parse("{\"id\": \"x\", \"track\": \"grow\", "
	    "\"context\": \" \", \"to\": null}", &ev, &cause), 0);
	assert_string_equal(ev.track, "grow");
	assert_null(ev.context);
	assert_null(ev.to);
	chat_event_free(&ev);
	/* 200 characters of context fit (é is one), 201 do not. */
	{
		char body[1024], *ctx = calloc(1, 512);

		for (int i = 0; i < 200; i++)
			strcat(ctx, i % 2 ? "e" : "\xc3\xa9");
		snprintf(body, sizeof body, "{\"id\": \"x\", \"schedule\": "
		    "\"s\", \"context\": \"%s\"}", ctx);
		assert_int_equal(event_parse(body, &ev, &cause), 0);
		chat_event_free(&ev);
		strcat(ctx, "e");
		snprintf(body, sizeof body, "{\"id\": \"x\", \"schedule\": "
		    "\"s\", \"context\": \"%s\"}", ctx);
		assert_int_equal(event_parse(body, &ev, &cause), -1);
		assert_string_equal(cause, "\"context\" is 201 characters long; "
		    "at most 200");
		free(cause);
		free(ctx);
	}
	assert_int_equal(event_parse("{\"id\": \"x\", \"schedule\": 5}",
	    &ev, &cause), -1);
	assert_string_equal(cause, "\"schedule\" must be a string, not a "
	    "number");
	free(cause);
	assert_int_equal(event_parse("{\"id\": \"x\", \"schedule\": \"s\", "
	    "\"context\": \"a\tb\"}", &ev, &cause), -1);
	assert_non_null(strstr(cause, "one line"));
	free(cause);
	assert_int_equal(event_parse("[1]", &ev, &cause), -1);
	assert_string_equal(cause, "the body is not a JSON object");
	free(cause);
	assert_null(ev.id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_slack_command),
		cmocka_unit_test(test_code_rule),
		cmocka_unit_test(test_slack_events),
		cmocka_unit_test(test_teams),
		cmocka_unit_test(test_discord),
		cmocka_unit_test(test_mattermost),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
