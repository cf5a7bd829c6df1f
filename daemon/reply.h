/* Answers coming in over HTTP: verified, attached to their nudge, stored once. */
#ifndef NUDGED_REPLY_H
#define NUDGED_REPLY_H

struct bank;
struct chat_route;
struct config;
struct event_base;
struct evhttp_request;
struct replies;
struct store;

struct replies	*replies_new(struct event_base *, struct store *,
		    const struct config *, const struct bank *);
void		 replies_reload(struct replies *, const struct config *,
		    const struct bank *);
void		 replies_free(struct replies *);
void		 replies_handle_chat(struct replies *, struct evhttp_request *,
		    const struct chat_route *);
void		 replies_handle_api(struct replies *, struct evhttp_request *);

#endif
