// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - tcflowd.conf -> struct config.
 *
 * An INI reader of its own (libinih cuts lines at 200 bytes and passes no
 * line numbers): lines of any length, every key and section at most once,
 * errors as "file:line: key: reason".  Each key's value is checked where
 * it is parsed, and the whole file is checked once more at the end.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "config.h"
#include "fetcher.h"	/* FETCHER_READ_SPACING */
#include "config_kafka.h"
#include "kmem.h"
#include "config_pace.h"
#include "config_metrics.h"
#include "exporter.h"
#include "log.h"

enum section { SECTION_NONE, SECTION_GLOBAL, SECTION_CAPTURE, SECTION_FLOWS,
	       SECTION_COLLECTOR, SECTION_METRICS };
static const char *const section_names[] = { "", "global", "capture", "flows",
					     "collector", "metrics" };

struct parse_state {
	struct config	*cfg;
	const char	*name;		/* the file, for messages */
	int		line;		/* the line just read */
	int		failed;
	char		*err;
	size_t		errlen;
	enum section	section;	/* the one being read */
	struct collector_config *cur;	/* in a [collector NAME] section */
	int		nat_line;	/* of [capture] nat */
	struct {			/* sections seen, for repeats */
		enum section	section;
		char		name[CONFIG_NAME_LEN];
		int		line;
	} sections[CONFIG_MAX_COLLECTORS + 4];
	int		n_sections;
	struct {			/* keys seen in this section */
		char		key[32];
		int		line;
	} keys[32];
	int		n_keys;
	int		size_line[CONFIG_MAX_COLLECTORS]; /* message_size's */
};

static int fail(struct parse_state *ps, int line, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record the first error; the parser goes on but the result is refused. */
static int fail(struct parse_state *ps, int line, const char *key,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed++)
		return 0;
	n = snprintf(ps->err, ps->errlen, "%s:%d: %s%s", ps->name, line,
		     key ? key : "", key ? ": " : "");
	if (n < 0 || (size_t)n >= ps->errlen)
		return 0;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

/* ---- value parsers: 1 on success, 0 after fail() ------------------------ */

static int parse_u32(struct parse_state *ps, const char *key, const char *v,
		     uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-')
		return fail(ps, ps->line, key, "'%s' is not a number", v);
	if (n < min || n > max)
		return fail(ps, ps->line, key, "%llu is out of range (%u..%u)",
			    n, min, max);
	*out = (uint32_t)n;
	return 1;
}

static int parse_bool(struct parse_state *ps, const char *key, const char *v,
		      bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = true, 1;
		if (!strcasecmp(v, no[i]))
			return *out = false, 1;
	}
	return fail(ps, ps->line, key, "'%s' is not yes or no", v);
}

/* One of names[] (NULL-terminated) -> its index. */
static int parse_enum(struct parse_state *ps, const char *key, const char *v,
		      const char *const *names, int *out)
{
	char why[192];

	if (config_name_index(v, names, out, why, sizeof(why)))
		return fail(ps, ps->line, key, "%s", why);
	return 1;
}

static int parse_string(struct parse_state *ps, const char *key,
			const char *v, char *out, size_t len)
{
	if (strlen(v) >= len)
		return fail(ps, ps->line, key, "longer than %zu characters",
			    len - 1);
	strcpy(out, v);
	return 1;
}

/* A list of words separated by commas or spaces, of any length. */
static int parse_list(struct parse_state *ps, const char *key, const char *v,
		      char (*out)[CONFIG_PATTERN_LEN], int *n)
{
	static const char sep[] = ", \t";
	size_t len;

	*n = 0;
	for (v += strspn(v, sep); *v; v += strspn(v, sep)) {
		len = strcspn(v, sep);
		if (*n == CONFIG_MAX_PATTERNS)
			return fail(ps, ps->line, key, "more than %d entries",
				    CONFIG_MAX_PATTERNS);
		if (len >= CONFIG_PATTERN_LEN)
			return fail(ps, ps->line, key, "longer than %d characters",
				    CONFIG_PATTERN_LEN - 1);
		memcpy(out[*n], v, len);
		out[*n][len] = '\0';
		(*n)++;
		v += len;
	}
	return 1;
}

