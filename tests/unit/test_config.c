// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_config.c - tcflowd.conf parsing: values, defaults, and the exact
 * "file:line: key: reason" of every kind of error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kmem.h"
#include "exporter.h"
#include "log.h"
#include "tap.h"

static const char good[] =
	"# a comment\n"
	"[global]\n"
	"observation_domain = 7\n"
	"log_level = debug\n"
	"\n"
	"[capture]\n"
	"interfaces = eth0, veth* wlan0\n"
	"exclude = veth9\n"
	"hook = tc\n"
	"direction = ingress\n"
	"sampling = 100\n"
	"kernel_flows = 1024\n"
	"overflow_ring_kb = 64\n"
	"clock = precise\n"
	"nat = auto\n"
	"counting = ring\n"
	"ring_from_flows = 1000\n"
	"[flows]\n"
	"fetch_interval_ms = 250\n"
	"active_timeout_s = 30\n"
	"idle_timeout_s = 5\n"
	"tcp_end_timeout_s = 1\n"
	"kernel_epoch_s = 0\n"
	"kernel_read_spacing = 0\n"
	"max_flows = 5000\n"
	"[collector out]\n"
	"protocol = json\n"
	"path = -\n"
	"[collector nfcapd]\n"
	"protocol = ipfix\n"
	"address = 127.0.0.1\n";

static void test_good(void)
{
	char err[CONFIG_ERR_LEN] = "";
	struct config c;
	int rc = config_parse_string(good, "t.conf", &c, err, sizeof(err));

	if (!tap_ok(rc == 0, "good file parses"))
		tap_diag("%s", err);
	tap_is(c.observation_domain, 7, "observation_domain");
	tap_is((uint64_t)c.log_level, LOG_LVL_DEBUG, "log_level");
	tap_is((uint64_t)c.n_interfaces, 3, "interfaces: 3 patterns");
	tap_ok(!strcmp(c.interfaces[1], "veth*"), "interfaces: a glob kept");
	tap_ok(c.n_exclude == 1 && !strcmp(c.exclude[0], "veth9"), "exclude");
	tap_is((uint64_t)c.hook, HOOK_TC, "hook");
	tap_is((uint64_t)c.direction, DIR_INGRESS, "direction");
	tap_is(c.sampling, 100, "sampling");
	tap_is(c.kernel_flows, 1024, "kernel_flows");
	tap_is(c.overflow_ring_kb, 64, "overflow_ring_kb");
	tap_ok(c.precise_clock, "clock = precise");
	tap_is(c.nat, NAT_AUTO, "nat = auto");
	tap_is(c.counting, COUNT_RING, "counting = ring");
	tap_is(c.ring_from_flows, 1000, "ring_from_flows");
	tap_is(c.fetch_interval_ms, 250, "fetch_interval_ms");
	tap_is(c.active_timeout_s, 30, "active_timeout_s");
	tap_is(c.idle_timeout_s, 5, "idle_timeout_s");
	tap_is(c.tcp_end_timeout_s, 1, "tcp_end_timeout_s");
	tap_is(c.kernel_epoch_s, 0, "kernel_epoch_s = 0: swap every fetch");
	tap_is(c.kernel_read_spacing, 0, "kernel_read_spacing = 0: read every fetch");
	tap_is(c.max_flows, 5000, "max_flows");
	tap_is((uint64_t)c.n_collectors, 2, "two collectors");
	tap_ok(c.collectors[0].protocol == PROTO_JSON &&
	       c.collectors[0].transport == TRANSPORT_FILE &&
	       !strcmp(c.collectors[0].path, "-"), "json collector to stdout");
	tap_ok(c.collectors[1].protocol == PROTO_IPFIX &&
	       c.collectors[1].transport == TRANSPORT_UDP &&
	       c.collectors[1].port == 4739, "ipfix collector: UDP 4739 by default");
}

