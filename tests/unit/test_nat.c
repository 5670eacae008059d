// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nat.c - the user-space table of NAT translations (src/nat.c): a
 * masquerade and a port forward as conntrack holds them, each record
 * form mapped to the other side of the translation, expiry after the
 * ttl (a record that uses a tuple refreshes it), a full table.
 */
#include <arpa/inet.h>
#include <string.h>

#include "nat.h"
#include "tap.h"

#define S	1000000000ull

static struct nat_tuple tuple(const char *src, uint16_t sport,
			      const char *dst, uint16_t dport)
{
	struct nat_tuple t = { .proto = 6 };

	if (strchr(src, ':')) {
		inet_pton(AF_INET6, src, t.src);
		inet_pton(AF_INET6, dst, t.dst);
	} else {
		t.src[10] = t.src[11] = t.dst[10] = t.dst[11] = 0xff;
		inet_pton(AF_INET, src, t.src + 12);
		inet_pton(AF_INET, dst, t.dst + 12);
	}
	t.sport = htons(sport);
	t.dport = htons(dport);
	return t;
}

static struct flow_key key_of(const struct nat_tuple *t)
{
	struct flow_key k = { .ifindex = 2, .proto = t->proto };

	memcpy(k.src, t->src, 16);
	memcpy(k.dst, t->dst, 16);
	k.sport = t->sport;
	k.dport = t->dport;
	return k;
}

/* The record of flow f maps to want. */
static void maps(struct nat_table *t, const char *what, struct nat_tuple f,
		 struct nat_tuple want)
{
	struct flow_key k = key_of(&f);
	struct nat_tuple got;

	if (!tap_ok(nat_find(t, &k, &got), "%s: found", what))
		return;
	tap_ok(!memcmp(&got, &want, sizeof(got)), "%s: the other side", what);
}

/* conntrack: the original tuple o, the reply r; the table gets both. */
static void note(struct nat_table *t, struct nat_tuple o, struct nat_tuple r,
		 uint64_t now)
{
	nat_note(t, &o, &r, now);
	nat_note(t, &r, &o, now);
}

int main(void)
{
	/* masquerade: 192.0.2.1:40000 -> 198.51.100.1:9000 leaves as
	 * 198.51.100.254:20001 */
	struct nat_tuple c_s = tuple("192.0.2.1", 40000, "198.51.100.1", 9000);
	struct nat_tuple s_m = tuple("198.51.100.1", 9000, "198.51.100.254", 20001);
	struct nat_tuple m_s = tuple("198.51.100.254", 20001, "198.51.100.1", 9000);
	struct nat_tuple s_c = tuple("198.51.100.1", 9000, "192.0.2.1", 40000);
	/* a port forward: [2001:db8:2::1]:41000 -> [2001:db8:2::fe]:8080 to
	 * [2001:db8:1::1]:80 */
	struct nat_tuple e_r = tuple("2001:db8:2::1", 41000, "2001:db8:2::fe", 8080);
	struct nat_tuple i_e = tuple("2001:db8:1::1", 80, "2001:db8:2::1", 41000);
	struct nat_tuple e_i = tuple("2001:db8:2::1", 41000, "2001:db8:1::1", 80);
	struct nat_tuple r_e = tuple("2001:db8:2::fe", 8080, "2001:db8:2::1", 41000);
	struct nat_tuple other = tuple("192.0.2.9", 1, "198.51.100.9", 2), got;
	struct flow_key k;
	struct nat_table *t = nat_new(4, 10 * S);

	if (!t)
		tap_bail("nat_new");
	note(t, c_s, s_m, 1 * S);
	note(t, e_r, i_e, 1 * S);
	tap_is(nat_counters(t)->entries, 4, "4 tuples kept");
	maps(t, "LAN ingress (before SNAT)", c_s, m_s);
	maps(t, "WAN egress (after SNAT)", m_s, c_s);
	maps(t, "WAN ingress answer (before un-NAT)", s_m, s_c);
	maps(t, "LAN egress answer (after un-NAT)", s_c, s_m);
	maps(t, "WAN ingress, forwarded (before DNAT)", e_r, e_i);
	maps(t, "LAN egress, forwarded (after DNAT)", e_i, e_r);
	maps(t, "LAN ingress, forwarded answer", i_e, r_e);
	maps(t, "WAN egress, forwarded answer", r_e, i_e);
	k = key_of(&other);
	tap_ok(!nat_find(t, &k, &got), "an untranslated flow: not found");
	k = key_of(&c_s);
	k.proto = 17;
	tap_ok(!nat_find(t, &k, &got), "the same addresses in UDP: not found");
	tap_is(nat_counters(t)->found, 8, "8 records given a translation");

	nat_note(t, &other, &other, 2 * S);
	tap_is(nat_counters(t)->table_full, 1, "a fifth tuple: the table is full, counted");
	tap_is(nat_counters(t)->entries, 4, "... and not kept");

	nat_note(t, &c_s, &s_m, 5 * S);	/* refreshed */
	nat_expire(t, 11 * S);
	tap_is(nat_counters(t)->entries, 4, "nothing expires within the ttl");
	nat_expire(t, 11 * S + 1);
	tap_is(nat_counters(t)->entries, 1, "past the ttl: 3 expire, the refreshed one stays");
	tap_is(nat_counters(t)->expired, 3, "3 counted as expired");
	maps(t, "the refreshed tuple", c_s, m_s);
	k = key_of(&e_r);
	tap_ok(!nat_find(t, &k, &got), "an expired translation: not found");
	nat_note(t, &other, &other, 12 * S);
	tap_is(nat_counters(t)->entries, 2, "expired tuples make room again");
	/* a record that uses a translation keeps it for another ttl */
	nat_expire(t, 20 * S);
	maps(t, "a record at 20 s", c_s, m_s);
	nat_expire(t, 30 * S);
	tap_is(nat_counters(t)->entries, 1, "at 30 s: the tuple the record used is kept, "
	       "the other (written at 12 s) expired");
	nat_expire(t, 30 * S + 1);
	tap_is(nat_counters(t)->entries, 0, "a ttl after the record: expired");
	nat_free(t);
	return tap_done();
}
