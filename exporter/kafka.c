// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kafka.c - protocol = kafka: one message per flow record on a Kafka
 * topic, through librdkafka.
 *
 * format = json sends the object the json collector writes (json.c), plus
 * the exporter's identity (exporter_id: the host name unless configured);
 * format = protobuf goflow2's FlowMessage, length-delimited (flowpb.c).
 * A record counts as sent only when librdkafka's delivery report says the
 * broker has it; a failed or timed-out delivery counts as not sent, and so
 * does a record the bounded local queue refuses.  The collector is down
 * (counters.down, tcflowd_collector_up 0) while records wait and the
 * brokers are away: from librdkafka's "all brokers down" error or a
 * delivery that timed out, until the next delivery (an idle producer's
 * connections closed by the brokers are not down), and for good after a
 * fatal error.  While the brokers are away records wait in that queue
 * (up to message.timeout.ms) and go out by themselves when they are back.
 *
 * Nothing blocks the daemon's loop: librdkafka's main queue (delivery
 * reports, its log) signals a pipe the loop watches (exporter_fd()), and
 * exporter_poll() serves it.  Close waits at most KAFKA_CLOSE_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <librdkafka/rdkafka.h>

#include "exporter.h"
#include "flowpb.h"
#include "json.h"
#include "kafka.h"
#include "log.h"

#define COMPLAIN_MS	60000

struct kafka {
	rd_kafka_t		*rk;
	rd_kafka_topic_t	*topic;
	rd_kafka_queue_t	*main;
	int			pipe[2];	/* librdkafka writes, we read */
	char			id[256];	/* exporter_id */
	uint32_t		domain;
	uint32_t		seq;		/* protobuf sequence_num */
	uint64_t		refused;	/* by the full local queue */
	uint64_t		failed;		/* deliveries that failed */
	uint64_t		complained_at;	/* CLOCK_MONOTONIC ms; 0: never */
	/* librdkafka said no broker answers (since the last delivery), or
	 * the producer failed for good */
	bool			brokers_down, fatal, said_down;
	uint64_t		said_down_at;	/* ms of the last "down" line */
	char			down_why[300];
};

/* Log a delivery problem now and then: the first, then once a minute. */
static void complain(struct exporter *e, const char *what, const char *why)
{
	struct kafka *k = e->priv;
	uint64_t now = export_mono_ms();

	if (k->complained_at && now < k->complained_at + COMPLAIN_MS)
		return;
	log_warn("%s collector %s: %s (%llu records not sent so far)", what,
		 e->cfg.name, why, (unsigned long long)e->counters.not_sent);
	k->complained_at = now;
}

/* No broker answers: down while records wait (update_up). */
static void brokers_down(struct exporter *e, const char *why)
{
	struct kafka *k = e->priv;

	k->brokers_down = true;
	snprintf(k->down_why, sizeof(k->down_why), "%s", why);
}

/* counters.down from what librdkafka said and what waits; the change
 * logged (going down at most once a minute, coming back once each) */
static void update_up(struct exporter *e)
{
	struct kafka *k = e->priv;
	uint64_t now = export_mono_ms();
	int down = k->fatal ||
		   (k->brokers_down && rd_kafka_outq_len(k->rk) > 0);

	if ((uint64_t)down == e->counters.down)
		return;
	e->counters.down = (uint64_t)down;
	if (down && (!k->said_down_at || now >= k->said_down_at + COMPLAIN_MS)) {
		log_warn("collector %s: down: %s", e->cfg.name, k->down_why);
		k->said_down_at = now;
		k->said_down = true;
	} else if (!down && k->said_down) {
		log_info("collector %s: delivering to the brokers again",
			 e->cfg.name);
		k->said_down = false;
	}
}

/* Delivery report: from exporter_poll(), in the daemon's thread. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
			void *opaque)
{
	struct exporter *e = opaque;
	struct kafka *k = e->priv;

	if (m->err) {
		e->counters.errors++;
		e->counters.not_sent++;
		k->failed++;
		if (m->err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
			brokers_down(e, rd_kafka_err2str(m->err));
		complain(e, "deliver to", rd_kafka_err2str(m->err));
		return;
	}
	k->brokers_down = false;
	e->counters.records++;
	e->counters.messages++;
	e->counters.bytes += m->len;
}

/*
 * librdkafka's errors: from exporter_poll(), in the daemon's thread.
 * Without this callback it logs them (LOG_ERR, "ERROR"), and so do we,
 * as on_log would have; every broker down also takes the collector down.
 */