static void test_defaults(void)
{
	static const char minimal[] =
		"[capture]\ninterfaces = *\n[collector j]\nprotocol = json\npath = /tmp/x\n";
	char err[CONFIG_ERR_LEN];
	struct config c;

	tap_ok(config_parse_string(minimal, "m.conf", &c, err, sizeof(err)) == 0,
	       "minimal file parses");
	tap_ok(c.hook == HOOK_AUTO && c.direction == (DIR_INGRESS | DIR_EGRESS) &&
	       c.sampling == 1 && c.fetch_interval_ms == 1000 &&
	       c.active_timeout_s == 60 && c.idle_timeout_s == 15 &&
	       !c.precise_clock && c.nat == NAT_OFF, "defaults");
	tap_is(c.kernel_epoch_s, 15, "kernel_epoch_s: the idle timeout");
	tap_ok(c.counting == COUNT_AUTO && c.ring_from_flows == 4096 &&
	       c.overflow_ring_kb == 8192,
	       "counting auto: the ring from 4096 flows (bench/peers: the maps "
	       "lead up to 2000, the ring from 5000), an 8 MiB ring");
	tap_is(c.kernel_read_spacing, 4, "kernel_read_spacing: 4 by default");
	tap_ok(c.kernel_flows_auto && c.kernel_flows ==
	       kmem_default_entries(kmem_possible_cpus()),
	       "kernel_flows: sized by the CPU count (%u)", c.kernel_flows);
	tap_ok(config_parse_string("[capture]\ninterfaces = *\n[flows]\n"
				   "idle_timeout_s = 7\n[collector j]\n"
				   "protocol = json\npath = /tmp/x\n", "m.conf",
				   &c, err, sizeof(err)) == 0 &&
	       c.kernel_epoch_s == 7, "kernel_epoch_s follows idle_timeout_s");
}

/* Comments, indentation, "key: value", CRLF, a byte order mark. */
static void test_syntax(void)
{
	static const char text[] =
		"\xEF\xBB\xBF; comment\r\n"
		"  [ capture ]  ; a section\r\n"
		"\tinterfaces = eth0 ; comment\r\n"
		"sampling: 4\n"
		"exclude = a;b\n"
		"[collector  x ]\n"
		"protocol=json\n"
		"path = /tmp/a#b\n";
	char err[CONFIG_ERR_LEN] = "";
	struct config c;

	if (!tap_ok(config_parse_string(text, "s.conf", &c, err, sizeof(err)) == 0,
		    "syntax variants parse"))
		tap_diag("%s", err);
	tap_ok(c.n_interfaces == 1 && !strcmp(c.interfaces[0], "eth0"),
	       "\" ;\" starts a comment");
	tap_is(c.sampling, 4, "key: value");
	tap_ok(c.n_exclude == 1 && !strcmp(c.exclude[0], "a;b"),
	       "a ; inside a word is kept");
	tap_ok(c.n_collectors == 1 && !strcmp(c.collectors[0].name, "x") &&
	       !strcmp(c.collectors[0].path, "/tmp/a#b"), "collector name trimmed, # kept");
}

struct bad {
	const char	*text;
	const char	*want;
};

