// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_metrics.c - the Prometheus text and the stats line of a known
 * counter state: a daemon with two collectors (IPFIX over UDP, JSON),
 * kernel counters, flow records and fetch durations set by hand.  The
 * text must be exactly the one below (families contiguous, one HELP and
 * TYPE each, labels escaped, a cumulative histogram), and the textfile
 * the same, written atomically.  Also the [metrics] keys of the parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoconfig.h"
#include "config.h"
#include "daemon.h"
#include "metrics.h"
#include "stats.h"
#include "tap.h"

static void no_record(void *ctx, const struct flow_key *k,
		      const struct flow_delta *m, int reason)
{
}

/* The state: every counter a distinct value. */
static void fill(struct daemon *d)
{
	static const struct flowcache_timeouts t = { 1, 1, 1 };
	struct collector_config ipfix = { .name = "edge \"1\"\\x",
		.protocol = PROTO_IPFIX, .transport = TRANSPORT_UDP,
		.address = "127.0.0.1", .port = 9 };
	struct collector_config json = { .name = "local", .protocol = PROTO_JSON,
		.transport = TRANSPORT_FILE, .path = "/dev/null" };
	struct exporter_env env = { 0 };
	struct exporter_counters *c;
	int i;

	memset(d, 0, sizeof(*d));
	config_defaults(&d->cfg);
	d->cfg.kernel_flows = 1024;
	d->cfg.overflow_ring_kb = 4;
	d->dp.map_entries = 1024;
	d->dp.map_bytes = 364544;	/* 2 x 1024 x (48 + 2 x 64) + 4 KiB */
	d->epfd = -1;
	outputs_init(&d->out, -1);
	for (i = 0; i < STAT_MAX; i++)
		d->kstats.c[i] = 100 + (uint64_t)i;
	d->kstats.c[STAT_PACKETS] = 0;
	for (i = 1; i < STAT_MAX; i++)
		if (i != STAT_MAP_FULL && i != STAT_FRAGMENTS &&
		    i != STAT_SEGMENTS && i != STAT_RING_BUSY &&
		    i != STAT_TCP_LOST && i != STAT_INSERTS)
			d->kstats.c[STAT_PACKETS] += d->kstats.c[i];
	d->fetch_errors = 3;
	d->map_entries = 77;
	stats_hist_observe(&d->fetch_hist, 50000);	/* 50 us */
	stats_hist_observe(&d->fetch_hist, 2000000);	/* 2 ms */
	stats_hist_observe(&d->fetch_hist, 3000000000ull);	/* 3 s */
	d->cache = flowcache_new(16, &t, no_record, NULL);
	d->exp[0] = exporter_open(&ipfix, &env);
	d->exp[1] = exporter_open(&json, &env);
	if (!d->cache || !d->exp[0] || !d->exp[1])
		tap_bail("set up the daemon's parts");
	d->n_exp = 2;
	/* one attached interface; records for it and for one that is not */
	static struct attachment one = { .ifindex = 7, .ifname = "veth\"0",
					 .hook = HOOK_TCX };
	d->at.v = &one;
	d->at.n = 1;
	d->at_open = true;
	stats_iface_add(&d->ifstats, 7, 300, 45000);
	stats_iface_add(&d->ifstats, 9, 1, 100);
	stats_iface_add(&d->ifstats, 7, 300, 45000);
	for (i = 100; i < 140; i++)	/* past the first table's 16 slots */
		stats_iface_add(&d->ifstats, (uint32_t)i, 1, 1);
	c = &d->exp[0]->counters;
	*c = (struct exporter_counters){ .records = 40, .messages = 4,
		.bytes = 4000, .errors = 7, .not_sent = 9, .refused = 2,
		.queue_full = 1, .conn_failures = 3, .down = 1, .not_queued = 5,
		.queued = 6 };
	c = &d->exp[1]->counters;
	*c = (struct exporter_counters){ .records = 49, .messages = 49,
		.bytes = 9000, .unexportable = 5 };
}