/*
 * An address that looks numeric (digits and dots, or a colon) must be an
 * IPv4 or IPv6 address: "300.1.1.1" would otherwise go to the resolver at
 * start.  Other words are host names, resolved at start, unless numeric
 * is set.  Empty is unset.
 */
static int parse_address(struct parse_state *ps, const char *key,
			 const char *v, bool numeric)
{
	unsigned char buf[16];

	if (!*v)	/* unset: whether the section needs one is checked later */
		return 1;
	if (inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1)
		return 1;
	if (strchr(v, ':'))
		return fail(ps, ps->line, key, "'%s' is not an IPv6 address", v);
	if (strspn(v, "0123456789.") == strlen(v))
		return fail(ps, ps->line, key, "'%s' is not an IPv4 address", v);
	if (numeric)
		return fail(ps, ps->line, key, "'%s' is not an IP address", v);
	return 1;
}

/* ---- sections ---------------------------------------------------------- */

static const char *const log_levels[] = { "err", "warn", "info", "debug", NULL };
static const char *const hooks[] = { "auto", "tcx", "tc", "socket", NULL };
static const char *const directions[] = { "", "ingress", "egress", "both", NULL };
static const char *const clocks[] = { "jiffies", "precise", NULL };
static const char *const nat_modes[] = { "off", "auto", "on", NULL };
static const char *const countings[] = { "map", "ring", "auto", NULL };
static const char *const protocols[] = { "json", "ipfix", "netflow9",
					 "netflow5", "kafka", NULL };
static const char *const transports[] = { "udp", "tcp", "sctp", "file", NULL };

static int global_key(struct parse_state *ps, const char *k, const char *v)
{
	struct config *c = ps->cfg;

	if (!strcmp(k, "observation_domain"))
		return parse_u32(ps, k, v, 0, UINT32_MAX, &c->observation_domain);
	if (!strcmp(k, "log_level"))
		return parse_enum(ps, k, v, log_levels, &c->log_level);
	if (!strcmp(k, "syslog"))
		return parse_bool(ps, k, v, &c->syslog);
	if (!strcmp(k, "pid_file"))
		return parse_string(ps, k, v, c->pid_file, sizeof(c->pid_file));
	if (!strcmp(k, "state_dir"))
		return parse_string(ps, k, v, c->state_dir, sizeof(c->state_dir));
	if (!strcmp(k, "stats_interval_s"))
		return parse_u32(ps, k, v, 0, 86400, &c->stats_interval_s);
	if (!strcmp(k, "user"))
		return parse_string(ps, k, v, c->user, sizeof(c->user));
	return fail(ps, ps->line, k, "unknown key in [global]");
}

static int capture_key(struct parse_state *ps, const char *k, const char *v)
{
	struct config *c = ps->cfg;
	int clock;

	if (!strcmp(k, "interfaces"))
		return parse_list(ps, k, v, c->interfaces, &c->n_interfaces);
	if (!strcmp(k, "exclude"))
		return parse_list(ps, k, v, c->exclude, &c->n_exclude);
	if (!strcmp(k, "hook"))
		return parse_enum(ps, k, v, hooks, &c->hook);
	if (!strcmp(k, "direction"))
		return parse_enum(ps, k, v, directions, &c->direction) &&
		       (c->direction || fail(ps, ps->line, k, "empty"));
	if (!strcmp(k, "sampling"))
		return parse_u32(ps, k, v, 1, 1u << 30, &c->sampling);
	if (!strcmp(k, "kernel_flows")) {
		c->kernel_flows_auto = false;
		return parse_u32(ps, k, v, 16, 1u << 24, &c->kernel_flows);
	}
	if (!strcmp(k, "overflow_ring_kb")) {
		if (!parse_u32(ps, k, v, 4, 1u << 20, &c->overflow_ring_kb))
			return 0;
		if (c->overflow_ring_kb & (c->overflow_ring_kb - 1))
			return fail(ps, ps->line, k, "%u is not a power of 2",
				    c->overflow_ring_kb);
		return 1;
	}
	if (!strcmp(k, "clock")) {
		if (!parse_enum(ps, k, v, clocks, &clock))
			return 0;
		c->precise_clock = clock == 1;
		return 1;
	}
	if (!strcmp(k, "counting"))
		return parse_enum(ps, k, v, countings, &c->counting);
	if (!strcmp(k, "ring_from_flows"))
		return parse_u32(ps, k, v, 1, 1u << 26, &c->ring_from_flows);
	if (!strcmp(k, "nat")) {
		ps->nat_line = ps->line;
		return parse_enum(ps, k, v, nat_modes, &c->nat);
	}
	return fail(ps, ps->line, k, "unknown key in [capture]");
}

