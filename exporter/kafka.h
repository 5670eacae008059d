/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kafka.h - protocol = kafka: kafka_exporter_ops (exporter.h) is the whole
 * interface; this header names the defaults it gives librdkafka.
 */
#ifndef TCFLOWD_KAFKA_H
#define TCFLOWD_KAFKA_H

/* librdkafka properties tcflowd sets before reading kafka_config (which
 * may change them): a bounded local queue, and deliveries that wait out
 * a broker outage of several minutes. */
#define KAFKA_QUEUE_MESSAGES	"100000"	/* queue.buffering.max.messages */
#define KAFKA_QUEUE_KBYTES	"65536"		/* queue.buffering.max.kbytes */
#define KAFKA_MESSAGE_TIMEOUT	"600000"	/* message.timeout.ms: 10 min */
/* close waits this long for outstanding deliveries, then drops them
 * (counted as not sent) */
#define KAFKA_CLOSE_MS		3000

#endif /* TCFLOWD_KAFKA_H */
