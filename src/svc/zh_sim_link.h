/* SPDX-License-Identifier: MIT */
/* zh_sim_link.h - how src/svc reaches the simulator: linked into the static libraries, or
 * loaded as a plug-in by the shared ones (ZH_SIM_PLUGIN builds), so that a process has one
 * simulator whichever libraries it uses. */
#ifndef ZH_SIM_LINK_H
#define ZH_SIM_LINK_H

#include "zh_error.h"
#include "zh_sim.h"

/* The simulator's table, or NULL with an UNSUPPORTED error (the plug-in was not found or
 * does not fit). `function` names the caller for errors. */
const zh_sim_api *zh_sim_link(const char *function, zh_error **err);

#endif
