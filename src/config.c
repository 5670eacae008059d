// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - tcflowd.conf -> struct config, with libinih.
 *
 * Debian's libinih does not pass line numbers to the handler, so the
 * reader counts lines itself: the handler runs right after its line was
 * read.  One table row per key; each key's value is checked where it is
 * parsed, and the whole file is checked once more at the end.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ini.h>

#include "config.h"
#include "exporter.h"
#include "log.h"

struct parse_state {
	struct config	*cfg;
	const char	*name;		/* the file, for messages */
	int		line;		/* the line just read */
	int		section_line;	/* the last [section] header */
	int		failed;
	char		*err;
	size_t		errlen;
	struct collector_config *cur;	/* in a [collector NAME] section */
	int		size_line[CONFIG_MAX_COLLECTORS]; /* message_size's */
	/* the source: a FILE or a string */
	FILE		*file;
	const char	*text;
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
	char list[128] = "";
	int i;

	for (i = 0; names[i]; i++) {
		if (!strcmp(v, names[i]))
			return *out = i, 1;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", names[i]);
	}
	return fail(ps, ps->line, key, "'%s' is not one of: %s", v, list);
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

/* A list of words separated by commas or spaces. */
static int parse_list(struct parse_state *ps, const char *key, const char *v,
		      char (*out)[CONFIG_PATTERN_LEN], int *n)
{
	char buf[1024], *tok, *save;

	if (parse_string(ps, key, v, buf, sizeof(buf)) == 0)
		return 0;
	*n = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (*n == CONFIG_MAX_PATTERNS)
			return fail(ps, ps->line, key, "more than %d entries",
				    CONFIG_MAX_PATTERNS);
		if (parse_string(ps, key, tok, out[*n], CONFIG_PATTERN_LEN) == 0)
			return 0;
		(*n)++;
	}
	return 1;
}

/* ---- sections ---------------------------------------------------------- */

static const char *const log_levels[] = { "err", "warn", "info", "debug", NULL };
static const char *const hooks[] = { "auto", "tcx", "tc", "socket", NULL };
static const char *const directions[] = { "", "ingress", "egress", "both", NULL };
static const char *const clocks[] = { "jiffies", "precise", NULL };
static const char *const protocols[] = { "json", "ipfix", "netflow9",
					 "netflow5", NULL };
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
	if (!strcmp(k, "kernel_flows"))
		return parse_u32(ps, k, v, 16, 1u << 24, &c->kernel_flows);
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
	if (!strcmp(k, "max_flows"))
		return parse_u32(ps, k, v, 16, 1u << 26, &c->max_flows);
	if (!strcmp(k, "routes"))
		return parse_bool(ps, k, v, &c->routes);
	if (!strcmp(k, "route_cache"))
		return parse_u32(ps, k, v, 16, 1u << 24, &c->route_cache);
	return fail(ps, ps->line, k, "unknown key in [flows]");
}

static int collector_key(struct parse_state *ps, const char *k, const char *v)
{
	struct collector_config *cc = ps->cur;
	uint32_t port;

	if (!strcmp(k, "protocol"))
		return parse_enum(ps, k, v, protocols, &cc->protocol);
	if (!strcmp(k, "transport"))
		return parse_enum(ps, k, v, transports, &cc->transport);
	if (!strcmp(k, "address"))
		return parse_string(ps, k, v, cc->address, sizeof(cc->address));
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
				    sizeof(cc->source_address));
	if (!strcmp(k, "source_port")) {
		if (!parse_u32(ps, k, v, 1, 65535, &port))
			return 0;
		cc->source_port = (uint16_t)port;
		return 1;
	}
	return fail(ps, ps->line, k, "unknown key in [collector %s]", cc->name);
}