static void on_error(rd_kafka_t *rk, int err, const char *reason,
		     void *opaque)
{
	struct exporter *e = opaque;
	struct kafka *k = e->priv;
	char why[256];

	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
		brokers_down(e, reason);
	} else if (err == RD_KAFKA_RESP_ERR__FATAL) {
		/* the producer takes nothing more: down until a restart */
		rd_kafka_fatal_error(rk, why, sizeof(why));
		log_err("collector %s: kafka: fatal: %s", e->cfg.name, why);
		k->fatal = true;
		snprintf(k->down_why, sizeof(k->down_why), "fatal: %s", why);
	} else {
		log_warn("kafka: ERROR: %s", reason);
	}
}

/* librdkafka's messages, one level lower than its own (as libbpf's). */
static void on_log(const rd_kafka_t *rk, int level, const char *fac,
		   const char *buf)
{
	if (level <= LOG_ERR)
		log_warn("kafka: %s: %s", fac, buf);
	else if (level <= LOG_WARNING)
		log_info("kafka: %s: %s", fac, buf);
	else
		log_debug("kafka: %s: %s", fac, buf);
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int set_prop(struct exporter *e, rd_kafka_conf_t *conf, const char *k,
		    const char *v, const char *where)
{
	char why[512];

	if (rd_kafka_conf_set(conf, k, v, why, sizeof(why)) == RD_KAFKA_CONF_OK)
		return 0;
	log_err("open collector %s: %s: %s: %s", e->cfg.name, where, k, why);
	return -EINVAL;
}

/* kafka_config: librdkafka properties, "key = value" a line, # comments. */
static int read_props(struct exporter *e, rd_kafka_conf_t *conf)
{
	const char *path = e->cfg.kafka_config;
	char line[4096], where[PATH_MAX + 32], *eq;
	FILE *f = fopen(path, "r");
	int n = 0, err = 0;

	if (!f) {
		err = -errno;
		log_err("open collector %s: %s: %s", e->cfg.name, path,
			strerror(-err));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *s = trim(line);

		snprintf(where, sizeof(where), "%s:%d", path, ++n);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			log_err("open collector %s: %s: %s: not key=value",
				e->cfg.name, where, s);
			err = -EINVAL;
			break;
		}
		*eq = '\0';
		err = set_prop(e, conf, trim(s), trim(eq + 1), where);
	}
	fclose(f);
	return err;
}

static rd_kafka_conf_t *make_conf(struct exporter *e)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const char *where = "the brokers";
	int err;

	err = set_prop(e, conf, "bootstrap.servers", e->cfg.brokers, where);
	if (!err)
		err = set_prop(e, conf, "queue.buffering.max.messages",
			       KAFKA_QUEUE_MESSAGES, where);
	if (!err)
		err = set_prop(e, conf, "queue.buffering.max.kbytes",
			       KAFKA_QUEUE_KBYTES, where);
	if (!err)
		err = set_prop(e, conf, "message.timeout.ms",
			       KAFKA_MESSAGE_TIMEOUT, where);
	if (!err)
		err = set_prop(e, conf, "log.queue", "true", where);
	if (!err && *e->cfg.kafka_config)
		err = read_props(e, conf);
	if (err) {
		rd_kafka_conf_destroy(conf);
		errno = -err;
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_log_cb(conf, on_log);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_opaque(conf, e);
	return conf;
}

/* The producer, its topic, and the main queue signalling k->pipe. */
static int start(struct exporter *e, struct kafka *k, rd_kafka_conf_t *conf)
{
	char why[512];

	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
	if (!k->rk) {
		rd_kafka_conf_destroy(conf);
		log_err("open collector %s: %s", e->cfg.name, why);
		return -EINVAL;
	}
	k->topic = rd_kafka_topic_new(k->rk, e->cfg.topic, NULL);
	if (!k->topic) {
		log_err("open collector %s: topic %s: %s", e->cfg.name,
			e->cfg.topic, rd_kafka_err2str(rd_kafka_last_error()));
		return -EINVAL;
	}
	k->main = rd_kafka_queue_get_main(k->rk);
	rd_kafka_set_log_queue(k->rk, NULL);	/* its log: the main queue */
	rd_kafka_queue_io_event_enable(k->main, k->pipe[1], "1", 1);
	return 0;
}

static void stop(struct kafka *k)
{
	if (k->main)
		rd_kafka_queue_destroy(k->main);
	if (k->topic)
		rd_kafka_topic_destroy(k->topic);
	if (k->rk)
		rd_kafka_destroy(k->rk);
	close(k->pipe[0]);
	close(k->pipe[1]);
	free(k);
}

