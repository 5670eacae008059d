// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/kafka/mock.c - Kafka brokers on loopback for the tests.
 *
 *   mock [-b N] [-p PARTITIONS] [-t SECONDS] TOPIC
 *	librdkafka's mock cluster (N brokers, 3 unless told) with TOPIC;
 *	prints the bootstrap address ("127.0.0.1:P1,127.0.0.1:P2,...") on
 *	stdout.  SIGUSR1 takes every broker down, SIGUSR2 brings them back;
 *	each prints "down" or "up" once done.
 *   mock -s [-t SECONDS]
 *	a broker that never answers: a socket that listens and never
 *	accepts; prints its address.
 * Either exits on SIGTERM/SIGINT or after SECONDS (60 unless told).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static int silent_broker(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 64) || getsockname(fd, (struct sockaddr *)&a, &len)) {
		perror("mock: listen");
		return -1;
	}
	printf("127.0.0.1:%u\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

static rd_kafka_mock_cluster_t *cluster(int brokers, int partitions,
					const char *topic, rd_kafka_t **rk)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_mock_cluster_t *mc;
	char why[256];

	rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
	*rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
	if (!*rk) {
		fprintf(stderr, "mock: %s\n", why);
		return NULL;
	}
	mc = rd_kafka_mock_cluster_new(*rk, brokers);
	if (!mc || rd_kafka_mock_topic_create(mc, topic, partitions,
					      brokers < 3 ? brokers : 3)) {
		fprintf(stderr, "mock: cannot start the cluster\n");
		return NULL;
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	return mc;
}

static void set_all(rd_kafka_mock_cluster_t *mc, int brokers, int up)
{
	int i;

	for (i = 1; i <= brokers; i++)
		if (up)
			rd_kafka_mock_broker_set_up(mc, i);
		else
			rd_kafka_mock_broker_set_down(mc, i);
	printf("%s\n", up ? "up" : "down");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int brokers = 3, partitions = 3, seconds = 60, silent = 0, opt, sig;
	rd_kafka_mock_cluster_t *mc = NULL;
	rd_kafka_t *rk = NULL;
	struct timespec limit;
	sigset_t set;

	while ((opt = getopt(argc, argv, "b:p:t:s")) != -1) {
		switch (opt) {
		case 'b': brokers = atoi(optarg); break;
		case 'p': partitions = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		case 's': silent = 1; break;
		default: return 2;
		}
	}
	if (!silent && optind != argc - 1) {
		fprintf(stderr, "usage: mock [-b N] [-p N] [-t S] TOPIC | mock -s [-t S]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* before librdkafka's threads */
	if (silent ? silent_broker() < 0 :
	    !(mc = cluster(brokers, partitions, argv[optind], &rk)))
		return 1;
	limit.tv_sec = seconds;
	limit.tv_nsec = 0;
	/* the limit counts from the last signal: good enough for tests */
	while ((sig = sigtimedwait(&set, NULL, &limit)) > 0) {
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (mc)
			set_all(mc, brokers, sig == SIGUSR2);
	}
	if (mc)
		rd_kafka_mock_cluster_destroy(mc);
	if (rk)
		rd_kafka_destroy(rk);
	return 0;
}