/* Start (or find) the collector of a "[collector NAME]" section. */
static int enter_collector(struct parse_state *ps, const char *name)
{
	struct config *c = ps->cfg;
	struct collector_config *cc;
	int i;

	for (i = 0; i < c->n_collectors; i++)
		if (!strcmp(c->collectors[i].name, name)) {
			ps->cur = &c->collectors[i];
			return 1;
		}
	if (!*name)
		return fail(ps, ps->section_line, NULL,
			    "[collector] needs a name: [collector NAME]");
	if (c->n_collectors == CONFIG_MAX_COLLECTORS)
		return fail(ps, ps->section_line, NULL, "more than %d collectors",
			    CONFIG_MAX_COLLECTORS);
	cc = &c->collectors[c->n_collectors++];
	memset(cc, 0, sizeof(*cc));
	if (parse_string(ps, "collector", name, cc->name, sizeof(cc->name)) == 0)
		return 0;
	cc->line = ps->section_line;
	cc->protocol = -1;
	cc->transport = -1;
	cc->template_refresh_s = COLLECTOR_REFRESH_S;
	cc->template_refresh_messages = COLLECTOR_REFRESH_MESSAGES;
	cc->message_size = COLLECTOR_MESSAGE_SIZE;
	ps->cur = cc;
	return 1;
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parse_state *ps = user;

	if (!strcmp(section, "global"))
		return global_key(ps, key, value);
	if (!strcmp(section, "capture"))
		return capture_key(ps, key, value);
	if (!strcmp(section, "flows"))
		return flows_key(ps, key, value);
	if (!strncmp(section, "collector", 9) &&
	    (section[9] == ' ' || section[9] == '\0')) {
		const char *name = section + 9;

		while (*name == ' ')
			name++;
		return enter_collector(ps, name) && collector_key(ps, key, value);
	}
	return fail(ps, ps->section_line, NULL, "unknown section [%s]", section);
}

/* ---- reading, with line numbers ---------------------------------------- */

static char *next_line(struct parse_state *ps, char *buf, int size)
{
	if (ps->file)
		return fgets(buf, size, ps->file);
	if (!*ps->text)
		return NULL;
	{
		const char *nl = strchr(ps->text, '\n');
		size_t n = nl ? (size_t)(nl - ps->text) + 1 : strlen(ps->text);

		if (n > (size_t)size - 1)
			n = (size_t)size - 1;
		memcpy(buf, ps->text, n);
		buf[n] = '\0';
		ps->text += n;
	}
	return buf;
}

static char *reader(char *buf, int size, void *stream)
{
	struct parse_state *ps = stream;
	char *p, *line = next_line(ps, buf, size);
	size_t n;

	if (!line)
		return NULL;
	ps->line++;
	n = strlen(buf);
	if (n == (size_t)size - 1 && buf[n - 1] != '\n') {
		char rest[256];

		fail(ps, ps->line, NULL, "line longer than %d characters",
		     size - 2);
		/* skip the rest of the long line */
		while (next_line(ps, rest, sizeof(rest)) &&
		       rest[strlen(rest) - 1] != '\n')
			;
		buf[0] = '\0';
		return buf;
	}
	for (p = buf; isspace((unsigned char)*p); p++)
		;
	if (*p == '[')
		ps->section_line = ps->line;
	return buf;
}

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
	c->kernel_flows = 65536;
	c->overflow_ring_kb = 1024;
	c->fetch_interval_ms = 1000;
	c->active_timeout_s = 60;
	c->idle_timeout_s = 15;
	c->tcp_end_timeout_s = 2;
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
	char key[CONFIG_NAME_LEN + 16];

	snprintf(key, sizeof(key), "[collector %s]", cc->name);
	if (cc->protocol < 0)
		return fail(ps, cc->line, key, "protocol is required");
	if (!check_message_size(ps, cc))
		return 0;
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
	for (i = 0; i < c->n_collectors; i++)
		if (!check_collector(ps, &c->collectors[i]))
			return 0;
	return 1;
}

static int parse(struct parse_state *ps)
{
	int rc;

	config_defaults(ps->cfg);
	rc = ini_parse_stream(reader, ps, handler, ps);
	if (rc > 0 && !ps->failed)
		fail(ps, rc, NULL, "syntax error (expected [section] or key = value)");
	if (!ps->failed)
		check(ps);
	return ps->failed ? -1 : 0;
}

int config_parse_string(const char *text, const char *name,
			struct config *cfg, char *err, size_t errlen)
{
	struct parse_state ps = { .cfg = cfg, .name = name, .err = err,
				  .errlen = errlen, .text = text };
	int rc = parse(&ps);

	snprintf(cfg->file, sizeof(cfg->file), "%s", name);
	return rc;
}

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	struct parse_state ps = { .cfg = cfg, .name = path, .err = err,
				  .errlen = errlen };
	int rc;

	ps.file = fopen(path, "r");
	if (!ps.file) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = parse(&ps);
	fclose(ps.file);
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	return rc;
}

const char *config_hook_name(int hook)
{
	return hook >= 0 && hook <= HOOK_SOCKET ? hooks[hook] : "?";
}

const char *config_protocol_name(int protocol)
{
	return protocol >= 0 && protocol <= PROTO_NETFLOW5 ? protocols[protocol] : "?";
}