static int flows_key(struct parse_state *ps, const char *k, const char *v)
{
	struct config *c = ps->cfg;

	if (!strcmp(k, "fetch_interval_ms"))
		return parse_u32(ps, k, v, 10, 60000, &c->fetch_interval_ms);
	if (!strcmp(k, "active_timeout_s"))
		return parse_u32(ps, k, v, 1, 86400, &c->active_timeout_s);
	if (!strcmp(k, "idle_timeout_s"))
		return parse_u32(ps, k, v, 1, 86400, &c->idle_timeout_s);
	if (!strcmp(k, "tcp_end_timeout_s"))
		return parse_u32(ps, k, v, 0, 3600, &c->tcp_end_timeout_s);
	if (!strcmp(k, "kernel_epoch_s"))
		return parse_u32(ps, k, v, 0, 3600, &c->kernel_epoch_s);
	if (!strcmp(k, "kernel_read_spacing"))
		return parse_u32(ps, k, v, 0, 64, &c->kernel_read_spacing);
	if (!strcmp(k, "max_flows"))
		return parse_u32(ps, k, v, 16, 1u << 26, &c->max_flows);
	if (!strcmp(k, "routes"))
		return parse_bool(ps, k, v, &c->routes);
	if (!strcmp(k, "route_cache"))
		return parse_u32(ps, k, v, 16, 1u << 24, &c->route_cache);
	return fail(ps, ps->line, k, "unknown key in [flows]");
}

static int metrics_key(struct parse_state *ps, const char *k, const char *v)
{
	char why[192];

	if (config_metrics_key(ps->cfg, k, v, why, sizeof(why)))
		return fail(ps, ps->line, k, "%s", why);
	return 1;
}

static int collector_key(struct parse_state *ps, const char *k, const char *v)
{
	struct collector_config *cc = ps->cur;
	char why[128];
	uint32_t port;
	int rc;

	if (!strcmp(k, "protocol"))
		return parse_enum(ps, k, v, protocols, &cc->protocol);
	if (!strcmp(k, "transport")) {
		if (!parse_enum(ps, k, v, transports, &cc->transport))
			return 0;
		if (cc->transport == TRANSPORT_SCTP)
			return fail(ps, ps->line, k, "sctp is not implemented "
				    "yet: use udp, tcp or file");
		return 1;
	}
	if (!strcmp(k, "address"))
		return parse_string(ps, k, v, cc->address, sizeof(cc->address)) &&
		       parse_address(ps, k, v, false);
	if (!strcmp(k, "port")) {
		if (!parse_u32(ps, k, v, 1, 65535, &port))
			return 0;
		cc->port = (uint16_t)port;
		return 1;
	}
	if (!strcmp(k, "path"))
		return parse_string(ps, k, v, cc->path, sizeof(cc->path));
	if (!strcmp(k, "template_refresh_s"))
		return parse_u32(ps, k, v, 1, 86400, &cc->template_refresh_s);
	if (!strcmp(k, "template_refresh_messages"))
		return parse_u32(ps, k, v, 1, 1000000, &cc->template_refresh_messages);
	if (!strcmp(k, "message_size")) {
		/* the least depends on the protocol: check_collector() */
		ps->size_line[cc - ps->cfg->collectors] = ps->line;
		return parse_u32(ps, k, v, 1, 65000, &cc->message_size);
	}
	if (!strcmp(k, "source_address"))
		return parse_string(ps, k, v, cc->source_address,
				    sizeof(cc->source_address)) &&
		       parse_address(ps, k, v, true);
	if (!strcmp(k, "source_port")) {
		if (!parse_u32(ps, k, v, 1, 65535, &port))
			return 0;
		cc->source_port = (uint16_t)port;
		return 1;
	}
	rc = config_pace_key(cc, k, v, why, sizeof(why));
	if (rc <= 0)
		return rc ? fail(ps, ps->line, k, "%s", why) : 1;
	if (config_kafka_key(cc, k, v, why, sizeof(why)))
		return fail(ps, ps->line, k, "%s", why);
	return 1;
}