static int kafka_open(struct exporter *e, const struct exporter_env *env)
{
	struct kafka *k = calloc(1, sizeof(*k));
	rd_kafka_conf_t *conf;
	int err;

	if (!k)
		return -ENOMEM;
	if (pipe2(k->pipe, O_CLOEXEC | O_NONBLOCK)) {
		err = -errno;
		free(k);
		return err;
	}
	k->domain = env->observation_domain;
	snprintf(k->id, sizeof(k->id), "%s", e->cfg.exporter_id);
	if (!*k->id && gethostname(k->id, sizeof(k->id) - 1))
		snprintf(k->id, sizeof(k->id), "unknown");
	e->priv = k;
	conf = make_conf(e);
	err = conf ? start(e, k, conf) : -errno;
	if (err) {
		stop(k);
		e->priv = NULL;
	}
	return err;
}

/* The message's value (malloc()ed), *len bytes: the JSON object with the
 * exporter's identity, or a length-delimited FlowMessage. */
static void *value_of(struct exporter *e, const struct export_record *r,
		      size_t *len)
{
	struct kafka *k = e->priv;
	json_t *o;
	char *s = NULL;

	if (e->cfg.format == KAFKA_FORMAT_PROTOBUF)
		return flowpb_encode(r, k->domain, ++k->seq, len);
	o = json_record_object(r, k->domain);
	if (o && !json_object_set_new(o, "exporter_id", json_string(k->id)))
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	*len = s ? strlen(s) : 0;
	return s;
}

/* The message's key (key = flow): addresses, ports, protocol. */
static size_t message_key(const struct export_record *r, uint8_t *buf)
{
	memcpy(buf, r->key.src, 16);
	memcpy(buf + 16, r->key.dst, 16);
	memcpy(buf + 32, &r->key.sport, 2);
	memcpy(buf + 34, &r->key.dport, 2);
	buf[36] = r->key.proto;
	return 37;
}

static int kafka_add(struct exporter *e, const struct export_record *r)
{
	struct kafka *k = e->priv;
	size_t vlen = 0, klen = 0;
	void *v = value_of(e, r, &vlen);
	uint8_t fk[40];
	const void *key = NULL;
	rd_kafka_resp_err_t err;

	if (!v) {
		e->counters.not_sent++;
		return -ENOMEM;
	}
	if (e->cfg.key == KAFKA_KEY_EXPORTER) {
		key = k->id;
		klen = strlen(k->id);
	} else if (e->cfg.key == KAFKA_KEY_FLOW) {
		key = fk;
		klen = message_key(r, fk);
	}
	err = rd_kafka_producev(k->rk, RD_KAFKA_V_RKT(k->topic),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
				RD_KAFKA_V_VALUE(v, vlen),
				RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_END);
	if (!err)
		return 0;	/* sent once its delivery report says so */
	free(v);
	e->counters.errors++;
	e->counters.not_sent++;
	if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
		k->refused++;
		e->counters.queue_full++;
	}
	complain(e, "queue to", rd_kafka_err2str(err));
	return -ENOBUFS;
}

static void kafka_poll(struct exporter *e)
{
	struct kafka *k = e->priv;
	char buf[64];

	while (read(k->pipe[0], buf, sizeof(buf)) > 0)
		;
	rd_kafka_poll(k->rk, 0);
	update_up(e);
}

static int kafka_flush(struct exporter *e)
{
	kafka_poll(e);		/* never waits: the queue works on its own */
	return 0;
}

static int kafka_fd(const struct exporter *e, uint32_t *events)
{
	const struct kafka *k = e->priv;

	*events = EPOLLIN;
	return k->pipe[0];
}

/* Deliver what is outstanding, waiting KAFKA_CLOSE_MS at most; what is
 * left then is purged, and its delivery reports count it as not sent. */
static void kafka_close(struct exporter *e)
{
	struct kafka *k = e->priv;

	if (rd_kafka_flush(k->rk, KAFKA_CLOSE_MS)) {
		rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE |
			       RD_KAFKA_PURGE_F_INFLIGHT);
		rd_kafka_flush(k->rk, 100);
	}
	log_info("close collector %s: records delivered=%llu not_sent=%llu "
		 "(refused by the full queue=%llu, deliveries failed=%llu, "
		 "left at close=%d)", e->cfg.name,
		 (unsigned long long)e->counters.records,
		 (unsigned long long)e->counters.not_sent,
		 (unsigned long long)k->refused, (unsigned long long)k->failed,
		 rd_kafka_outq_len(k->rk));
	stop(k);
}

const struct exporter_ops kafka_exporter_ops = {
	.name	= "kafka",
	.open	= kafka_open,
	.add	= kafka_add,
	.flush	= kafka_flush,
	.close	= kafka_close,
	.fd	= kafka_fd,
	.poll	= kafka_poll,
};