static const struct bad bads[] = {
	{ "[capture]\ninterfaces = *\n[collector n]\nprotocol = ipfix\n"
	  "address = x\nmax_rate = fast\n",
	  "b.conf:6: max_rate: 'fast' is not a number (with k, M or G)" },
	{ "[capture]\ninterfaces = *\n[collector n]\nprotocol = ipfix\n"
	  "address = x\nmax_rate = 200M\n",
	  "b.conf:6: max_rate: 200000000 is out of range (1..100000000)" },
	{ "[capture]\ninterfaces = *\n[collector n]\nprotocol = ipfix\n"
	  "address = x\nmax_bitrate = 100\n",
	  "b.conf:6: max_bitrate: 100 is out of range (8000..100000000000)" },
	{ "[capture]\ninterfaces = *\n[collector n]\nprotocol = ipfix\n"
	  "address = x\nqueue_records = 0\n",
	  "b.conf:6: queue_records: 0 is out of range (16..67108864)" },
	{ "[capture]\ninterfaces = *\nsampling = 0\n",
	  "b.conf:3: sampling: 0 is out of range (1..1073741824)" },
	{ "[capture]\ninterfaces = *\nsampling = ten\n",
	  "b.conf:3: sampling: 'ten' is not a number" },
	{ "[capture]\ninterfaces = *\nhook = xdp\n",
	  "b.conf:3: hook: 'xdp' is not one of: auto, tcx, tc, socket" },
	{ "[capture]\ninterfaces = *\ncounting = fast\n",
	  "b.conf:3: counting: 'fast' is not one of: map, ring, auto" },
	{ "[capture]\ninterfaces = *\nring_from_flows = 0\n",
	  "b.conf:3: ring_from_flows: 0 is out of range (1..67108864)" },
	{ "[capture]\ninterfaces = *\nnat = yes\n",
	  "b.conf:3: nat: 'yes' is not one of: off, auto, on" },
	{ "[capture]\ninterfaces = *\nnat = on\n\nhook = socket\n"
	  "[collector j]\nprotocol = json\npath = -\n",
	  "b.conf:3: nat: on needs a TC hook (the socket filter cannot ask conntrack)" },
	{ "[capture]\ninterfaces = *\n\nbogus = 1\n",
	  "b.conf:4: bogus: unknown key in [capture]" },
	{ "[global]\nlog_level = info\n[nonsense]\nx = 1\n",
	  "b.conf:3: unknown section [nonsense]" },
	{ "[capture]\ninterfaces = *\n[flows]\nkernel_epoch_s = 3601\n",
	  "b.conf:4: kernel_epoch_s: 3601 is out of range (0..3600)" },
	{ "[capture]\ninterfaces = *\n[flows]\nkernel_read_spacing = 65\n",
	  "b.conf:4: kernel_read_spacing: 65 is out of range (0..64)" },
	{ "[capture]\ninterfaces = *\noverflow_ring_kb = 100\n",
	  "b.conf:3: overflow_ring_kb: 100 is not a power of 2" },
	{ "[capture]\ninterfaces = *\nthis line has no equals sign\n",
	  "b.conf:3: syntax error (expected [section] or key = value)" },
	{ "[capture]\ninterfaces = *\n[collector a]\nprotocol = ipfix\n",
	  "b.conf:3: [collector a]: address is required" },
	{ "[capture]\ninterfaces = *\n[collector a]\nprotocol = gopher\n",
	  "b.conf:4: protocol: 'gopher' is not one of: json, ipfix, netflow9, netflow5, kafka" },
	{ "[capture]\ninterfaces = *\n[collector k]\nprotocol = kafka\ntopic = t\n",
	  "b.conf:3: [collector k]: brokers is required" },
	{ "[capture]\ninterfaces = *\n[collector k]\nprotocol = kafka\n"
	  "brokers = b:9092\n",
	  "b.conf:3: [collector k]: topic is required" },
	{ "[capture]\ninterfaces = *\n[collector k]\nprotocol = kafka\n"
	  "transport = tcp\nbrokers = b:9092\ntopic = t\n",
	  "b.conf:3: [collector k]: kafka has its own transport (brokers), not tcp" },
	{ "[capture]\ninterfaces = *\n[collector k]\nprotocol = kafka\nkey = src\n",
	  "b.conf:5: key: 'src' is not one of: exporter, flow, none" },
	{ "[capture]\ninterfaces = *\n[collector k]\nprotocol = kafka\nformat = avro\n",
	  "b.conf:5: format: 'avro' is not one of: json, protobuf" },
	{ "[capture]\ninterfaces = *\n[collector nf]\nprotocol = netflow9\n"
	  "transport = tcp\naddress = x\n",
	  "b.conf:3: [collector nf]: NetFlow goes over udp, not tcp" },
	{ "[capture]\ninterfaces = *\n[collector a]\naddress = x\n",
	  "b.conf:3: [collector a]: protocol is required" },
	{ "[capture]\ninterfaces = *\n[collector j]\nprotocol = json\n",
	  "b.conf:3: [collector j]: path is required (a file, or - for stdout)" },
	{ "[flows]\nidle_timeout_s = 100\n[capture]\ninterfaces = *\n"
	  "[collector j]\nprotocol = json\npath = -\n",
	  "b.conf:7: idle_timeout_s: 100 is longer than active_timeout_s (60)" },
	{ "[capture]\nsampling = 2\n[collector j]\nprotocol = json\npath = -\n",
	  "b.conf:5: interfaces: no interface to watch ([capture] interfaces)" },
	{ "[capture]\ninterfaces = *\n", "b.conf:2: no [collector NAME] section: "
	  "flows would go nowhere" },
	{ "[capture]\ninterfaces = eth0\nsampling = 2\ninterfaces = eth1\n",
	  "b.conf:4: interfaces: repeated (first at line 2)" },
	{ "[capture]\ninterfaces = *\n[flows]\nmax_flows = 64\n\n[capture]\n",
	  "b.conf:6: [capture] repeated (first at line 1)" },
	{ "[capture]\ninterfaces = *\n[collector a]\nprotocol = json\n"
	  "[collector b]\nprotocol = json\n[collector  a ]\npath = -\n",
	  "b.conf:7: [collector a] repeated (first at line 3)" },
	{ "[capture]\ninterfaces = *\n[collector a]\nprotocol = json\n"
	  "path = -\n[collector b]\npath = -\n",
	  "b.conf:6: [collector b]: protocol is required" },
};

