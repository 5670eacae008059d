// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_config.c - tcflowd.conf parsing: values, defaults, and the exact
 * "file:line: key: reason" of every kind of error.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
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
	"[flows]\n"
	"fetch_interval_ms = 250\n"
	"active_timeout_s = 30\n"
	"idle_timeout_s = 5\n"
	"tcp_end_timeout_s = 1\n"
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
	tap_is(c.fetch_interval_ms, 250, "fetch_interval_ms");
	tap_is(c.active_timeout_s, 30, "active_timeout_s");
	tap_is(c.idle_timeout_s, 5, "idle_timeout_s");
	tap_is(c.tcp_end_timeout_s, 1, "tcp_end_timeout_s");
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
	       !c.precise_clock, "defaults");
}

struct bad {
	const char	*text;
	const char	*want;
};

static const struct bad bads[] = {
	{ "[capture]\ninterfaces = *\nsampling = 0\n",
	  "b.conf:3: sampling: 0 is out of range (1..1073741824)" },
	{ "[capture]\ninterfaces = *\nsampling = ten\n",
	  "b.conf:3: sampling: 'ten' is not a number" },
	{ "[capture]\ninterfaces = *\nhook = xdp\n",
	  "b.conf:3: hook: 'xdp' is not one of: auto, tcx, tc, socket" },
	{ "[capture]\ninterfaces = *\n\nbogus = 1\n",
	  "b.conf:4: bogus: unknown key in [capture]" },
	{ "[global]\nlog_level = info\n[nonsense]\nx = 1\n",
	  "b.conf:3: unknown section [nonsense]" },
	{ "[capture]\ninterfaces = *\noverflow_ring_kb = 100\n",
	  "b.conf:3: overflow_ring_kb: 100 is not a power of 2" },
	{ "[capture]\ninterfaces = *\nthis line has no equals sign\n",
	  "b.conf:3: syntax error (expected [section] or key = value)" },
	{ "[capture]\ninterfaces = *\n[collector a]\nprotocol = ipfix\n",
	  "b.conf:3: [collector a]: address is required" },
	{ "[capture]\ninterfaces = *\n[collector a]\nprotocol = gopher\n",
	  "b.conf:4: protocol: 'gopher' is not one of: json, ipfix, netflow9, netflow5" },
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

static void test_long_line(void)
{
	char text[1024], err[CONFIG_ERR_LEN];
	struct config c;

	snprintf(text, sizeof(text), "[capture]\ninterfaces = %0300d\n", 1);
	tap_ok(config_parse_string(text, "l.conf", &c, err, sizeof(err)) == -1 &&
	       !strncmp(err, "l.conf:2: line longer than", 26),
	       "a line over the limit is an error, not silently cut (%s)", err);
}

/*
 * The least message_size is what the templates and the largest record
 * need, as the encoder measures it (netflow9 440, ipfix 494 bytes now):
 * one byte less is an error on the key's own line, that much is enough.
 */
static void least_message_size(int protocol, const char *name)
{
	size_t need = exporter_min_message_size(protocol);
	char text[256], want[256], err[CONFIG_ERR_LEN] = "";
	struct config c;

	tap_ok(need >= 400 && need < 600, "%s: at least %zu bytes a message",
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
	least_message_size(PROTO_NETFLOW9, "netflow9");
	least_message_size(PROTO_IPFIX, "ipfix");
	test_errors();
	test_long_line();
	test_missing_file();
	return tap_done();
}
