/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - catch an exporter's UDP messages on 127.0.0.1 and decode
 * them with an independent decoder (tshark's cflow dissector).
 */
#ifndef TCFLOWD_TEST_CAPTURE_H
#define TCFLOWD_TEST_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#define CAPTURE_MAX_MSGS	512

struct capture {
	int		fd;
	uint16_t	port;
	int		n;
	uint16_t	src_port;	/* where the first message came from */
	uint8_t		msg[CAPTURE_MAX_MSGS][2048];
	size_t		len[CAPTURE_MAX_MSGS];
};

/* A receiver on 127.0.0.1, any port (c->port).  Bails out on failure. */
void capture_open(struct capture *c);
/* Take every datagram waiting.  Returns how many there are now. */
int capture_collect(struct capture *c);

/*
 * Decode every message with tshark and return its text: one line a
 * message, the fields separated by tabs, several values of one field by
 * commas, empty fields kept.  The caller frees it.
 */
char *capture_decode(struct capture *c, const char *const *fields, int n);

/* Split a line on sep keeping empty fields; returns how many. */
int capture_split(char *s, char sep, char **out, int max);

void capture_close(struct capture *c);

#endif /* TCFLOWD_TEST_CAPTURE_H */
