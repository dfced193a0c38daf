/* SPDX-License-Identifier: MIT */
/* hcs_waitable.c - an OS object an event loop can wait on: a manual-reset event on Windows,
 * a non-blocking pipe elsewhere (readable while set). Set and reset are called with the
 * service lock held, so they need no lock of their own. */
#include <stdlib.h>

#include "hcs_internal.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#endif

struct hcs_waitable {
#ifdef _WIN32
    HANDLE event;
#else
    int fds[2];
    bool set;
#endif
};

int hcs_waitable_new(hcs_waitable **out, zh_error **err)
{
    *out = NULL;
    hcs_waitable *w = calloc(1, sizeof *w);
    if (!w)
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "hcs_waitable_new", "out of memory");
#ifdef _WIN32
    w->event = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!w->event) {
        DWORD e = GetLastError();
        free(w);
        return zh_error_set(err, ZH_HR_FROM_WIN32(e), "CreateEventW", "cannot create a waitable event");
    }
#else
    if (pipe(w->fds) < 0) {
        int e = errno;
        free(w);
        return zh_error_set(err, ZH_HR_FROM_WIN32(e == EMFILE || e == ENFILE ? 4 : 31), "pipe",
                            "cannot create a waitable pipe (errno %d)", e);
    }
    for (int i = 0; i < 2; i++) {
        fcntl(w->fds[i], F_SETFL, fcntl(w->fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(w->fds[i], F_SETFD, FD_CLOEXEC);
    }
#endif
    *out = w;
    return 0;
}

void hcs_waitable_set(hcs_waitable *w)
{
    if (!w)
        return;
#ifdef _WIN32
    SetEvent(w->event);
#else
    if (!w->set) {
        char c = 1;
        ssize_t n = write(w->fds[1], &c, 1);
        w->set = n == 1;
    }
#endif
}

void hcs_waitable_reset(hcs_waitable *w)
{
    if (!w)
        return;
#ifdef _WIN32
    ResetEvent(w->event);
#else
    if (w->set) {
        char buf[16];
        while (read(w->fds[0], buf, sizeof buf) > 0) {
        }
        w->set = false;
    }
#endif
}

zhcs_fd hcs_waitable_fd(hcs_waitable *w)
{
#ifdef _WIN32
    return w ? (zhcs_fd)w->event : ZHCS_FD_NONE;
#else
    return w ? w->fds[0] : ZHCS_FD_NONE;
#endif
}

void hcs_waitable_free(hcs_waitable *w)
{
    if (!w)
        return;
#ifdef _WIN32
    CloseHandle(w->event);
#else
    close(w->fds[0]);
    close(w->fds[1]);
#endif
    free(w);
}

zhcs_fd hcs_fd_from_raw(zh_handle h)
{
#ifdef _WIN32
    return h == INVALID_HANDLE_VALUE ? ZHCS_FD_NONE : (zhcs_fd)h;
#else
    intptr_t v = (intptr_t)h;
    /* the POSIX simulator hands descriptors out as handle values; 0 and -1 mean none */
    return v <= 0 || v > INT32_MAX ? ZHCS_FD_NONE : (zhcs_fd)v;
#endif
}

void hcs_fd_close(zhcs_fd fd)
{
    if (fd == ZHCS_FD_NONE)
        return;
#ifdef _WIN32
    CloseHandle(fd);
#else
    close(fd);
#endif
}