/* Start the collector of a "[collector NAME]" section. */
static int enter_collector(struct parse_state *ps, const char *name)
{
	struct config *c = ps->cfg;
	struct collector_config *cc;

	if (!*name)
		return fail(ps, ps->line, NULL,
			    "[collector] needs a name: [collector NAME]");
	if (c->n_collectors == CONFIG_MAX_COLLECTORS)
		return fail(ps, ps->line, NULL, "more than %d collectors",
			    CONFIG_MAX_COLLECTORS);
	cc = &c->collectors[c->n_collectors++];
	memset(cc, 0, sizeof(*cc));
	if (parse_string(ps, "collector", name, cc->name, sizeof(cc->name)) == 0)
		return 0;
	cc->line = ps->line;
	cc->protocol = -1;
	cc->transport = -1;
	cc->template_refresh_s = COLLECTOR_REFRESH_S;
	cc->template_refresh_messages = COLLECTOR_REFRESH_MESSAGES;
	cc->message_size = COLLECTOR_MESSAGE_SIZE;
	config_pace_defaults(cc);
	ps->cur = cc;
	return 1;
}

/* ---- the reader: lines of any length, each key and section once -------- */

/* s without its leading and trailing spaces (cut in place). */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "[NAME]": a known section, seen for the first time. */
static int section_line(struct parse_state *ps, char *s)
{
	char *name, *end = strchr(s, ']');
	int i;

	if (!end || end[1])
		return fail(ps, ps->line, NULL,
			    "syntax error (expected [section] or key = value)");
	*end = '\0';
	name = trim(s + 1);
	if (!strncmp(name, "collector", 9) && (!name[9] || isspace((unsigned char)name[9]))) {
		name = trim(name + 9);
		ps->section = SECTION_COLLECTOR;
	} else if (!strcmp(name, "global")) {
		ps->section = SECTION_GLOBAL;
		name = "";
	} else if (!strcmp(name, "capture")) {
		ps->section = SECTION_CAPTURE;
		name = "";
	} else if (!strcmp(name, "flows")) {
		ps->section = SECTION_FLOWS;
		name = "";
	} else if (!strcmp(name, "metrics")) {
		ps->section = SECTION_METRICS;
		name = "";
	} else {
		return fail(ps, ps->line, NULL, "unknown section [%s]", name);
	}
	ps->n_keys = 0;
	for (i = 0; i < ps->n_sections; i++)
		if (ps->sections[i].section == ps->section &&
		    !strcmp(ps->sections[i].name, name))
			return fail(ps, ps->line, NULL, "[%s%s%s] repeated (first at line %d)",
				    section_names[ps->section], *name ? " " : "",
				    name, ps->sections[i].line);
	if (ps->section == SECTION_COLLECTOR && !enter_collector(ps, name))
		return 0;
	if (ps->n_sections < (int)(sizeof(ps->sections) / sizeof(ps->sections[0]))) {
		ps->sections[ps->n_sections].section = ps->section;
		ps->sections[ps->n_sections].line = ps->line;
		snprintf(ps->sections[ps->n_sections].name, CONFIG_NAME_LEN, "%s", name);
		ps->n_sections++;
	}
	return 1;
}

/* "key = value" in the current section; a key may appear once. */
static int key_line(struct parse_state *ps, const char *k, const char *v)
{
	int i;

	for (i = 0; i < ps->n_keys; i++)
		if (!strcmp(ps->keys[i].key, k))
			return fail(ps, ps->line, k, "repeated (first at line %d)",
				    ps->keys[i].line);
	if (ps->n_keys < (int)(sizeof(ps->keys) / sizeof(ps->keys[0])) &&
	    strlen(k) < sizeof(ps->keys[0].key)) {
		strcpy(ps->keys[ps->n_keys].key, k);
		ps->keys[ps->n_keys++].line = ps->line;
	}
	switch (ps->section) {
	case SECTION_GLOBAL:	return global_key(ps, k, v);
	case SECTION_CAPTURE:	return capture_key(ps, k, v);
	case SECTION_FLOWS:	return flows_key(ps, k, v);
	case SECTION_COLLECTOR:	return collector_key(ps, k, v);
	case SECTION_METRICS:	return metrics_key(ps, k, v);
	case SECTION_NONE:	break;
	}
	return fail(ps, ps->line, k, "outside any [section]");
}

