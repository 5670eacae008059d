// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "tap.h"

void capture_open(struct capture *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int big = 1 << 22;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(c->fd, (struct sockaddr *)&sin, &sl))
		tap_bail("receiver socket: %s", strerror(errno));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	c->port = ntohs(sin.sin_port);
}

int capture_collect(struct capture *c)
{
	while (c->n < CAPTURE_MAX_MSGS) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(c->fd, c->msg[c->n], sizeof(c->msg[0]),
				     MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

		if (n <= 0)
			break;
		if (!c->n)
			c->src_port = ntohs(from.sin_port);
		c->len[c->n++] = (size_t)n;
	}
	return c->n;
}

/* Raw IPv4/UDP packets (LINKTYPE_RAW) carrying the messages. */
static void write_pcap(const struct capture *c, const char *path)
{
	const uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };
	FILE *f = fopen(path, "wb");
	int i, j;

	if (!f)
		tap_bail("write %s: %s", path, strerror(errno));
	fwrite(hdr, 4, 6, f);
	for (i = 0; i < c->n; i++) {
		uint32_t len = (uint32_t)c->len[i] + 28, sum = 0;
		uint32_t ph[4] = { 1700000000u + (uint32_t)i, 0, len, len };
		uint8_t ip[28] = { 0x45 };

		ip[2] = (uint8_t)(len >> 8);
		ip[3] = (uint8_t)len;
		ip[8] = 64;
		ip[9] = 17;
		ip[12] = ip[16] = 127;
		ip[15] = ip[19] = 1;
		for (j = 0; j < 20; j += 2)
			sum += (uint32_t)(ip[j] << 8 | ip[j + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
		ip[10] = (uint8_t)(~sum >> 8);
		ip[11] = (uint8_t)~sum;
		ip[20] = 0x9c;			/* source port 40000 */
		ip[21] = 0x40;
		ip[22] = (uint8_t)(c->port >> 8);
		ip[23] = (uint8_t)c->port;
		ip[24] = (uint8_t)((len - 20) >> 8);
		ip[25] = (uint8_t)(len - 20);
		fwrite(ph, 4, 4, f);
		fwrite(ip, 1, 28, f);
		fwrite(c->msg[i], 1, c->len[i], f);
	}
	fclose(f);
}

char *capture_decode(struct capture *c, const char *const *fields, int n)
{
	char pcap[] = "/tmp/tcflowd-capture-XXXXXX", cmd[4096], *out = NULL;
	size_t cap = 0, len = 0;
	char buf[8192];
	FILE *p;
	int i, fd;

	fd = mkstemp(pcap);
	if (fd < 0)
		tap_bail("mkstemp: %s", strerror(errno));
	close(fd);
	write_pcap(c, pcap);
	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -d udp.port==%u,cflow -T fields "
		 "-E separator=/t -E occurrence=a -E aggregator=,", pcap, c->port);
	for (i = 0; i < n; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " -e %s", fields[i]);
	strcat(cmd, " 2>/dev/null");
	p = popen(cmd, "r");
	if (!p)
		tap_bail("run tshark: %s", strerror(errno));
	while (fgets(buf, sizeof(buf), p)) {
		size_t k = strlen(buf);

		if (len + k + 1 > cap) {
			cap = (len + k + 1) * 2;
			out = realloc(out, cap);
			if (!out)
				tap_bail("out of memory");
		}
		memcpy(out + len, buf, k + 1);
		len += k;
	}
	pclose(p);
	if (getenv("KEEP_PCAP"))	/* to look at by hand */
		fprintf(stderr, "# kept %s\n", pcap);
	else
		unlink(pcap);
	return out ? out : calloc(1, 1);
}

int capture_split(char *s, char sep, char **out, int max)
{
	char d[2] = { sep, 0 }, *tok;
	int k = 0;

	while (k < max && (tok = strsep(&s, d)))
		out[k++] = tok;
	return k;
}

void capture_close(struct capture *c)
{
	close(c->fd);
}