static const char want_text[] =
"# HELP tcflowd_build_info The running tcflowd\n"
"# TYPE tcflowd_build_info gauge\n"
"tcflowd_build_info{version=\"" PACKAGE_VERSION "\"} 1\n"
"# HELP tcflowd_kernel_packets_total Packets the kernel programs saw, by what "
"became of each (the fates sum to every packet seen)\n"
"# TYPE tcflowd_kernel_packets_total counter\n"
"tcflowd_kernel_packets_total{fate=\"counted\"} 110\n"
"tcflowd_kernel_packets_total{fate=\"sampled_out\"} 101\n"
"tcflowd_kernel_packets_total{fate=\"non_ip\"} 102\n"
"tcflowd_kernel_packets_total{fate=\"trunc_l2\"} 103\n"
"tcflowd_kernel_packets_total{fate=\"trunc_l3\"} 104\n"
"tcflowd_kernel_packets_total{fate=\"trunc_l4\"} 105\n"
"tcflowd_kernel_packets_total{fate=\"bad_ihl\"} 106\n"
"tcflowd_kernel_packets_total{fate=\"bad_l3\"} 107\n"
"tcflowd_kernel_packets_total{fate=\"bad_l4\"} 108\n"
"tcflowd_kernel_packets_total{fate=\"bad_ipv6_chain\"} 109\n"
"tcflowd_kernel_packets_total{fate=\"ring\"} 112\n"
"tcflowd_kernel_packets_total{fate=\"ring_full\"} 113\n"
"tcflowd_kernel_packets_total{fate=\"no_map\"} 114\n"
"# HELP tcflowd_kernel_segments_total Wire packets (GSO segments) of the "
"packets put in flows\n"
"# TYPE tcflowd_kernel_segments_total counter\n"
"tcflowd_kernel_segments_total 116\n"
"# HELP tcflowd_kernel_ring_busy_total counting = ring: packets the full ring "
"left to the map\n"
"# TYPE tcflowd_kernel_ring_busy_total counter\n"
"tcflowd_kernel_ring_busy_total 117\n"
"# HELP tcflowd_kernel_tcp_outcomes_lost_total counting = ring: handshake "
"outcomes the full ring could not carry to the other direction's flow\n"
"# TYPE tcflowd_kernel_tcp_outcomes_lost_total counter\n"
"tcflowd_kernel_tcp_outcomes_lost_total 118\n"
"# HELP tcflowd_kernel_map_inserts_total New entries the programs made in the "
"active flow map\n"
"# TYPE tcflowd_kernel_map_inserts_total counter\n"
"tcflowd_kernel_map_inserts_total 119\n"
"# HELP tcflowd_kernel_map_full_total Packets that found the flow map full "
"(then ring or ring_full)\n"
"# TYPE tcflowd_kernel_map_full_total counter\n"
"tcflowd_kernel_map_full_total 111\n"
"# HELP tcflowd_kernel_map_entries Flows in the kernel map at the last read or "
"swap, and its capacity\n"
"# TYPE tcflowd_kernel_map_entries gauge\n"
"tcflowd_kernel_map_entries{map=\"active\"} 77\n"
"tcflowd_kernel_map_entries{map=\"capacity\"} 1024\n"
"# HELP tcflowd_kernel_map_bytes Memory of the kernel flow maps (both, "
"per-CPU values) and the ring\n"
"# TYPE tcflowd_kernel_map_bytes gauge\n"
/* 2 maps x 1024 x (48-byte key + 2 CPUs x 64-byte value) + 4 KiB */
"tcflowd_kernel_map_bytes 364544\n"
"# HELP tcflowd_kernel_epochs_total Swaps of the kernel flow maps (each ends "
"an epoch)\n"
"# TYPE tcflowd_kernel_epochs_total counter\n"
"tcflowd_kernel_epochs_total 0\n"
"# HELP tcflowd_kernel_reads_total Fetches that read the active kernel map in "
"place\n"
"# TYPE tcflowd_kernel_reads_total counter\n"
"tcflowd_kernel_reads_total 0\n"
"# HELP tcflowd_kernel_reads_deferred_total Fetches that left the read in "
"place for later (kernel_read_spacing)\n"
"# TYPE tcflowd_kernel_reads_deferred_total counter\n"
"tcflowd_kernel_reads_deferred_total 0\n"
"# HELP tcflowd_fetches_total Fetches of the kernel maps\n"
"# TYPE tcflowd_fetches_total counter\n"
"tcflowd_fetches_total 0\n"
"# HELP tcflowd_fetch_duration_seconds How long each fetch took\n"
"# TYPE tcflowd_fetch_duration_seconds histogram\n"
"tcflowd_fetch_duration_seconds_bucket{le=\"0.0001\"} 1\n"
"tcflowd_fetch_duration_seconds_bucket{le=\"0.001\"} 1\n"
"tcflowd_fetch_duration_seconds_bucket{le=\"0.01\"} 2\n"
"tcflowd_fetch_duration_seconds_bucket{le=\"0.1\"} 2\n"
"tcflowd_fetch_duration_seconds_bucket{le=\"1\"} 2\n"
"tcflowd_fetch_duration_seconds_bucket{le=\"10\"} 3\n"
"tcflowd_fetch_duration_seconds_bucket{le=\"+Inf\"} 3\n"
"tcflowd_fetch_duration_seconds_sum 3.002050000\n"
"tcflowd_fetch_duration_seconds_count 3\n"
"# HELP tcflowd_flows_active Flows in the daemon's cache\n"
"# TYPE tcflowd_flows_active gauge\n"
"tcflowd_flows_active 0\n"
"# HELP tcflowd_flow_records_total Flow records by end reason (IPFIX "
"flowEndReason)\n"
"# TYPE tcflowd_flow_records_total counter\n"
"tcflowd_flow_records_total{reason=\"idle\"} 0\n"
"tcflowd_flow_records_total{reason=\"active\"} 0\n"
"tcflowd_flow_records_total{reason=\"end\"} 0\n"
"tcflowd_flow_records_total{reason=\"forced\"} 0\n"
"tcflowd_flow_records_total{reason=\"resources\"} 0\n"
"# HELP tcflowd_flows_evicted_total Flows ended early because the cache was "
"full\n"
"# TYPE tcflowd_flows_evicted_total counter\n"
"tcflowd_flows_evicted_total 0\n"
"# HELP tcflowd_tcp_states_unreported_total TCP handshake changes with no "
"packet whose flow had no open record to carry them\n"
"# TYPE tcflowd_tcp_states_unreported_total counter\n"
"tcflowd_tcp_states_unreported_total 0\n"
"# HELP tcflowd_fetch_errors_total Fetches that failed\n"
"# TYPE tcflowd_fetch_errors_total counter\n"
"tcflowd_fetch_errors_total 3\n"
"# HELP tcflowd_kernel_ring_bad_total Overflow ring records too short to use "
"(lost)\n"
"# TYPE tcflowd_kernel_ring_bad_total counter\n"
"tcflowd_kernel_ring_bad_total 0\n"
"# HELP tcflowd_route_lookups_total Route lookups for flow records\n"
"# TYPE tcflowd_route_lookups_total counter\n"
"tcflowd_route_lookups_total 0\n"
"# HELP tcflowd_route_kernel_queries_total Route lookups the cache could not "
"answer: asked the kernel\n"
"# TYPE tcflowd_route_kernel_queries_total counter\n"
"tcflowd_route_kernel_queries_total 0\n"
"# HELP tcflowd_route_failures_total Route lookups that failed (records went "
"without a route)\n"
"# TYPE tcflowd_route_failures_total counter\n"
"tcflowd_route_failures_total 0\n"
"# HELP tcflowd_route_invalidations_total Route cache flushes (a route, rule, "
"address or link changed)\n"
"# TYPE tcflowd_route_invalidations_total counter\n"
"tcflowd_route_invalidations_total 0\n"
"# HELP tcflowd_cpu_seconds_total The daemon's CPU time, user and system\n"
"# TYPE tcflowd_cpu_seconds_total counter\n"
"tcflowd_cpu_seconds_total CPU\n"
"# HELP tcflowd_interfaces_unattached Interfaces the config selects that "
"could not be attached (yet)\n"
"# TYPE tcflowd_interfaces_unattached gauge\n"
"tcflowd_interfaces_unattached 0\n"
"# HELP tcflowd_nat_lookups_total Conntrack lookups by the programs (nat on)\n"
"# TYPE tcflowd_nat_lookups_total counter\n"
"tcflowd_nat_lookups_total 0\n"
"# HELP tcflowd_nat_lookup_results_total Flows whose conntrack entry the "
"programs looked up, by result\n"
"# TYPE tcflowd_nat_lookup_results_total counter\n"
"tcflowd_nat_lookup_results_total{result=\"translated\"} 0\n"
"tcflowd_nat_lookup_results_total{result=\"plain\"} 0\n"
"tcflowd_nat_lookup_results_total{result=\"not_found\"} 0\n"
"# HELP tcflowd_nat_map_full_total Translations the kernel's nat map had no "
"room for (not exported)\n"
"# TYPE tcflowd_nat_map_full_total counter\n"
"tcflowd_nat_map_full_total 0\n"
"# HELP tcflowd_nat_entries Translated tuples the daemon keeps\n"
"# TYPE tcflowd_nat_entries gauge\n"
"tcflowd_nat_entries 0\n"
"# HELP tcflowd_nat_table_full_total Tuples the daemon's table had no room "
"for (not exported)\n"
"# TYPE tcflowd_nat_table_full_total counter\n"
"tcflowd_nat_table_full_total 0\n"
"# HELP tcflowd_nat_records_total Flow records that carried a translation\n"
"# TYPE tcflowd_nat_records_total counter\n"
"tcflowd_nat_records_total 0\n"
"# HELP tcflowd_interface_attached 1 for each interface the programs are "
"attached to\n"
"# TYPE tcflowd_interface_attached gauge\n"
"tcflowd_interface_attached{interface=\"veth\\\"0\",ifindex=\"7\",hook=\"tcx\"} 1\n"
"# HELP tcflowd_interface_packets_total Packets of the flow records exported "
"for the interface\n"
"# TYPE tcflowd_interface_packets_total counter\n"
"tcflowd_interface_packets_total{interface=\"veth\\\"0\",ifindex=\"7\",hook=\"tcx\"} 600\n"
"# HELP tcflowd_interface_bytes_total Bytes of the flow records exported "
"for the interface\n"
"# TYPE tcflowd_interface_bytes_total counter\n"
"tcflowd_interface_bytes_total{interface=\"veth\\\"0\",ifindex=\"7\",hook=\"tcx\"} 90000\n"
"# HELP tcflowd_collector_records_sent_total Flow records sent (TCP: "
"acknowledged; Kafka: delivered)\n"
"# TYPE tcflowd_collector_records_sent_total counter\n"
"tcflowd_collector_records_sent_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\"} 40\n"
"tcflowd_collector_records_sent_total{collector=\"local\",protocol=\"json\"} 49\n"
"# HELP tcflowd_collector_records_not_sent_total Flow records lost to "
"collector errors (refused, queue full, down)\n"
"# TYPE tcflowd_collector_records_not_sent_total counter\n"
"tcflowd_collector_records_not_sent_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\"} 9\n"
"tcflowd_collector_records_not_sent_total{collector=\"local\",protocol=\"json\"} 0\n"
"# HELP tcflowd_collector_records_unexportable_total Flows the protocol "
"cannot carry (IPv6 in NetFlow v5)\n"
"# TYPE tcflowd_collector_records_unexportable_total counter\n"
"tcflowd_collector_records_unexportable_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\"} 0\n"
"tcflowd_collector_records_unexportable_total{collector=\"local\","
"protocol=\"json\"} 5\n"
"# HELP tcflowd_collector_messages_sent_total Messages (datagrams, TCP "
"messages, lines, Kafka messages) sent\n"
"# TYPE tcflowd_collector_messages_sent_total counter\n"
"tcflowd_collector_messages_sent_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\"} 4\n"
"tcflowd_collector_messages_sent_total{collector=\"local\",protocol=\"json\"} 49\n"
"# HELP tcflowd_collector_bytes_sent_total Bytes of those messages\n"
"# TYPE tcflowd_collector_bytes_sent_total counter\n"
"tcflowd_collector_bytes_sent_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\"} 4000\n"
"tcflowd_collector_bytes_sent_total{collector=\"local\",protocol=\"json\"} 9000\n"
"# HELP tcflowd_collector_up 1 while the collector accepts (TCP connected, "
"UDP not refused)\n"
"# TYPE tcflowd_collector_up gauge\n"
"tcflowd_collector_up{collector=\"edge \\\"1\\\"\\\\x\",protocol=\"ipfix\"} 0\n"
"tcflowd_collector_up{collector=\"local\",protocol=\"json\"} 1\n"
"# HELP tcflowd_collector_errors_total Collector errors by kind\n"
"# TYPE tcflowd_collector_errors_total counter\n"
"tcflowd_collector_errors_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\",error=\"refused\"} 2\n"
"tcflowd_collector_errors_total{collector=\"local\",protocol=\"json\","
"error=\"refused\"} 0\n"
"tcflowd_collector_errors_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\",error=\"queue_full\"} 1\n"
"tcflowd_collector_errors_total{collector=\"local\",protocol=\"json\","
"error=\"queue_full\"} 0\n"
"tcflowd_collector_errors_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\",error=\"connection\"} 3\n"
"tcflowd_collector_errors_total{collector=\"local\",protocol=\"json\","
"error=\"connection\"} 0\n"
"tcflowd_collector_errors_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\",error=\"other\"} 1\n"
"tcflowd_collector_errors_total{collector=\"local\",protocol=\"json\","
"error=\"other\"} 0\n"
"# HELP tcflowd_collector_records_not_queued_total Flow records the pacing "
"queue was too full to take (also not sent)\n"
"# TYPE tcflowd_collector_records_not_queued_total counter\n"
"tcflowd_collector_records_not_queued_total{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\"} 5\n"
"tcflowd_collector_records_not_queued_total{collector=\"local\","
"protocol=\"json\"} 0\n"
"# HELP tcflowd_collector_records_queued Flow records waiting in the pacing "
"queue\n"
"# TYPE tcflowd_collector_records_queued gauge\n"
"tcflowd_collector_records_queued{collector=\"edge \\\"1\\\"\\\\x\","
"protocol=\"ipfix\"} 6\n"
"tcflowd_collector_records_queued{collector=\"local\",protocol=\"json\"} 0\n";