/*
 * One line, NUL-terminated, without its newline.  Comments: a line that
 * starts with # or ;, and after a value whatever follows " ;".
 */
static int parse_line(struct parse_state *ps, char *line)
{
	char *s = trim(line), *p, *eq;

	if (!*s || *s == '#' || *s == ';')
		return 1;
	for (p = s + 1; *p; p++)
		if (*p == ';' && isspace((unsigned char)p[-1])) {
			*p = '\0';
			break;
		}
	s = trim(s);
	if (*s == '[')
		return section_line(ps, s);
	eq = s + strcspn(s, "=:");
	if (!*eq || eq == s)
		return fail(ps, ps->line, NULL,
			    "syntax error (expected [section] or key = value)");
	*eq = '\0';
	return key_line(ps, trim(s), trim(eq + 1));
}

/* Every line of text[0..len) (a private, NUL-terminated copy). */
static void parse_text(struct parse_state *ps, char *text, size_t len)
{
	char *line = text, *end = text + len, *nl;

	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		line += 3;		/* a UTF-8 byte order mark */
	while (line < end && !ps->failed) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		*nl = '\0';
		ps->line++;
		if (strlen(line) != (size_t)(nl - line))
			fail(ps, ps->line, NULL, "a NUL byte in the line");
		else
			parse_line(ps, line);
		line = nl + 1;
	}
}

/* kernel_epoch_s not given: the idle timeout */
#define EPOCH_IDLE	UINT32_MAX

/* ---- defaults and the final check -------------------------------------- */

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = LOG_LVL_INFO;
	strcpy(c->state_dir, "/run/tcflowd");
	c->stats_interval_s = 300;
	c->hook = HOOK_AUTO;
	c->direction = DIR_INGRESS | DIR_EGRESS;
	c->sampling = 1;
	c->kernel_flows = FLOW_MAP_DEFAULT_ENTRIES;	/* sized in check() */
	c->kernel_flows_auto = true;
	c->overflow_ring_kb = 8192;
	c->counting = COUNT_AUTO;
	c->ring_from_flows = 4096;
	c->fetch_interval_ms = 1000;
	c->active_timeout_s = 60;
	c->idle_timeout_s = 15;
	c->tcp_end_timeout_s = 2;
	c->kernel_epoch_s = EPOCH_IDLE;
	c->kernel_read_spacing = FETCHER_READ_SPACING;
	c->max_flows = 262144;
	c->routes = true;
	c->route_cache = 16384;
}

/* One message must hold the templates, and one the largest record. */
static int check_message_size(struct parse_state *ps,
			      const struct collector_config *cc)
{
	size_t need = exporter_min_message_size(cc->protocol);
	int line = ps->size_line[cc - ps->cfg->collectors];

	if (cc->message_size >= need)
		return 1;
	return fail(ps, line ? line : cc->line, "message_size",
		    "%u cannot hold the %s templates or largest record "
		    "(%zu bytes at least)", cc->message_size,
		    config_protocol_name(cc->protocol), need);
}

static int check_collector(struct parse_state *ps, struct collector_config *cc)
{
	char key[CONFIG_NAME_LEN + 16], why[128];

	snprintf(key, sizeof(key), "[collector %s]", cc->name);
	if (cc->protocol < 0)
		return fail(ps, cc->line, key, "protocol is required");
	if (!check_message_size(ps, cc))
		return 0;
	if (cc->protocol == PROTO_KAFKA)
		return !config_kafka_check(cc, cc->transport >= 0 ?
					   transports[cc->transport] : NULL,
					   why, sizeof(why)) ||
		       fail(ps, cc->line, key, "%s", why);
	if (cc->protocol == PROTO_JSON) {
		if (cc->transport < 0)
			cc->transport = TRANSPORT_FILE;
		if (cc->transport != TRANSPORT_FILE)
			return fail(ps, cc->line, key,
				    "json goes to a file (path), not over %s",
				    transports[cc->transport]);
	}
	if (cc->transport < 0)
		cc->transport = TRANSPORT_UDP;
	if ((cc->protocol == PROTO_NETFLOW5 || cc->protocol == PROTO_NETFLOW9) &&
	    cc->transport != TRANSPORT_UDP)
		return fail(ps, cc->line, key, "NetFlow goes over udp, not %s",
			    transports[cc->transport]);
	if (cc->transport == TRANSPORT_FILE) {
		if (!*cc->path)
			return fail(ps, cc->line, key,
				    "path is required (a file, or - for stdout)");
		return 1;
	}
	if (!*cc->address)
		return fail(ps, cc->line, key, "address is required");
	if (!cc->port)
		cc->port = cc->protocol == PROTO_IPFIX ? 4739 : 2055;
	return 1;
}