static void test_errors(void)
{
	char err[CONFIG_ERR_LEN];
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		int rc;

		err[0] = '\0';
		rc = config_parse_string(bads[i].text, "b.conf", &c, err, sizeof(err));
		if (!tap_ok(rc == -1 && !strcmp(err, bads[i].want),
			    "error: %s", bads[i].want))
			tap_diag("got: %s", err);
	}
}

/* A 1,000-byte interfaces line (libinih stopped at 200) is read whole. */
static void test_long_line(void)
{
	char text[2048], err[CONFIG_ERR_LEN] = "";
	struct config c;
	int i, n, line_len;

	n = snprintf(text, sizeof(text), "[capture]\n");
	line_len = n;
	n += snprintf(text + n, sizeof(text) - (size_t)n, "interfaces =");
	for (i = 0; i < 123; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " veth%03d", i);
	line_len = n - line_len;
	n += snprintf(text + n, sizeof(text) - (size_t)n,
		      "\n[collector j]\nprotocol = json\npath = -\n");
	tap_is((uint64_t)line_len, 996, "the interfaces line is 996 bytes");
	if (!tap_ok(config_parse_string(text, "l.conf", &c, err, sizeof(err)) == 0,
		    "a 996-byte line is accepted"))
		tap_diag("%s", err);
	tap_is((uint64_t)c.n_interfaces, 123, "... with its 123 interfaces");
	tap_ok(!strcmp(c.interfaces[0], "veth000") &&
	       !strcmp(c.interfaces[122], "veth122"), "... first and last intact");
}

/* Bytes the fuzzer found; each must give an error, not a crash. */
static const struct {
	const char	*data;
	size_t		len;
	const char	*want;
} raws[] = {
	/* a NUL where a long line went on (read before a buffer, issue 11) */
	{ "[capture]\ninterfaces = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "\0b\n", 199 + 10 + 3, "r.conf:2: a NUL byte in the line" },
	{ "\0", 1, "r.conf:1: a NUL byte in the line" },
	{ "[capture]\n\0\n", 12, "r.conf:2: a NUL byte in the line" },
	{ "[capture", 8, "r.conf:1: syntax error (expected [section] or key = value)" },
	{ "=x", 2, "r.conf:1: syntax error (expected [section] or key = value)" },
	{ "x = 1", 5, "r.conf:1: x: outside any [section]" },
	{ "[capture]x\n", 11, "r.conf:1: syntax error (expected [section] or key = value)" },
	{ "[collector]\n", 12, "r.conf:1: [collector] needs a name: [collector NAME]" },
	{ "[flows]\n[junk]\n", 15, "r.conf:2: unknown section [junk]" },
};

static void test_raw(void)
{
	char err[CONFIG_ERR_LEN];
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		err[0] = '\0';
		if (!tap_ok(config_parse_buffer(raws[i].data, raws[i].len, "r.conf", &c,
						err, sizeof(err)) == -1 &&
			    !strcmp(err, raws[i].want), "bytes: %s", raws[i].want))
			tap_diag("got: %s", err);
	}
}