/* The CPU time is whatever it is: its value becomes "CPU". */
static void mask_cpu(char *text)
{
	char *p = strstr(text, "\ntcflowd_cpu_seconds_total ");
	char *end;

	if (!p)
		return;
	p += strlen("\ntcflowd_cpu_seconds_total ");
	end = strchr(p, '\n');
	if (end && end - p >= 3) {
		memcpy(p, "CPU", 3);
		memmove(p + 3, end, strlen(end) + 1);
	}
}

/* The first line where a and b differ, for the log. */
static void show_diff(const char *got, const char *want)
{
	int line = 1;

	for (; *got && *got == *want; got++, want++)
		if (*got == '\n')
			line++;
	tap_diag("line %d differs: got \"%.60s\", want \"%.60s\"", line, got, want);
}

static void test_text(struct daemon *d)
{
	size_t len;
	char *text = metrics_format(d, &len);

	if (!tap_ok(text != NULL, "the text is made"))
		return;
	tap_is(len, strlen(text), "its length is what is returned");
	mask_cpu(text);
	if (!tap_ok(!strcmp(text, want_text), "the text is exactly the expected one"))
		show_diff(text, want_text);
	free(text);
}

static void test_textfile(struct daemon *d)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[64], buf[16384];
	size_t n;
	FILE *f;

	if (!mkdtemp(dir))
		tap_bail("mkdtemp");
	snprintf(path, sizeof(path), "%s/tcflowd.prom", dir);
	tap_is((uint64_t)metrics_write_textfile(d, path), 0, "the textfile is written");
	f = fopen(path, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	mask_cpu(buf);
	tap_ok(!strcmp(buf, want_text), "... with the same text");
	snprintf(buf, sizeof(buf), "%s/tcflowd.prom.%d.tmp", dir, (int)getpid());
	tap_ok(access(buf, F_OK) != 0, "... and no temporary file left");
	snprintf(buf, sizeof(buf), "%s/none/x.prom", dir);
	tap_ok(metrics_write_textfile(d, buf) < 0, "a missing directory is an error");
	unlink(path);
	rmdir(dir);
}

