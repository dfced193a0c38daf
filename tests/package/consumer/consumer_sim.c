/* SPDX-License-Identifier: MIT */
/* consumer_sim.c - a program built against the installed zhcs and the simulator's public
 * test controls (<zhsim/zhsim.h>, tests/package): an injected HCS failure reaches zhcs with
 * its HRESULT, the call counters count, a stopped service fails every call. The controls
 * must act on the very simulator zhcs uses (with the shared libraries: libzhsim, which
 * libzhcs loads and this program links). Prints "ok" and exits 0. */
#include <stdio.h>

#include <zhcs/zhcs.h>
#include <zhsim/zhsim.h>

#define E_ACCESSDENIED ((int32_t)0x80070005)
#define RPC_S_SERVER_UNAVAILABLE ((int32_t)0x800706BA)

static const char config[] = "{\"Owner\":\"consumer\",\"Container\":{}}";

int main(void)
{
    zhcs_service *hcs = NULL;
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    int rc = 1;
    if (zhsim_api_version() != ZHSIM_API_VERSION_MAJOR * 1000u + ZHSIM_API_VERSION_MINOR) {
        printf("zhsim_api_version %u\n", zhsim_api_version());
        return 1;
    }
    if (zhcs_service_open(&hcs, "sim:", &err) < 0) {
        printf("open: %s\n", zhcs_error_message(err));
        goto out;
    }
    zhsim_calls_reset();
    if (zhsim_fault("NoSuchEntryPoint", 0, E_ACCESSDENIED) != -1 ||
        zhsim_fault("HcsCreateComputeSystem", 1, E_ACCESSDENIED) != 0) {
        printf("zhsim_fault: unexpected result\n");
        goto out;
    }
    if (zhcs_system_create_json(&sys, hcs, "consumer-sim", config, 10000, &err) == 0 ||
        zhcs_error_hresult(err) != E_ACCESSDENIED) {
        printf("injected fault not seen: %s\n", err ? zhcs_error_message(err) : "the call succeeded");
        goto out;
    }
    zhcs_error_free(err);
    err = NULL;
    /* nth = 1: only the next call failed */
    if (zhcs_system_create_json(&sys, hcs, "consumer-sim", config, 10000, &err) < 0) {
        printf("create after the fault: %s\n", zhcs_error_message(err));
        goto out;
    }
    if (zhsim_calls("HcsCreateComputeSystem") != 2) {
        printf("zhsim_calls(HcsCreateComputeSystem) = %llu, not 2\n",
               (unsigned long long)zhsim_calls("HcsCreateComputeSystem"));
        goto out;
    }
    zhsim_stop_service();
    if (zhcs_system_start(sys, 10000, &err) == 0 || zhcs_error_hresult(err) != RPC_S_SERVER_UNAVAILABLE) {
        printf("stopped service: %s\n", err ? zhcs_error_message(err) : "the call succeeded");
        goto out;
    }
    printf("ok\n");
    rc = 0;
out:
    zhcs_error_free(err);
    zhcs_system_close(sys);
    zhcs_service_close(hcs);
    return rc;
}
