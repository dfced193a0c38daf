/* SPDX-License-Identifier: MIT */
/* hcs_test.h - what the zhcs suites share: a fresh simulator per case, documents, stdio. */
#ifndef ZH_HCS_TEST_H
#define ZH_HCS_TEST_H

#include <stdlib.h>
#include <string.h>

#include <zhcs/zhcs.h>

#include "zh_sim.h"
#include "zh_thread.h"
#include "zt.h"
#include "zt_layers.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#define T_TIMEOUT 10000u

/* Containers on a base layer and a scratch layer (zt_layers.h), as Windows requires. */
#define CONTAINER_DOC                                                                                                  \
    zt_layered("{\"Owner\":\"zhcs-test\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{@STORAGE@}}")
/* Hyper-V isolated (hosted in a utility VM): pause, resume and save work, as on Windows;
 * a process-isolated container answers them with ERROR_NOT_SUPPORTED. */
#define HYPERV_CONTAINER_DOC                                                                                           \
    zt_layered("{\"Owner\":\"zhcs-test\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},"                                 \
               "\"HostingSystemId\":\"zhcs-test-uvm\",\"Container\":{@STORAGE@}}")
static const char *const VM_DOC =
    "{\"Owner\":\"zhcs-test\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"ShouldTerminateOnLastHandleClosed\":true,"
    "\"VirtualMachine\":{\"Chipset\":{\"Uefi\":{}},\"ComputeTopology\":{\"Memory\":{\"SizeInMB\":1024},"
    "\"Processor\":{\"Count\":2}}}}";

/* A private simulator for one case; the test controls (zh_sim_*) act on it. */
static inline zhcs_service *t_open(void)
{
    zhcs_service *svc = NULL;
    zhcs_error *err = NULL;
    if (zhcs_service_open(&svc, "sim:", &err) < 0) {
        printf("  cannot open sim: %s\n", zhcs_error_message(err));
        zhcs_error_free(err);
        return NULL;
    }
    zh_sim_fault_clear();
    zh_sim_op_delay(NULL, 0);
    return svc;
}

/* Creates and starts a (Hyper-V isolated) container; NULL on failure (printed). */
static inline zhcs_system *t_running(zhcs_service *svc, const char *id)
{
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    if (zhcs_system_create_json(&sys, svc, id, HYPERV_CONTAINER_DOC, T_TIMEOUT, &err) < 0 ||
        zhcs_system_start(sys, T_TIMEOUT, &err) < 0) {
        char buf[512];
        zhcs_error_format(err, buf, sizeof buf);
        printf("  cannot start %s: %s\n", id, buf);
        zhcs_error_free(err);
        zhcs_system_close(sys);
        return NULL;
    }
    return sys;
}

/* How many systems the service lists (-1 on error). */
static inline int t_count_systems(zhcs_service *svc)
{
    zhcs_system_list *list = NULL;
    if (zhcs_list(&list, svc, NULL, T_TIMEOUT, NULL) < 0)
        return -1;
    int n = (int)list->count;
    zhcs_system_list_free(list);
    return n;
}

/* ---- stdio: through zhcs_fd_read / zhcs_fd_write, right for HCS's overlapped handles
 * (the simulator's default on Windows) and synchronous ones alike ---- */
static inline long t_read(zhcs_fd fd, char *buf, size_t n)
{
    return zhcs_fd_read(fd, buf, n);
}

static inline long t_write(zhcs_fd fd, const char *buf, size_t n)
{
    return zhcs_fd_write(fd, buf, n);
}

/* Reads until end-of-file into a NUL-terminated buffer (at most cap-1 bytes kept). */
static inline size_t t_read_all(zhcs_fd fd, char *out, size_t cap)
{
    size_t len = 0;
    char buf[4096];
    long got;
    while ((got = t_read(fd, buf, sizeof buf)) > 0) {
        size_t k = (size_t)got < cap - 1 - len ? (size_t)got : cap - 1 - len;
        memcpy(out + len, buf, k);
        len += k;
    }
    out[len] = '\0';
    return len;
}

static inline char *t_errstr(const zhcs_error *err)
{
    static char buf[1024];
    zhcs_error_format(err, buf, sizeof buf);
    return buf;
}

#endif