/* The fuzzer's crash inputs, kept in tests/fuzz/crashes, read as files
 * (from $top_srcdir where the tree was moved: the kernel tests' VM). */
static void test_crash_files(void)
{
	static const char *const files[] = { "nul-in-long-line" };
	char path[PATH_MAX], err[CONFIG_ERR_LEN], want[PATH_MAX + 64];
	const char *top = getenv("top_srcdir");
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/fuzz/crashes/%s",
			 top && *top ? top : TOP_SRCDIR, files[i]);
		snprintf(want, sizeof(want), "%s:1: a NUL byte in the line", path);
		err[0] = '\0';
		if (!tap_ok(config_load(path, &c, err, sizeof(err)) == -1 &&
			    !strcmp(err, want), "crash input %s: an error", files[i]))
			tap_diag("got: %s", err);
	}
}

/*
 * config_print() a and read what it wrote back: the same configuration
 * (where each section is, its line, does not count).  Returns the text.
 */
static char *round_trip(const struct config *a, const char *what)
{
	char err[CONFIG_ERR_LEN] = "", *buf = NULL;
	struct config b;
	size_t len = 0;
	int i, rc;
	FILE *f;

	f = open_memstream(&buf, &len);
	config_print(f, a);
	fclose(f);
	rc = config_parse_buffer(buf, len, a->file, &b, err, sizeof(err));
	if (!tap_ok(rc == 0, "%s: the printed configuration parses", what))
		tap_diag("%s\n%s", err, buf);
	for (i = 0; i < a->n_collectors; i++)
		b.collectors[i].line = a->collectors[i].line;
	tap_ok(!memcmp(a, &b, sizeof(b)), "%s: ... to the same configuration", what);
	return buf;
}

/* A Kafka collector: its keys, and config_print() writes them back. */
static void test_kafka(void)
{
	static const char text[] = "[capture]\ninterfaces = *\n"
		"[collector fleet]\nprotocol = kafka\nbrokers = k1:9092,k2:9092\n"
		"topic = flows\nkey = flow\nkafka_config = /etc/k.conf\n"
		"exporter_id = edge-1\n";
	char err[CONFIG_ERR_LEN] = "", *buf;
	const struct collector_config *k;
	struct config a;

	if (!tap_ok(config_parse_string(text, "k.conf", &a, err, sizeof(err)) == 0,
		    "a kafka collector parses"))
		tap_diag("%s", err);
	k = &a.collectors[0];
	tap_ok(k->protocol == PROTO_KAFKA && !strcmp(k->brokers, "k1:9092,k2:9092") &&
	       !strcmp(k->topic, "flows") && k->format == KAFKA_FORMAT_JSON &&
	       k->key == KAFKA_KEY_FLOW && !strcmp(k->kafka_config, "/etc/k.conf") &&
	       !strcmp(k->exporter_id, "edge-1"), "... with its keys");
	buf = round_trip(&a, "kafka");
	tap_ok(strstr(buf, "\nbrokers = k1:9092,k2:9092\ntopic = flows\n"
		      "format = json\nkey = flow\nkafka_config = /etc/k.conf\n"
		      "exporter_id = edge-1\n") != NULL, "... printed");
	free(buf);
}