static int check(struct parse_state *ps)
{
	struct config *c = ps->cfg;
	int i;

	if (c->n_interfaces == 0)
		return fail(ps, ps->line, "interfaces",
			    "no interface to watch ([capture] interfaces)");
	if (c->n_collectors == 0)
		return fail(ps, ps->line, NULL,
			    "no [collector NAME] section: flows would go nowhere");
	if (c->idle_timeout_s > c->active_timeout_s)
		return fail(ps, ps->line, "idle_timeout_s",
			    "%u is longer than active_timeout_s (%u)",
			    c->idle_timeout_s, c->active_timeout_s);
	/* by default an epoch is the idle timeout: a flow back after an
	 * idle expiry is mostly a fresh kernel entry, with its exact start */
	if (c->kernel_epoch_s == EPOCH_IDLE)
		c->kernel_epoch_s = c->idle_timeout_s;
	/* by default the two flow maps stay within the kernel memory budget */
	if (c->kernel_flows_auto)
		c->kernel_flows = kmem_default_entries(kmem_possible_cpus());
	if (c->nat == NAT_ON && c->hook == HOOK_SOCKET)
		return fail(ps, ps->nat_line, "nat", "on needs a TC hook (the "
			    "socket filter cannot ask conntrack)");
	for (i = 0; i < c->n_collectors; i++)
		if (!check_collector(ps, &c->collectors[i]))
			return 0;
	return 1;
}

static int parse(struct parse_state *ps, const char *data, size_t len)
{
	char *text = malloc(len + 1);

	config_defaults(ps->cfg);
	if (!text) {
		snprintf(ps->err, ps->errlen, "%s: %s", ps->name, strerror(ENOMEM));
		return -1;
	}
	memcpy(text, data, len);
	text[len] = '\0';
	parse_text(ps, text, len);
	free(text);
	if (!ps->failed)
		check(ps);
	snprintf(ps->cfg->file, sizeof(ps->cfg->file), "%s", ps->name);
	return ps->failed ? -1 : 0;
}

int config_parse_buffer(const char *data, size_t len, const char *name,
			struct config *cfg, char *err, size_t errlen)
{
	struct parse_state ps = { .cfg = cfg, .name = name, .err = err,
				  .errlen = errlen };

	return parse(&ps, data, len);
}

int config_parse_string(const char *text, const char *name,
			struct config *cfg, char *err, size_t errlen)
{
	return config_parse_buffer(text, strlen(text), name, cfg, err, errlen);
}

/* The whole file into *data (malloc'd): 0 or -errno (-EFBIG if too large). */
static int read_file(const char *path, char **data, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = NULL, *p;
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return -errno;
	do {
		if (n == cap && (cap *= 2) > CONFIG_MAX_FILE + 4096) {
			err = -EFBIG;
			break;
		}
		p = realloc(buf, cap);
		if (!p) {
			err = -ENOMEM;
			break;
		}
		buf = p;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got && n <= CONFIG_MAX_FILE);
	if (!err && ferror(f))
		err = errno ? -errno : -EIO;
	if (!err && n > CONFIG_MAX_FILE)
		err = -EFBIG;
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*data = buf;
	*len = n;
	return 0;
}

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	char *data = NULL;
	size_t len = 0;
	int rc = read_file(path, &data, &len);

	if (rc == -EFBIG) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONFIG_MAX_FILE);
		return -1;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return -1;
	}
	rc = config_parse_buffer(data, len, path, cfg, err, errlen);
	free(data);
	return rc;
}

const char *config_hook_name(int hook)
{
	return hook >= 0 && hook <= HOOK_SOCKET ? hooks[hook] : "?";
}

