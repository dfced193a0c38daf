/* SPDX-License-Identifier: MIT */
/* zhsimd.c - the simulator service of "sim:PATH" (docs/simulator.md).
 *
 *   zhsimd [--idle-ms N] PATH      serve PATH in the foreground until stopped
 *   zhsimd --status PATH           the running service's status (JSON)
 *   zhsimd --stop PATH             stop the running service
 *
 * Clients start it themselves on the first open of sim:PATH (with --ready-fd: a pipe's
 * descriptor on POSIX, an inherited event handle's value on Windows, where the program is
 * zhsimd.exe serving a named pipe); it stops after --idle-ms (default 5000; 0 never)
 * without clients and compute systems, after ten minutes without clients while systems
 * exist, on SIGTERM (POSIX) or a console control event (Windows), or on a stop request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_server.h"
#include "zh_sim.h"

static int usage(void)
{
    fprintf(stderr, "usage: zhsimd [--idle-ms N] PATH | --status PATH | --stop PATH\n");
    return 2;
}

static int number(const char *s, unsigned long *out)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return -1;
    *out = strtoul(s, &end, 10);
    return *end || *out > 0x7fffffffUL ? -1 : 0;
}

int main(int argc, char **argv)
{
    sim_service_options opt = {-1, 5000, 600000};
    const char *env = getenv("ZH_SIM_IDLE_MS");
    unsigned long v;
    if (env && number(env, &v) == 0)
        opt.idle_ms = (uint32_t)v;
    const char *mode = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--idle-ms") == 0 || strcmp(argv[i], "--ready-fd") == 0) && i + 1 < argc) {
            if (number(argv[i + 1], &v) < 0) {
                fprintf(stderr, "zhsimd: %s needs a number, not \"%s\"\n", argv[i], argv[i + 1]);
                return 2;
            }
            if (argv[i][2] == 'i')
                opt.idle_ms = (uint32_t)v;
            else
                opt.ready_fd = (int)v;
            i++;
        } else if (strcmp(argv[i], "--status") == 0 || strcmp(argv[i], "--stop") == 0) {
            mode = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "zhsimd: unknown option %s\n", argv[i]);
            return usage();
        } else if (!dir) {
            dir = argv[i];
        } else {
            return usage();
        }
    }
    if (!dir || !*dir)
        return usage();
    zh_error *err = NULL;
    if (mode) {
        /* a client of the running service (started if none runs: then it answers for itself) */
        if (zh_sim_open(dir, &err) < 0) {
            fprintf(stderr, "zhsimd: %s\n", zh_error_message(err));
            zh_error_free(err);
            return 1;
        }
        int rc = 0;
        if (strcmp(mode, "--stop") == 0) {
            rc = sim_client_stop() == 0 ? 0 : 1;
        } else {
            char *s = sim_client_status();
            if (s)
                printf("%s\n", s);
            rc = s ? 0 : 1;
            free(s);
        }
        zh_sim_close();
        return rc;
    }
    int rc = sim_service_run(dir, &opt, &err);
    if (rc != 0) {
        fprintf(stderr, "zhsimd: %s\n", err ? zh_error_message(err) : "failed");
        zh_error_free(err);
        return 1;
    }
    return 0;
}
