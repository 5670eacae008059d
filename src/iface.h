/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iface.h - which interfaces the config selects.
 */
#ifndef TCFLOWD_IFACE_H
#define TCFLOWD_IFACE_H

#include <stdbool.h>

#include "config.h"

/*
 * Does the config select the interface called name?  interfaces holds
 * names and glob patterns ("*" is every interface but lo), exclude wins.
 */
bool iface_selected(const struct config *cfg, const char *name);

#endif /* TCFLOWD_IFACE_H */
