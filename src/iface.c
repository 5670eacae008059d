// SPDX-License-Identifier: GPL-2.0-or-later
#include <fnmatch.h>
#include <string.h>

#include "iface.h"

bool iface_selected(const struct config *cfg, const char *name)
{
	bool in = false;
	int i;

	for (i = 0; i < cfg->n_interfaces && !in; i++) {
		const char *p = cfg->interfaces[i];

		if (!strcmp(p, "*"))
			in = strcmp(name, "lo") != 0;
		else
			in = fnmatch(p, name, 0) == 0;
	}
	for (i = 0; i < cfg->n_exclude && in; i++)
		if (fnmatch(cfg->exclude[i], name, 0) == 0)
			in = false;
	return in;
}
