/* SPDX-License-Identifier: MIT */
/* sim_plugin.c - the simulator as a plug-in (libzhsim.so, zhsim.dll) for the shared
 * libraries: libzhcs and libzhns each load it, so that one process has one simulator and
 * zhcs and zhns opened on "sim:" see one world, as with the static libraries. Its one export
 * hands out the simulator's table (zh_sim_api, sim/zh_sim.h); everything else is hidden. */
#include "zh_sim.h"

#if defined(_WIN32)
#define ZH_SIM_PLUGIN_EXPORT __declspec(dllexport)
#else
#define ZH_SIM_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

ZH_SIM_PLUGIN_EXPORT const zh_sim_api *zh_sim_plugin_api(void);

const zh_sim_api *zh_sim_plugin_api(void)
{
    return zh_sim_api_table();
}
