// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_file_full.c - the IPFIX file output on a full disk: a small tmpfs
 * (in a mount namespace of this test's own, so nobody else sees it, and
 * unmounted at the end) fills up, stays full for a while, then has room
 * again.  Every record is written or counted as not sent, exactly; the
 * file holds whole messages only and ipfixDump (libfixbuf's own reader)
 * decodes all of it, every data set after its template; the error is
 * logged once, not once a message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exporter.h"
#include "logcap.h"
#include "records.h"
#include "tap.h"

static char dir[] = "/tmp/tcflowd-test-full.XXXXXX";
static char out[128], filler[128];

static struct export_record rec(int i)
{
	struct export_record r = rec_udp4((uint16_t)(10000 + i));

	r.packets = (uint64_t)(1 + i % 7);
	r.bytes = (uint64_t)(100 + i);
	r.end_reason = 1;
	r.ingress_ifindex = 2;
	r.ifname = "eth0";
	r.key.ifindex = 2;
	return r;
}

/* A private mount namespace with a 64 KiB tmpfs; a filler file takes
 * 32 KiB of it, to be removed later. */
static void small_disk(void)
{
	static char zero[32768];
	int fd;

	if (geteuid())
		tap_need_privilege("mount a tmpfs");
	if (unshare(CLONE_NEWNS) ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL))
		tap_bail("own mount namespace: %s", strerror(errno));
	if (!mkdtemp(dir) || mount("tmpfs", dir, "tmpfs", 0, "size=64k"))
		tap_bail("mount a tmpfs: %s", strerror(errno));
	snprintf(out, sizeof(out), "%s/flows.ipfix", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, zero, sizeof(zero)) != (ssize_t)sizeof(zero))
		tap_bail("write the filler: %s", strerror(errno));
	close(fd);
}

/* Flow records and problems ipfixDump finds in the file. */
static void dump(int *flows, int *problems)
{
	char cmd[256], line[512];
	FILE *p;

	*flows = *problems = 0;
	snprintf(cmd, sizeof(cmd), "ipfixDump -d -i %s 2>&1; echo rc=$?", out);
	p = popen(cmd, "r");
	if (!p)
		tap_bail("run ipfixDump");
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, "sourceTransportPort"))
			(*flows)++;
		else if (strstr(line, "out of sequence"))
			continue;	/* the gap where messages were lost */
		else if (strcasestr(line, "error") || strcasestr(line, "warn") ||
			 strcasestr(line, "no template") ||
			 (!strncmp(line, "rc=", 3) && strcmp(line, "rc=0\n")))
			(*problems)++, tap_diag("ipfixDump: %s", line);
	}
	pclose(p);
}

static void add(struct exporter *e, int *n)
{
	struct export_record r = rec((*n)++);

	exporter_add(e, &r);
}

/* Export until the disk is full, 300 more, then 100 with room again.
 * Returns the counters at the end; *n: how many records in all. */
static struct exporter_counters export(struct exporter *e, int *n)
{
	struct exporter_counters c;
	uint64_t ns_at_full, sent_at_full;
	int i;

	/* until the disk is full */
	while (!e->counters.errors && *n < 100000)
		add(e, n);
	sent_at_full = e->counters.records;
	ns_at_full = e->counters.not_sent;
	/* full for a while: 300 more */
	for (i = 0; i < 300; i++)
		add(e, n);
	tap_is(e->counters.records, sent_at_full, "nothing written while the "
	       "disk is full (%llu records before)", (unsigned long long)sent_at_full);
	tap_ok(e->counters.not_sent >= ns_at_full + 280,
	       "records while full counted as not sent (%llu)",
	       (unsigned long long)e->counters.not_sent);
	/* room again */
	unlink(filler);
	for (i = 0; i < 100; i++)
		add(e, n);
	exporter_flush(e);
	c = e->counters;
	tap_ok(c.records > sent_at_full, "written again when there is room "
	       "(%llu records in all)", (unsigned long long)c.records);
	return c;
}

int main(void)
{
	struct collector_config cc = { .name = "f", .protocol = PROTO_IPFIX,
				       .transport = TRANSPORT_FILE };
	struct exporter_env env = { .observation_domain = 5 };
	struct exporter_counters c;
	int n = 0, flows, problems;
	struct exporter *e;
	struct stat st;

	small_disk();
	logcap_start();
	snprintf(cc.path, sizeof(cc.path), "%s", out);
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open the IPFIX file exporter");
	exporter_note_iface(e, 2, "eth0", NULL);
	c = export(e, &n);
	exporter_close(e);		/* nothing left to flush */
	logcap_stop();

	tap_is(c.records + c.not_sent, (uint64_t)n, "every one of the %d records "
	       "written or counted as not sent (%llu + %llu)", n,
	       (unsigned long long)c.records, (unsigned long long)c.not_sent);
	if (stat(out, &st))
		tap_bail("stat %s: %s", out, strerror(errno));
	tap_is((uint64_t)st.st_size, c.bytes, "the file holds exactly the "
	       "messages counted (%llu bytes): no partial one",
	       (unsigned long long)c.bytes);
	dump(&flows, &problems);
	tap_is((uint64_t)flows, c.records, "ipfixDump decodes every record "
	       "counted as written (%d)", flows);
	tap_is((uint64_t)problems, 0, "... and finds nothing wrong (but the "
	       "sequence gaps where records were lost): every data set after "
	       "its template");
	tap_is((uint64_t)logcap_count("No space left on device"), 1,
	       "the full disk logged once, not once a message");
	if (umount(dir))
		tap_diag("umount %s: %s", dir, strerror(errno));
	rmdir(dir);
	logcap_done();
	return tap_done();
}
