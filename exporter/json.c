// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json.c - one JSON object per flow record, one record per line, for
 * people and tests.  Field names are IANA IPFIX names in snake_case.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter.h"
#include "log.h"

struct json {
	FILE	*f;
	int	own;		/* we opened it (not stdout) */
	uint64_t pending;	/* records written since the last flush */
	uint32_t observation_domain;
};

static int json_open(struct exporter *e, const struct exporter_env *env)
{
	struct json *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	if (!strcmp(e->cfg.path, "-")) {
		j->f = stdout;
	} else {
		j->f = fopen(e->cfg.path, "a");
		if (!j->f) {
			int err = -errno;

			log_err("open collector %s: %s: %s", e->cfg.name,
				e->cfg.path, strerror(errno));
			free(j);
			return err;
		}
		j->own = 1;
	}
	j->observation_domain = env->observation_domain;
	e->priv = j;
	return 0;
}

static void mac_str(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Append a JSON string value (the name is ours; escape what needs it). */
static void put_str(FILE *f, const char *name, const char *v)
{
	fprintf(f, ",\"%s\":\"", name);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', f);
		if ((unsigned char)*v < 0x20)
			fprintf(f, "\\u%04x", *v);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static int json_add(struct exporter *e, const struct export_record *r)
{
	const struct flow_key *k = &r->key;
	const char *v = export_is_ipv4(k) ? "ipv4" : "ipv6";
	struct json *j = e->priv;
	char src[64], dst[64], smac[32], dmac[32];
	int icmp = k->proto == 1 || k->proto == 58;

	export_addr_str(k->src, src, sizeof(src));
	export_addr_str(k->dst, dst, sizeof(dst));
	mac_str(r->src_mac, smac, sizeof(smac));
	mac_str(r->dst_mac, dmac, sizeof(dmac));

	fprintf(j->f, "{\"observation_domain_id\":%u", j->observation_domain);
	fprintf(j->f, ",\"source_%s_address\":\"%s\"", v, src);
	fprintf(j->f, ",\"destination_%s_address\":\"%s\"", v, dst);
	fprintf(j->f, ",\"protocol_identifier\":%u", k->proto);
	fprintf(j->f, ",\"source_transport_port\":%u", ntohs(k->sport));
	fprintf(j->f, ",\"destination_transport_port\":%u", ntohs(k->dport));
	if (icmp)
		fprintf(j->f, ",\"icmp_type_code_%s\":%u", v, ntohs(k->dport));
	fprintf(j->f, ",\"octet_delta_count\":%llu,\"packet_delta_count\":%llu",
		(unsigned long long)r->bytes, (unsigned long long)r->packets);
	fprintf(j->f, ",\"flow_start_milliseconds\":%llu"
		",\"flow_end_milliseconds\":%llu",
		(unsigned long long)r->start_ms, (unsigned long long)r->end_ms);
	fprintf(j->f, ",\"ingress_interface\":%u,\"egress_interface\":%u",
		r->ingress_ifindex, r->egress_ifindex);
	fprintf(j->f, ",\"flow_direction\":%u", k->direction);
	put_str(j->f, "interface_name", r->ifname ? r->ifname : "");
	if (r->in_link)
		put_str(j->f, "ingress_interface_name", r->in_link->name);
	if (r->out_link)
		put_str(j->f, "egress_interface_name", r->out_link->name);
	if (r->route & EXPORT_ROUTE_DST) {
		char nh[64];

		/* directly connected: 0.0.0.0 or ::, as IPFIX has it */
		if (r->has_next_hop)
			export_addr_str(r->next_hop, nh, sizeof(nh));
		else
			snprintf(nh, sizeof(nh), "%s",
				 v[3] == '4' ? "0.0.0.0" : "::");
		put_str(j->f, v[3] == '4' ? "ip_next_hop_ipv4_address" :
			"ip_next_hop_ipv6_address", nh);
		fprintf(j->f, ",\"destination_%s_prefix_length\":%u", v,
			r->dst_prefix_len);
	}
	if (r->route & EXPORT_ROUTE_SRC)
		fprintf(j->f, ",\"source_%s_prefix_length\":%u", v,
			r->src_prefix_len);
	fprintf(j->f, ",\"tcp_control_bits\":%u,\"ip_class_of_service\":%u",
		r->tcp_flags, r->tos);
	fprintf(j->f, ",\"minimum_ttl\":%u,\"maximum_ttl\":%u",
		r->min_ttl, r->max_ttl);
	fprintf(j->f, ",\"vlan_id\":%u", k->vlan_id);
	if (k->inner_vlan_id)
		fprintf(j->f, ",\"dot1q_customer_vlan_id\":%u", k->inner_vlan_id);
	fprintf(j->f, ",\"ethernet_type\":%u", ntohs(k->eth_type));
	fprintf(j->f, ",\"source_mac_address\":\"%s\""
		",\"destination_mac_address\":\"%s\"", smac, dmac);
	if (r->flags & FLOW_F_FRAGMENT)
		fprintf(j->f, ",\"fragmented\":true");
	fprintf(j->f, ",\"flow_end_reason\":%u,\"sampling_interval\":%u}\n",
		r->end_reason, r->sampling_interval);
	if (ferror(j->f)) {
		clearerr(j->f);
		e->counters.errors++;
		e->counters.not_sent++;
		return -EIO;
	}
	/* sent once the flush that follows succeeds */
	j->pending++;
	return 0;
}

static int json_flush(struct exporter *e)
{
	struct json *j = e->priv;

	if (fflush(j->f)) {
		int err = -errno;

		clearerr(j->f);
		e->counters.errors++;
		e->counters.not_sent += j->pending;
		j->pending = 0;
		return err;
	}
	e->counters.records += j->pending;
	e->counters.messages += j->pending;
	j->pending = 0;
	return 0;
}

static void json_close(struct exporter *e)
{
	struct json *j = e->priv;

	if (j->own)
		fclose(j->f);
	free(j);
}

const struct exporter_ops json_exporter_ops = {
	.name	= "json",
	.open	= json_open,
	.add	= json_add,
	.flush	= json_flush,
	.close	= json_close,
};
