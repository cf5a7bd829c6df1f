/* SPDX-License-Identifier: ISC */
/*
 * Claims when several instances share one store: who this instance is, how
 * long its claim on a delivery holds, and how often it looks for work the
 * others left (deliver.c asks; the store keeps the claims).
 */
#ifndef NUDGED_DELIVER_CLAIM_H
#define NUDGED_DELIVER_CLAIM_H

#include <stdint.h>

struct config_delivery;
struct store;

/* This process's name in the store's claims: host, pid and a random part. */
char	*deliver_claim_instance(void);
/* Seconds a claim holds: longer than any delivery's requests can take. */
int64_t	 deliver_claim_lease(const struct config_delivery *);
/* Sends again what a stop or crash left claimed (shared store: expired claims only). */
int	 deliver_claim_recover(struct store *, int64_t now);
/* The wake-up delay (ms, -1: none) capped to the poll when the store is shared. */
int64_t	 deliver_claim_poll(struct store *, int64_t wake_ms);

#endif
