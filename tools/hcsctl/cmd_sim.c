/* SPDX-License-Identifier: MIT */
/* cmd_sim.c - hcsctl sim start|stop|status: the simulator service of sim:PATH
 * (docs/simulator.md). The service speaks a small framed protocol on PATH/sock (POSIX) or
 * on the named pipe \\.\pipe\zhsim-<hash of PATH> (Windows); these commands use its
 * control requests (status, stop, keep running) directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcsctl.h"

#include <stddef.h>
#include <stdint.h>

#ifdef _WIN32
#include <windows.h>

typedef HANDLE chan;
#define NO_CHAN INVALID_HANDLE_VALUE

/* The service's pipe: named as sim/sim_rpc.c names it (FNV-1a, 64 bits, of the user's
 * name, '|' and the full path, lower-cased, with backslashes). */
static chan sock_to(const char *dir)
{
    char full[4096], name[96];
    DWORD n = GetFullPathNameA(dir, sizeof full, full, NULL);
    if (n == 0 || n >= sizeof full)
        return NO_CHAN;
    while (n > 3 && (full[n - 1] == '\\' || full[n - 1] == '/'))
        full[--n] = 0;
    char user[257] = "";
    DWORD ulen = sizeof user;
    if (!GetUserNameA(user, &ulen))
        user[0] = 0;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *u = user; *u; u++) {
        h ^= (unsigned char)*u;
        h *= 0x100000001b3ULL;
    }
    h ^= '|';
    h *= 0x100000001b3ULL;
    for (DWORD i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)full[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        if (ch == '/')
            ch = '\\';
        h ^= ch;
        h *= 0x100000001b3ULL;
    }
    snprintf(name, sizeof name, "\\\\.\\pipe\\zhsim-%016llx", (unsigned long long)h);
    for (int tries = 0; tries < 25; tries++) {
        chan c = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (c != NO_CHAN || GetLastError() != ERROR_PIPE_BUSY)
            return c;
        WaitNamedPipeA(name, 200);
    }
    return NO_CHAN;
}

static int full(chan s, void *buf, size_t n, int writing)
{
    char *p = buf;
    while (n > 0) {
        DWORD r = 0;
        BOOL ok = writing ? WriteFile(s, p, (DWORD)n, &r, NULL) : ReadFile(s, p, (DWORD)n, &r, NULL);
        if (!ok || r == 0)
            return -1;
        p += r;
        n -= r;
    }
    return 0;
}

static void chan_close(chan s)
{
    CloseHandle(s);
}
#else
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef int chan;
#define NO_CHAN (-1)

static chan sock_to(const char *dir)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    int dfd = -1;
    int n = snprintf(a.sun_path, sizeof a.sun_path, "%s/sock", dir);
    if (n < 0 || (size_t)n >= sizeof a.sun_path) {
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            return -1;
        n = snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/sock", dfd);
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && connect(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1)) < 0) {
        close(s);
        s = -1;
    }
    if (dfd >= 0)
        close(dfd);
    return s;
}

static int full(int s, void *buf, size_t n, int writing)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = writing ? write(s, p, n) : read(s, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void chan_close(chan s)
{
    close(s);
}
#endif

enum { CTL_STOP = 1001, CTL_STATUS = 1002, CTL_KEEP = 1004 };

/* One control request. 0 with the reply's text (status) in *text, -1 when the service is
 * not running or does not answer. */
static int control(const char *dir, uint16_t entry, char **text)
{
    if (text)
        *text = NULL;
    chan s = sock_to(dir);
    if (s == NO_CHAN)
        return -1;
    unsigned char req[11];
    uint32_t len = 7, seq = 1;
    memcpy(req, &len, 4);
    req[4] = 1; /* request */
    memcpy(req + 5, &seq, 4);
    memcpy(req + 9, &entry, 2);
    uint32_t rlen = 0;
    unsigned char *body = NULL;
    int rc = -1;
    if (full(s, req, sizeof req, 1) == 0 && full(s, &rlen, 4, 0) == 0 && rlen >= 13 && rlen < (1u << 20) &&
        (body = malloc(rlen + 1)) && full(s, body, rlen, 0) == 0) {
        int64_t ret;
        memcpy(&ret, body + 5, 8);
        rc = ret == 0 ? 0 : -1;
        if (rc == 0 && text && rlen >= 17) {
            uint32_t n;
            memcpy(&n, body + 13, 4);
            if (n != UINT32_MAX && 17 + (size_t)n * 2 <= rlen && (*text = malloc((size_t)n + 1))) {
                for (uint32_t i = 0; i < n; i++) { /* the status is ASCII JSON */
                    uint16_t c;
                    memcpy(&c, body + 17 + i * 2, 2);
                    (*text)[i] = c < 0x80 ? (char)c : '?';
                }
                (*text)[n] = 0;
            }
        }
    }
    free(body);
    chan_close(s);
    return rc;
}

int hcsctl_sim(const hcsctl_opts *o, int argc, char **argv)
{
    if (argc < 1 || (strcmp(argv[0], "start") != 0 && strcmp(argv[0], "stop") != 0 && strcmp(argv[0], "status") != 0))
        return hcsctl_usage_error("sim start|stop|status (with --connect sim:PATH)");
    if (argc > 1)
        return hcsctl_usage_error("sim %s takes no arguments (the service is that of --connect sim:PATH)", argv[0]);
    const char *uri = hcsctl_uri(o);
    if (!uri)
        return HCSCTL_USAGE;
    if (strncmp(uri, "sim:", 4) != 0 || !uri[4])
        return hcsctl_usage_error("sim %s needs a sim:PATH service, not \"%s\"", argv[0], uri);
    const char *dir = uri + 4;
    char *status = NULL;
    if (strcmp(argv[0], "stop") == 0) {
        if (control(dir, CTL_STOP, NULL) < 0) {
            fprintf(stderr, "hcsctl: sim stop: no simulator service runs for %s\n", dir);
            return HCSCTL_FAILED;
        }
        printf(o->json ? "{\"stopped\":true}\n" : "stopped the simulator service of %s\n", dir);
        return HCSCTL_OK;
    }
    if (strcmp(argv[0], "start") == 0) {
        /* opening the service starts it when none runs; then it is told to stay */
        zhcs_service *svc = NULL;
        int rc = hcsctl_open_hcs(o, &svc);
        if (rc != 0)
            return rc;
        int kept = control(dir, CTL_KEEP, NULL);
        zhcs_service_close(svc);
        if (kept < 0) {
            fprintf(stderr, "hcsctl: sim start: the simulator service of %s does not answer\n", dir);
            return HCSCTL_FAILED;
        }
    }
    if (control(dir, CTL_STATUS, &status) < 0 || !status) {
        free(status);
        if (o->json)
            printf("{\"running\":false}\n");
        else
            printf("no simulator service runs for %s\n", dir);
        return HCSCTL_FAILED;
    }
    if (o->json)
        printf("%s\n", status);
    else
        printf("simulator service of %s: %s\n", dir, status);
    free(status);
    return HCSCTL_OK;
}
