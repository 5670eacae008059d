/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowpb.h - a flow record as goflow2's FlowMessage (proto/flow.proto),
 * length-delimited, for the Kafka output's format = protobuf.
 */
#ifndef TCFLOWD_FLOWPB_H
#define TCFLOWD_FLOWPB_H

#include <stddef.h>
#include <stdint.h>

#include "exporter.h"

/*
 * r as one length-delimited FlowMessage (a varint length, then the
 * message) in a malloc()ed buffer of *len bytes; seq is its sequence_num.
 * NULL and errno when out of memory.
 */
uint8_t *flowpb_encode(const struct export_record *r, uint32_t domain,
		       uint32_t seq, size_t *len);

#endif /* TCFLOWD_FLOWPB_H */