/* The longest line the counters of kind per can make. */
static size_t longest_line(int per)
{
	size_t i, n = strlen("collector= protocol=kafka") + COLLECTOR_NAME_LEN;

	for (i = 0; i < stats_n; i++)
		if (stats_counters[i].name && stats_counters[i].per == per)
			n += strlen(stats_counters[i].name) + 1 + 20 +
			     (stats_counters[i].micro ? 7 : 0) + 1;
	return n + 1;
}

static void test_line(struct daemon *d)
{
	char line[STATS_LINE_MAX];

	tap_ok(longest_line(STATS_ONE) <= STATS_LINE_MAX &&
	       longest_line(STATS_COLLECTOR) <= STATS_LINE_MAX,
	       "the longest stats line (%zu bytes), and a collector's (%zu), "
	       "fit in %d", longest_line(STATS_ONE),
	       longest_line(STATS_COLLECTOR), STATS_LINE_MAX);
	stats_format(d, line, sizeof(line));
	tap_ok(strstr(line, "packets=1394 counted=110 sampled_out=101 ") == line,
	       "the line starts with packets, counted, sampled_out");
	tap_ok(strchr(line, '(') == NULL && strchr(line, '"') == NULL,
	       "no groups, no quotes");
	tap_ok(strstr(line, " records_sent=89 records_not_sent=9 records_unexportable=5 ") != NULL,
	       "the totals");
	tap_ok(strstr(line, "collector") == NULL, "no collector's own in it");
	stats_format_collector(d, 0, line, sizeof(line));
	if (!tap_ok(!strcmp(line, "collector=edge__1_\\x protocol=ipfix sent=40 "
			    "not_sent=9 unexportable=0 messages=4 bytes=4000 up=0 "
			    "errors_refused=2 errors_queue_full=1 errors_connection=3 "
			    "errors_other=1 not_queued=5 queued=6"), "a line per collector, its name a word"))
		tap_diag("got %s", line);
	stats_format_collector(d, 1, line, sizeof(line));
	tap_ok(strstr(line, "collector=local protocol=json sent=49 not_sent=0 ") == line &&
	       strstr(line, " up=1 ") != NULL, "... each");
	tap_ok(strstr(line, "records_") == NULL, "... whose keys never read like a total's");
}