const char *config_protocol_name(int protocol)
{
	return protocol >= 0 && protocol <= PROTO_KAFKA ? protocols[protocol] : "?";
}

/* ---- the effective configuration, as a file (tcflowd -T) --------------- */

static void print_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "%s =%s%s\n", key, *v ? " " : "", v);
}

static void print_list(FILE *f, const char *key,
		       const char (*list)[CONFIG_PATTERN_LEN], int n)
{
	int i;

	fprintf(f, "%s =", key);
	for (i = 0; i < n; i++)
		fprintf(f, " %s", list[i]);
	fputc('\n', f);
}

static void print_collector(FILE *f, const struct collector_config *cc)
{
	fprintf(f, "\n[collector %s]\n", cc->name);
	fprintf(f, "protocol = %s\n", config_protocol_name(cc->protocol));
	if (cc->transport >= 0 && cc->transport <= TRANSPORT_FILE)
		fprintf(f, "transport = %s\n", transports[cc->transport]);
	print_str(f, "address", cc->address);
	if (cc->port)
		fprintf(f, "port = %u\n", cc->port);
	print_str(f, "path", cc->path);
	print_str(f, "source_address", cc->source_address);
	if (cc->source_port)
		fprintf(f, "source_port = %u\n", cc->source_port);
	fprintf(f, "message_size = %u\n", cc->message_size);
	fprintf(f, "template_refresh_s = %u\n", cc->template_refresh_s);
	fprintf(f, "template_refresh_messages = %u\n",
		cc->template_refresh_messages);
	config_pace_print(f, cc);
	config_kafka_print(f, cc);
}

void config_print(FILE *f, const struct config *c)
{
	int i;

	fprintf(f, "# the effective configuration of %s\n", c->file);
	fprintf(f, "[global]\nobservation_domain = %u\n", c->observation_domain);
	fprintf(f, "log_level = %s\n", log_levels[c->log_level]);
	fprintf(f, "syslog = %s\n", c->syslog ? "yes" : "no");
	print_str(f, "pid_file", c->pid_file);
	print_str(f, "state_dir", c->state_dir);
	print_str(f, "user", c->user);
	fprintf(f, "stats_interval_s = %u\n", c->stats_interval_s);

	fprintf(f, "\n[capture]\n");
	print_list(f, "interfaces", c->interfaces, c->n_interfaces);
	print_list(f, "exclude", c->exclude, c->n_exclude);
	fprintf(f, "hook = %s\n", config_hook_name(c->hook));
	fprintf(f, "direction = %s\n", directions[c->direction & 3]);
	fprintf(f, "sampling = %u\n", c->sampling);
	/* the default depends on the machine: a comment, so it stays one */
	if (c->kernel_flows_auto)
		fprintf(f, "# kernel_flows = %u (the default for %d CPUs)\n",
			c->kernel_flows, kmem_possible_cpus());
	else
		fprintf(f, "kernel_flows = %u\n", c->kernel_flows);
	fprintf(f, "overflow_ring_kb = %u\n", c->overflow_ring_kb);
	fprintf(f, "clock = %s\n", clocks[c->precise_clock]);
	fprintf(f, "nat = %s\n", nat_modes[c->nat]);
	fprintf(f, "counting = %s\n", countings[c->counting]);
	fprintf(f, "ring_from_flows = %u\n", c->ring_from_flows);

	fprintf(f, "\n[flows]\nfetch_interval_ms = %u\n", c->fetch_interval_ms);
	fprintf(f, "active_timeout_s = %u\n", c->active_timeout_s);
	fprintf(f, "idle_timeout_s = %u\n", c->idle_timeout_s);
	fprintf(f, "tcp_end_timeout_s = %u\n", c->tcp_end_timeout_s);
	fprintf(f, "kernel_epoch_s = %u\n", c->kernel_epoch_s);
	fprintf(f, "kernel_read_spacing = %u\n", c->kernel_read_spacing);
	fprintf(f, "max_flows = %u\n", c->max_flows);
	fprintf(f, "routes = %s\n", c->routes ? "yes" : "no");
	fprintf(f, "route_cache = %u\n", c->route_cache);
	config_metrics_print(f, c);

	for (i = 0; i < c->n_collectors; i++)
		print_collector(f, &c->collectors[i]);
}
