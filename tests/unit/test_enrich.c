// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_enrich.c - the link table (sorted, updated, removed; a change of
 * name or alias reported) and the route cache against this namespace's
 * own kernel: the loopback routes, answers cached (per prefix with the
 * standard rules), a change forgetting them.  Needs no privilege: route lookups are open to
 * every user.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "enrich.h"
#include "exporter.h"
#include "tap.h"

static void v4(uint8_t a[16], const char *s)
{
	inet_pton(AF_INET, s, a + 12);
	export_addr_map4(a, a + 12);
}

static int order_ok = 1;
static uint32_t last;

static void check_order(void *ctx, const struct link_info *li)
{
	(void)ctx;
	order_ok &= li->ifindex > last;
	last = li->ifindex;
}

int main(void)
{
	struct enrich *en = enrich_new(64);
	struct link_info a = { .ifindex = 100000, .name = "tst0" }, b;
	const struct link_info *lo;
	struct route_info ri;
	uint8_t dst[16], src[16], six[16] = { 0 };
	uint64_t q;
	int i;

	if (!en)
		tap_bail("enrich_new: cannot talk to the kernel");
	lo = enrich_link(en, 1);
	tap_ok(lo && !strcmp(lo->name, "lo") && lo->mtu > 0,
	       "the link table has lo (ifindex 1) with its MTU");

	/* the table: inserts keep it sorted, changes are reported */
	tap_is((uint64_t)enrich_link_update(en, &a), 1, "a new link is a change");
	b = a;
	b.mtu = 9000;
	tap_is((uint64_t)enrich_link_update(en, &b), 0,
	       "an MTU change alone does not change names");
	tap_is(enrich_link(en, 100000)->mtu, 9000, "... but is kept");
	snprintf(b.alias, sizeof(b.alias), "to the core");
	tap_is((uint64_t)enrich_link_update(en, &b), 1, "a new alias is a change");
	snprintf(b.name, sizeof(b.name), "tst1");
	tap_is((uint64_t)enrich_link_update(en, &b), 1, "a rename is a change");
	for (i = 0; i < 300; i++) {	/* out of order, past a realloc */
		struct link_info x = { .ifindex = (uint32_t)(200000 - i * 7) };

		snprintf(x.name, sizeof(x.name), "x%d", i);
		enrich_link_update(en, &x);
	}
	enrich_link_foreach(en, check_order, NULL);
	tap_ok(order_ok, "the table stays sorted by ifindex (300 inserts)");
	tap_ok(!strcmp(enrich_link(en, 200000 - 7 * 150)->name, "x150"),
	       "and finds each link");
	enrich_link_gone(en, 100000);
	tap_ok(enrich_link(en, 100000) == NULL, "a link that is gone is gone");

	/* routes, as the kernel answers them */
	v4(dst, "127.0.0.1");
	v4(src, "127.0.0.1");
	q = enrich_stats(en)->kernel_queries;
	tap_ok(enrich_route(en, dst, src, 0, &ri) == 1, "127.0.0.1 has a route");
	tap_ok(ri.type == RTN_LOCAL && ri.prefix_len == 32 && !ri.oif &&
	       !ri.has_gateway, "local, /32, not forwarded (type %u /%u)",
	       ri.type, ri.prefix_len);
	v4(dst, "127.1.2.3");
	tap_ok(enrich_route(en, dst, src, 0, &ri) == 1 && ri.prefix_len == 8,
	       "127.1.2.3: the route that matched is 127.0.0.0/8 (/%u)",
	       ri.prefix_len);
	tap_is(enrich_stats(en)->kernel_queries - q, 2, "two kernel queries");
	enrich_route(en, dst, src, 0, &ri);
	enrich_route(en, dst, src, 0, &ri);
	tap_is(enrich_stats(en)->kernel_queries - q, 2,
	       "asked again: answered from the cache");
	enrich_routes_changed(en);
	enrich_route(en, dst, src, 0, &ri);
	tap_is(enrich_stats(en)->kernel_queries - q, 3,
	       "after a route change: asked the kernel again");
	six[15] = 1;	/* ::1 */
	tap_ok(enrich_route(en, six, six, 0, &ri) == 1 ? ri.prefix_len == 128 : 1,
	       "::1 (when IPv6 is on): /128");
	/* the standard rules: one answer for a region of addresses; other
	 * rules: one per question */
	enrich_routes_changed(en);
	q = enrich_stats(en)->kernel_queries;
	v4(dst, "127.200.0.1");
	enrich_route(en, dst, src, 0, &ri);
	v4(dst, "127.45.6.7");
	tap_ok(enrich_route(en, dst, src, 0, &ri) == 1 && ri.prefix_len == 8,
	       "127.45.6.7: 127.0.0.0/8");
	tap_is(enrich_stats(en)->kernel_queries - q,
	       enrich_per_prefix(en) ? 1 : 2, "two addresses of 127.0.0.0/8: "
	       "%s", enrich_per_prefix(en) ? "one kernel query (standard rules: "
	       "per prefix)" : "two kernel queries (policy rules: per question)");
	v4(dst, "127.0.0.1");
	tap_ok(enrich_route(en, dst, src, 0, &ri) == 1 && ri.prefix_len == 32 &&
	       ri.type == RTN_LOCAL, "127.0.0.1 has a route of its own inside "
	       "127.0.0.0/8 (local /32): its own answer");
	enrich_free(en);

	en = enrich_new(0);
	tap_is((uint64_t)enrich_route(en, dst, src, 0, &ri), 0,
	       "route lookups off (route_cache 0): none");
	enrich_free(en);
	return tap_done();
}