static void test_config(void)
{
	static const char head[] = "[capture]\ninterfaces = *\n[collector a]\n"
		"protocol = json\npath = /dev/null\n";
	static const struct { const char *keys, *err; } cases[] = {
		{ "listen = 127.0.0.1:9465\ntextfile = /tmp/x.prom\n", NULL },
		{ "listen = [::1]:9465\n", NULL },
		{ "listen =\n", NULL },
		{ "listen = 127.0.0.1\n",
		  "c.conf:7: listen: '127.0.0.1' is not ADDRESS:PORT or [IPV6]:PORT" },
		{ "listen = 127.0.0.1:0\n", "c.conf:7: listen: '0' is not a port (1..65535)" },
		{ "listen = ::1:9465\n",
		  "c.conf:7: listen: '::1' is not an IPv4 address or [IPv6] address" },
		{ "listen = localhost:9465\n",
		  "c.conf:7: listen: 'localhost' is not an IPv4 address or [IPv6] address" },
		{ "port = 1\n", "c.conf:7: port: unknown key in [metrics]" },
	};
	char text[512], err[CONFIG_ERR_LEN];
	struct config c;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s[metrics]\n%s", head, cases[i].keys);
		err[0] = '\0';
		rc = config_parse_string(text, "c.conf", &c, err, sizeof(err));
		if (!cases[i].err)
			tap_ok(rc == 0, "[metrics] %s accepted", strtok(text + strlen(head) + 10, "\n"));
		else if (!tap_ok(rc != 0 && !strcmp(err, cases[i].err), "refused: %s", cases[i].err))
			tap_diag("got rc %d: %s", rc, err);
	}
	snprintf(text, sizeof(text), "%s[metrics]\nlisten = [2001:db8::1]:80\n", head);
	config_parse_string(text, "c.conf", &c, err, sizeof(err));
	tap_ok(!strcmp(c.metrics_listen, "[2001:db8::1]:80") && !*c.metrics_textfile,
	       "listen kept as written, textfile empty by default");
	snprintf(c.metrics_textfile, sizeof(c.metrics_textfile), "/nonexistent/t.prom");
	rc = config_check_system(&c, err, sizeof(err));
	if (!tap_ok(rc && !strcmp(err, "c.conf: [metrics] textfile: directory "
				  "/nonexistent: No such file or directory"),
		    "tcflowd -t: a textfile in a missing directory is refused"))
		tap_diag("got %s", err);
}

int main(void)
{
	struct daemon d;

	fill(&d);
	test_text(&d);
	test_textfile(&d);
	test_line(&d);
	test_config();
	exporter_close(d.exp[0]);
	exporter_close(d.exp[1]);
	flowcache_free(d.cache);
	tap_is(d.ifstats.n, 42, "42 interfaces counted");
	tap_ok(stats_iface_get(&d.ifstats, 9)->packets == 1 &&
	       stats_iface_get(&d.ifstats, 139)->bytes == 1 &&
	       !stats_iface_get(&d.ifstats, 8), "each found again after the table grew");
	stats_ifaces_free(&d.ifstats);
	return tap_done();
}
