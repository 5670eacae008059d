/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h - tcflowd.conf, parsed into struct config.
 *
 * A bad file is rejected as a whole with "file:line: key: reason"; the
 * caller keeps its old config (SIGHUP).  struct config is plain data (no
 * pointers), so it can be copied and compared.
 */
#ifndef TCFLOWD_CONFIG_H
#define TCFLOWD_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "exporter.h"

#define CONFIG_MAX_PATTERNS	256
#define CONFIG_PATTERN_LEN	64
#define CONFIG_MAX_COLLECTORS	16
#define CONFIG_NAME_LEN		64
#define CONFIG_ERR_LEN		(PATH_MAX + 256)
#define CONFIG_MAX_FILE		(1 << 20)	/* bytes */

/* [capture] hook */
#define HOOK_AUTO	0	/* tcx where the kernel has it, else tc */
#define HOOK_TCX	1
#define HOOK_TC		2	/* clsact + cls_bpf */
#define HOOK_SOCKET	3	/* AF_PACKET socket filter */

/* [capture] nat */
#define COUNT_MAP	0	/* the per-CPU maps; the ring when full */
#define COUNT_RING	1	/* every packet a ring record; the map when
				 * the ring is full */
#define COUNT_AUTO	2	/* the ring from ring_from_flows flows in the
				 * cache, the maps again below half that */
#define NAT_OFF		0
#define NAT_AUTO	1	/* on if nf_conntrack is there, else off */
#define NAT_ON		2

/* [capture] direction: a bit mask */
#define DIR_INGRESS	1
#define DIR_EGRESS	2

struct config {
	char		file[PATH_MAX];
	/* [global] */
	uint32_t	observation_domain;
	int		log_level;		/* LOG_LVL_* */
	bool		syslog;
	char		pid_file[PATH_MAX];	/* "" = none */
	char		state_dir[PATH_MAX];	/* what a crash may leave behind */
	uint32_t	stats_interval_s;	/* periodic counters line; 0 = off */
	char		user[CONFIG_NAME_LEN];	/* run as, once attached; "" = stay */
	/* [capture] */
	char		interfaces[CONFIG_MAX_PATTERNS][CONFIG_PATTERN_LEN];
	int		n_interfaces;
	char		exclude[CONFIG_MAX_PATTERNS][CONFIG_PATTERN_LEN];
	int		n_exclude;
	int		hook;			/* HOOK_* */
	int		direction;		/* DIR_* mask */
	uint32_t	sampling;		/* 1-in-N */
	uint32_t	kernel_flows;		/* per map (A and B) */
	bool		kernel_flows_auto;	/* not in the file: sized by
						 * the CPU count */
	uint32_t	overflow_ring_kb;
	bool		precise_clock;
	int		nat;			/* NAT_*: look flows up in conntrack */
	int		counting;		/* COUNT_*: the maps or the ring */
	uint32_t	ring_from_flows;	/* COUNT_AUTO: the ring from this
						 * many flows in the cache */
	/* [flows] */
	uint32_t	fetch_interval_ms;
	uint32_t	active_timeout_s;
	uint32_t	idle_timeout_s;
	uint32_t	tcp_end_timeout_s;
	uint32_t	kernel_epoch_s;		/* kernel entries kept this long;
						 * 0: swap every fetch */
	uint32_t	kernel_read_spacing;	/* a read in place waits this
						 * many times the last one's
						 * length; 0: every fetch */
	uint32_t	max_flows;
	bool		routes;			/* look up each flow's route */
	uint32_t	route_cache;		/* route answers kept */
	/* [metrics] */
	char		metrics_listen[128];	/* "ADDR:PORT", "[V6]:PORT"; "" = off */
	char		metrics_textfile[PATH_MAX]; /* written atomically; "" = none */
	/* [collector NAME] */
	struct collector_config collectors[CONFIG_MAX_COLLECTORS];
	int		n_collectors;
};

/* Fill *cfg with the defaults (no interfaces, no collectors). */
void config_defaults(struct config *cfg);

/*
 * Parse and validate the file at path into *cfg.  Returns 0, or -1 with
 * the reason in err ("file:line: key: reason"); *cfg is then undefined.
 */
int config_load(const char *path, struct config *cfg, char *err, size_t errlen);

/* Same, from a string (tests); name stands for the file in messages. */
int config_parse_string(const char *text, const char *name,
			struct config *cfg, char *err, size_t errlen);

/* Same, from len bytes that may hold anything (NUL bytes are an error). */
int config_parse_buffer(const char *data, size_t len, const char *name,
			struct config *cfg, char *err, size_t errlen);

/*
 * Write *cfg as a configuration file: every key, defaults included, in
 * the form config_load() reads back to the same struct config.
 */
void config_print(FILE *f, const struct config *cfg);

/*
 * What start-up would refuse beyond the file itself, without touching
 * the kernel (tcflowd -t): file outputs' and the pid file's directories
 * exist and are writable, the user exists.  Returns 0, or -1 with the
 * reason in err.
 */
int config_check_system(const struct config *cfg, char *err, size_t errlen);

const char *config_hook_name(int hook);
const char *config_protocol_name(int protocol);

#endif /* TCFLOWD_CONFIG_H */