/* The pacing keys: defaults, every form, printed and read back. */
static void test_pace(void)
{
	static const char text[] = "[capture]\ninterfaces = *\n"
		"[collector a]\nprotocol = ipfix\naddress = x\n"
		"[collector b]\nprotocol = netflow9\naddress = x\n"
		"max_rate = 20k\nmax_bitrate = 10M\nqueue_records = 5000\n"
		"[collector c]\nprotocol = netflow5\naddress = x\nmax_rate = off\n"
		"[collector d]\nprotocol = ipfix\naddress = x\nmax_rate = 0\n";
	char err[CONFIG_ERR_LEN] = "", *buf;
	const struct collector_config *cc;
	struct config a;

	if (!tap_ok(config_parse_string(text, "r.conf", &a, err, sizeof(err)) == 0,
		    "pacing keys parse"))
		tap_diag("%s", err);
	cc = a.collectors;
	tap_ok(cc[0].max_rate == COLLECTOR_RATE_AUTO && cc[0].max_bitrate == 0 &&
	       cc[0].queue_records == COLLECTOR_QUEUE_RECORDS,
	       "defaults: max_rate auto, no bit rate, a queue of 1048576 records");
	tap_ok(cc[1].max_rate == 20000 && cc[1].max_bitrate == 10000000 &&
	       cc[1].queue_records == 5000, "20k records/s, 10M bits/s, 5000");
	tap_ok(cc[2].max_rate == 0 && cc[3].max_rate == 0,
	       "max_rate = off and = 0: not paced");
	buf = round_trip(&a, "pacing");
	tap_ok(strstr(buf, "\nmax_rate = auto\nmax_bitrate = 0\n"
		      "queue_records = 1048576\n") &&
	       strstr(buf, "\nmax_rate = 20000\nmax_bitrate = 10000000\n"
		      "queue_records = 5000\n") &&
	       strstr(buf, "\nmax_rate = off\n"), "... printed");
	free(buf);
}

/* What config_print() writes reads back to the same struct config. */
static void test_print(void)
{
	char err[CONFIG_ERR_LEN] = "", *buf;
	struct config a;

	config_parse_string(good, "p.conf", &a, err, sizeof(err));
	buf = round_trip(&a, "print");
	tap_ok(strstr(buf, "\nkernel_flows = 1024\n") &&
	       strstr(buf, "\nnat = auto\n") &&
	       strstr(buf, "\nroutes = yes\n") &&
	       strstr(buf, "\ninterfaces = eth0 veth* wlan0\n") &&
	       strstr(buf, "\n[collector nfcapd]\nprotocol = ipfix\ntransport = udp\n"
		      "address = 127.0.0.1\nport = 4739\n"),
	       "... with every default written out");
	free(buf);
}

/*
 * The least message_size is what the templates (IPFIX: the longest one)
 * and the largest record need, as the encoder measures it (netflow9 512,
 * ipfix 164 bytes now):
 * one byte less is an error on the key's own line, that much is enough.
 */
static void least_message_size(int protocol, const char *name)
{
	size_t need = exporter_min_message_size(protocol);
	char text[256], want[256], err[CONFIG_ERR_LEN] = "";
	struct config c;

	tap_ok(need >= 150 && need < 600, "%s: at least %zu bytes a message",
	       name, need);
	snprintf(text, sizeof(text), "[capture]\ninterfaces = *\n[collector n]\n"
		 "protocol = %s\nmessage_size = %zu\naddress = x\n", name, need - 1);
	snprintf(want, sizeof(want), "m.conf:5: message_size: %zu cannot hold the "
		 "%s templates or largest record (%zu bytes at least)", need - 1,
		 name, need);
	tap_ok(config_parse_string(text, "m.conf", &c, err, sizeof(err)) == -1 &&
	       !strcmp(err, want), "error: %s", want);
	snprintf(text, sizeof(text), "[capture]\ninterfaces = *\n[collector n]\n"
		 "message_size = %zu\nprotocol = %s\naddress = x\n", need, name);
	err[0] = '\0';
	tap_ok(config_parse_string(text, "m.conf", &c, err, sizeof(err)) == 0 &&
	       c.collectors[0].message_size == need,
	       "%s: message_size %zu accepted %s", name, need, err);
}

static void test_missing_file(void)
{
	char err[CONFIG_ERR_LEN];
	struct config c;

	tap_ok(config_load("/nonexistent/tcflowd.conf", &c, err, sizeof(err)) == -1 &&
	       !strcmp(err, "/nonexistent/tcflowd.conf: No such file or directory"),
	       "a missing file names itself");
}

int main(void)
{
	test_good();
	test_defaults();
	test_syntax();
	least_message_size(PROTO_NETFLOW9, "netflow9");
	least_message_size(PROTO_IPFIX, "ipfix");
	test_errors();
	test_long_line();
	test_raw();
	test_crash_files();
	test_print();
	test_pace();
	test_kafka();
	test_missing_file();
	return tap_done();
}
