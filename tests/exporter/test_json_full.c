// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_json_full.c - the JSON file on a full filesystem (a 64 KiB tmpfs
 * of the test's own, in a mount namespace of its own): every line in the
 * file is whole and valid JSON (an interface name with bytes that are not
 * UTF-8 included), the records counted as sent are exactly the lines, the
 * rest are counted as not sent; once there is room again everything
 * arrives; and a reopen (SIGHUP, after logrotate moved the file) writes
 * to a new file by the same name.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <jansson.h>

#include "exporter.h"
#include "records.h"
#include "tap.h"

static struct export_record rec(int i)
{
	struct export_record r = rec_udp4((uint16_t)(1000 + i));

	r.packets = 3;
	r.bytes = 300;
	r.end_reason = 1;
	r.ingress_ifindex = 4;
	r.ifname = "eth\xff" "0\xc3";
	return r;
}

struct lines {
	uint64_t	n, bad, bytes, bad_name;
	int		whole;		/* the file ends with a newline */
};

/* Read path back: lines, how many are not JSON, the interface names. */
static struct lines read_back(const char *path)
{
	struct lines l = { .whole = 1 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		tap_bail("read back %s", path);
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *name = json_string_value(json_object_get(o, "interface_name"));

		l.bytes += (uint64_t)n;
		l.whole = line[n - 1] == '\n';
		l.n++;
		l.bad += !o;
		l.bad_name += !name || strcmp(name, "eth\xef\xbf\xbd" "0\xef\xbf\xbd");
		json_decref(o);
	}
	free(line);
	fclose(f);
	return l;
}

int main(void)
{
	struct collector_config cc = { .name = "j", .protocol = PROTO_JSON,
				       .transport = TRANSPORT_FILE };
	struct exporter_env env = { 0 };
	char dir[] = "/tmp/tcflowd-full-XXXXXX", old[PATH_MAX + 8];
	struct export_record r;
	struct exporter *e;
	struct lines l;
	int i;

	if (geteuid() != 0)
		tap_need_privilege("mount a tmpfs");
	if (unshare(CLONE_NEWNS) || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL))
		tap_bail("a mount namespace of our own");
	if (!mkdtemp(dir) || mount("tcflowd-test", dir, "tmpfs", 0, "size=64k"))
		tap_bail("mount a 64 KiB tmpfs on %s", dir);
	snprintf(cc.path, sizeof(cc.path), "%s/flows.json", dir);
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open the JSON exporter");
	for (i = 0; i < 300; i++) {
		r = rec(i);
		exporter_add(e, &r);
		if (i % 10 == 9)
			exporter_flush(e);
	}
	l = read_back(cc.path);
	tap_diag("full: %llu records sent, %llu not sent, %llu errors",
		 (unsigned long long)e->counters.records,
		 (unsigned long long)e->counters.not_sent,
		 (unsigned long long)e->counters.errors);
	tap_ok(e->counters.records > 0 && e->counters.not_sent > 0,
	       "the filesystem filled up part way");
	tap_is(e->counters.records + e->counters.not_sent, 300,
	       "every record counted: sent or not sent");
	tap_is(l.n, e->counters.records, "the lines in the file are exactly "
	       "the records counted as sent (%llu)", (unsigned long long)l.n);
	tap_ok(l.whole, "no partial line: the file ends with a newline");
	tap_is(l.bytes, e->counters.bytes, "bytes counted = the file's size");
	tap_is(l.bad, 0, "every line is valid JSON");
	tap_is(l.bad_name, 0, "bytes that are not UTF-8 in the interface name: U+FFFD");

	if (mount("tcflowd-test", dir, "tmpfs", MS_REMOUNT, "size=4m"))
		tap_bail("make room on %s", dir);
	for (i = 300; i < 400; i++) {
		r = rec(i);
		exporter_add(e, &r);
	}
	exporter_flush(e);
	l = read_back(cc.path);
	tap_is(l.n, e->counters.records, "room again: the next 100 records arrive "
	       "(%llu lines)", (unsigned long long)l.n);
	tap_is(e->counters.records + e->counters.not_sent, 400, "and all 400 counted");

	snprintf(old, sizeof(old), "%s.1", cc.path);	/* logrotate */
	if (rename(cc.path, old))
		tap_bail("rename %s", cc.path);
	tap_is((uint64_t)exporter_reopen(e), 0, "reopen: 0");
	for (i = 400; i < 403; i++) {
		r = rec(i);
		exporter_add(e, &r);
	}
	exporter_flush(e);
	tap_is(read_back(cc.path).n, 3, "after the reopen: a new file with the 3 new records");
	tap_is(read_back(old).n, l.n, "the rotated file keeps what it had");
	exporter_close(e);
	unlink(old);
	unlink(cc.path);
	umount(dir);
	rmdir(dir);
	return tap_done();
}
