/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - the JSON object of a flow record, for the outputs that carry
 * JSON (the json file, Kafka).
 */
#ifndef TCFLOWD_JSON_H
#define TCFLOWD_JSON_H

#include <stdint.h>
#include <jansson.h>

#include "exporter.h"

/* r as a JSON object, fields in a fixed order (IANA IPFIX names in
 * snake_case).  NULL when out of memory. */
json_t *json_record_object(const struct export_record *r, uint32_t domain);

#endif /* TCFLOWD_JSON_H */
