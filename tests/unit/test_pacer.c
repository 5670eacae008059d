// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_pacer.c - the pacer's arithmetic (exporter/pacer.c) with an
 * invented clock: when each message may go, what the bounded queue
 * refuses, the auto rate, the bit rate, hurrying.  Exact numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exporter.h"
#include "pacer.h"
#include "tap.h"

#define MS	1000000ull
#define T0	(5 * 1000000000ull)	/* any start */
#define MAX_SENT 20000

static uint8_t msg[1400];
static uint64_t sent_at[MAX_SENT];
static uint32_t sent_records[MAX_SENT];
static int nsent;

/* Let the pacer run from now until (or until it is empty), sending each
 * message the moment it may go; returns the time it stopped. */
static uint64_t run(struct pacer *p, uint64_t now, uint64_t until)
{
	const struct pacer_msg *m;
	int64_t w;

	for (;;) {
		while ((m = pacer_due(p, now)) && nsent < MAX_SENT) {
			sent_at[nsent] = now;
			sent_records[nsent++] = m->records;
			pacer_pop(p);
		}
		w = pacer_wait_ns(p, now);
		if (w < 0 || now + (uint64_t)w > until)
			return now;
		now += (uint64_t)w;
	}
}

/* The most records sent in any window (t - win, t]. */
static uint64_t most_in(uint64_t win)
{
	uint64_t most = 0, in = 0;
	int i, j = 0;

	for (i = 0; i < nsent; i++) {
		in += sent_records[i];
		while (sent_at[j] + win <= sent_at[i])
			in -= sent_records[j++];
		if (in > most)
			most = in;
	}
	return most;
}

static void push_n(struct pacer *p, int n, size_t len, uint32_t records,
		   uint64_t now)
{
	while (n--)
		if (pacer_push(p, msg, len, records, now))
			tap_bail("push refused");
}

static void fixed_rate(void)
{
	struct pacer p;

	nsent = 0;
	pacer_init(&p, 10000, 0, 0, 1000, T0);
	tap_is(p.cap, COLLECTOR_QUEUE_RECORDS, "cap 0: the default queue");
	tap_is((uint64_t)p.tokens, 20 * 1000000000ull,
	       "10,000 records/s: the bucket holds 2 ms, 20 records");
	push_n(&p, 2000, 500, 10, T0);
	tap_is(p.records, 20000, "2,000 messages of 10 records queued");
	run(&p, T0, T0 + 1000 * MS - 1);
	tap_is((uint64_t)nsent, 1002, "in the first second: 2 at once (the "
	       "bucket), then one every 1 ms from 1 ns on: 1,002 messages");
	tap_is(sent_at[2] - T0, 1, "the third at 1 ns (the bucket was empty, "
	       "not in debt)");
	tap_is(sent_at[3] - sent_at[2], MS, "then 1 ms apart (10 records each)");
	tap_is(sent_at[1001] - T0, 999 * MS + 1, "the 1,002nd at 999 ms + 1 ns");
	tap_is(most_in(10 * MS), 120, "at most 120 records in any 10 ms: the "
	       "bucket's 20 and 10 ms of the rate");
	tap_ok(most_in(10 * MS) <= 10000 * 12 / 1000 + 10,
	       "within the documented bound: rate * (10 + 2) ms + a message");
	tap_is(p.records, 20000 - 10020, "what is left waits");
	tap_is(pacer_fini(&p), 9980, "fini: the records it still held");
}

static void bounded_queue(void)
{
	struct pacer p;
	int i, refused = 0;

	pacer_init(&p, 1000, 0, 100, 1000, T0);
	for (i = 0; i < 15; i++)
		refused += pacer_push(&p, msg, 300, 10, T0) == -ENOBUFS;
	tap_is((uint64_t)refused, 5, "a queue of 100 records takes 10 messages "
	       "of 10, refuses 5");
	tap_is(p.not_queued, 50, "the 50 records refused are counted");
	tap_is(p.records, 100, "100 records wait");
	tap_is((uint64_t)pacer_push(&p, msg, 100, 0, T0), (uint64_t)-ENOBUFS,
	       "a message of templates costs one record: refused too");
	tap_is(p.not_queued, 50, "and no flow record is lost with it");
	pacer_due(&p, T0);
	pacer_pop(&p);
	tap_is((uint64_t)pacer_push(&p, msg, 100, 0, T0), 0,
	       "once one went, room for the templates");
	tap_is(p.units, 91, "91 units: 90 records and a message of templates");
	tap_is(pacer_fini(&p), 90, "fini: 90 records held");
}

static void auto_rate(void)
{
	struct pacer p;

	nsent = 0;
	pacer_init(&p, COLLECTOR_RATE_AUTO, 0, 0, 1000, T0);
	tap_is(p.rate, PACER_AUTO_MIN, "auto, empty: the floor, 1,000 records/s");
	push_n(&p, 800, 1400, 25, T0);
	tap_is(p.rate, 25000, "20,000 records for a 1 s fetch interval: over "
	       "0.8 s, 25,000 records/s");
	run(&p, T0, T0 + 5000 * MS);
	tap_is((uint64_t)nsent, 800, "all 800 messages went");
	tap_is(sent_at[799] - T0, 798 * MS + 920001, "the last at 798.92 ms: "
	       "within 0.8 of the fetch interval");
	tap_is(p.rate, PACER_AUTO_MIN, "empty again: back to the floor");
	push_n(&p, 10000, 100, 25, T0 + 6000 * MS);
	tap_is(p.rate, PACER_AUTO_MAX, "250,000 records: the ceiling, 100,000/s");
	pacer_set(&p, COLLECTOR_RATE_AUTO, 0, 0, 100);
	tap_is(p.rate, PACER_AUTO_MAX, "a shorter interval: still the ceiling");
	pacer_set(&p, 5000, 0, 0, 1000);
	tap_is(p.rate, 5000, "reload to max_rate = 5000: the new rate...");
	tap_is(p.n, 10000, "... and the queue is kept");
	pacer_hurry(&p, 2000);
	tap_is(p.rate, 250000 * 1250 / 2000, "hurry: 250,000 records within "
	       "0.8 of 2 s: 156,250/s");
	pacer_fini(&p);
}

static void bit_rate(void)
{
	struct pacer p;

	nsent = 0;
	/* 8 Mbit/s: 1,000,000 bytes/s; the record rate does not limit */
	pacer_init(&p, COLLECTOR_RATE_MAX, 8000000, 0, 1000, T0);
	push_n(&p, 500, 1000, 1, T0);
	run(&p, T0, T0 + 100 * MS);
	tap_is((uint64_t)nsent, 102, "1 MB/s, messages of 1,000 bytes: 2 at "
	       "once (2 ms of bucket), then one a ms: 102 in 100 ms");
	tap_is(sent_at[3] - sent_at[2], MS, "1 ms apart");
	pacer_hurry(&p, 100);
	tap_is(p.byte_rate, 398 * 1000 * 1250 / 100, "hurry: the 398,000 bytes "
	       "left within 0.8 of 100 ms");
	pacer_fini(&p);
}

int main(void)
{
	memset(msg, 0xab, sizeof(msg));
	fixed_rate();
	bounded_queue();
	auto_rate();
	bit_rate();
	return tap_done();
}
