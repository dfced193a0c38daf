/* SPDX-License-Identifier: MIT */
/* sim_rpc.c - framing, message bodies and the 64-bit-keyed hash map of sim_rpc.h. */
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC */
#include "sim_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

/* ---------------------------------------------------------------- bodies */
void sim_wr_init(sim_wr *w)
{
    zh_buf z = ZH_BUF_INIT(SIM_RPC_MAX);
    w->b = z;
}

void sim_wr_bytes(sim_wr *w, const void *p, size_t n)
{
    if (n)
        zh_buf_append(&w->b, p, n);
}

void sim_wr_u8(sim_wr *w, uint8_t v)
{
    sim_wr_bytes(w, &v, 1);
}

void sim_wr_u16(sim_wr *w, uint16_t v)
{
    sim_wr_bytes(w, &v, 2);
}

void sim_wr_u32(sim_wr *w, uint32_t v)
{
    sim_wr_bytes(w, &v, 4);
}

void sim_wr_u64(sim_wr *w, uint64_t v)
{
    sim_wr_bytes(w, &v, 8);
}

void sim_wr_wstr(sim_wr *w, const zh_wchar *s)
{
    if (!s) {
        sim_wr_u32(w, UINT32_MAX);
        return;
    }
    size_t n = 0;
    while (s[n])
        n++;
    if (n >= SIM_RPC_MAX / 2) {
        w->b.failed = 1;
        return;
    }
    sim_wr_u32(w, (uint32_t)n);
    sim_wr_bytes(w, s, n * sizeof *s);
}

void sim_wr_free(sim_wr *w)
{
    zh_buf_free(&w->b);
}

void sim_rd_bytes(sim_rd *r, void *p, size_t n)
{
    if (r->bad || r->n < n) {
        r->bad = true;
        memset(p, 0, n);
        return;
    }
    memcpy(p, r->p, n);
    r->p += n;
    r->n -= n;
}

uint8_t sim_rd_u8(sim_rd *r)
{
    uint8_t v;
    sim_rd_bytes(r, &v, 1);
    return v;
}

uint16_t sim_rd_u16(sim_rd *r)
{
    uint16_t v;
    sim_rd_bytes(r, &v, 2);
    return v;
}

uint32_t sim_rd_u32(sim_rd *r)
{
    uint32_t v;
    sim_rd_bytes(r, &v, 4);
    return v;
}

uint64_t sim_rd_u64(sim_rd *r)
{
    uint64_t v;
    sim_rd_bytes(r, &v, 8);
    return v;
}

zh_wchar *sim_rd_wstr(sim_rd *r, bool *is_null)
{
    bool dummy;
    if (!is_null)
        is_null = &dummy;
    *is_null = false;
    uint32_t n = sim_rd_u32(r);
    if (r->bad)
        return NULL;
    if (n == UINT32_MAX) {
        *is_null = true;
        return NULL;
    }
    if ((size_t)n > r->n / sizeof(zh_wchar)) {
        r->bad = true;
        return NULL;
    }
    zh_wchar *s = malloc(((size_t)n + 1) * sizeof *s);
    if (!s) {
        r->bad = true;
        return NULL;
    }
    sim_rd_bytes(r, s, (size_t)n * sizeof *s);
    s[n] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == 0) { /* an embedded NUL: not a string */
            free(s);
            r->bad = true;
            return NULL;
        }
    }
    return s;
}

/* ---------------------------------------------------------------- frames */
void sim_msg_begin(sim_wr *w, uint8_t kind, uint32_t seq)
{
    sim_wr_init(w);
    sim_wr_u32(w, 0); /* the length, filled in by sim_send */
    sim_wr_u8(w, kind);
    sim_wr_u32(w, seq);
}

#ifdef _WIN32
/* ---- Windows: a named pipe end opened for overlapped I/O. Every read and write is
 * overlapped and waited for, together with the stop event: a blocked reader never holds up
 * a writer of the same handle (as synchronous I/O on one file object would), and
 * sim_sock_shutdown ends a blocked read from any thread. One reader and one writer at a
 * time (the callers serialise their writes). */
struct sim_chan {
    HANDLE h;
    HANDLE stop;   /* manual reset: set by sim_sock_shutdown */
    HANDLE rev, wev; /* the events of the read and the write in flight */
};

sim_sock sim_sock_wrap(void *pipe)
{
    struct sim_chan *c = calloc(1, sizeof *c);
    if (c) {
        c->h = pipe;
        c->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
        c->rev = CreateEventW(NULL, TRUE, FALSE, NULL);
        c->wev = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
    if (!c || !c->stop || !c->rev || !c->wev) {
        if (c) {
            c->h = NULL;
            sim_sock_close(c);
        }
        CloseHandle(pipe);
        return NULL;
    }
    return c;
}

void *sim_sock_handle(sim_sock s)
{
    return s ? s->h : NULL;
}

void sim_sock_shutdown(sim_sock s)
{
    if (s)
        SetEvent(s->stop);
}

void sim_sock_close(sim_sock s)
{
    if (!s)
        return;
    if (s->h)
        CloseHandle(s->h);
    if (s->stop)
        CloseHandle(s->stop);
    if (s->rev)
        CloseHandle(s->rev);
    if (s->wev)
        CloseHandle(s->wev);
    free(s);
}

/* One overlapped transfer of up to n bytes: the count, or -1 (peer gone, stopped). */
static long chan_io(sim_sock c, int write, void *buf, size_t n)
{
    if (n > 0x40000000u)
        n = 0x40000000u;
    if (WaitForSingleObject(c->stop, 0) == WAIT_OBJECT_0)
        return -1;
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = write ? c->wev : c->rev;
    ResetEvent(ov.hEvent);
    BOOL ok = write ? WriteFile(c->h, buf, (DWORD)n, NULL, &ov) : ReadFile(c->h, buf, (DWORD)n, NULL, &ov);
    if (!ok && GetLastError() != ERROR_IO_PENDING)
        return -1;
    HANDLE hs[2] = {ov.hEvent, c->stop};
    DWORD got = 0;
    if (WaitForMultipleObjects(2, hs, FALSE, INFINITE) != WAIT_OBJECT_0) {
        CancelIoEx(c->h, &ov);
        GetOverlappedResult(c->h, &ov, &got, TRUE);
        return -1;
    }
    if (!GetOverlappedResult(c->h, &ov, &got, FALSE) || got == 0)
        return -1;
    return (long)got;
}

int sim_send(sim_sock sock, sim_wr *w, const int *fds, int nfds)
{
    (void)fds;
    if (!sock || nfds > 0 || w->b.failed || !w->b.data || w->b.len < 4)
        return -1;
    uint32_t len = (uint32_t)(w->b.len - 4);
    memcpy(w->b.data, &len, 4);
    char *p = w->b.data;
    size_t left = w->b.len;
    while (left > 0) {
        long n = chan_io(sock, 1, p, left);
        if (n <= 0)
            return -1;
        p += n;
        left -= (size_t)n;
    }
    return 0;
}

static int read_full(sim_sock sock, void *buf, size_t n, int fds[SIM_RPC_MAXFDS], int *nfds)
{
    (void)fds, (void)nfds;
    char *p = buf;
    while (n > 0) {
        long r = chan_io(sock, 0, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void close_fd(int fd)
{
    (void)fd; /* no descriptors travel on Windows */
}

int sim_recv(sim_sock sock, unsigned char **body, size_t *len, int fds[SIM_RPC_MAXFDS])
{
    *body = NULL;
    *len = 0;
    int nfds = 0;
    for (int i = 0; i < SIM_RPC_MAXFDS; i++)
        fds[i] = -1;
    if (!sock)
        return -1;
    uint32_t n;
    if (read_full(sock, &n, 4, fds, &nfds) < 0)
        return -1;
    if (n > SIM_RPC_MAX || n < 5)
        return -2;
    unsigned char *b = malloc(n);
    if (!b || read_full(sock, b, n, fds, &nfds) < 0) {
        free(b);
        return -1;
    }
    (void)close_fd;
    *body = b;
    *len = n;
    return 0;
}

int sim_send_raw(sim_sock sock, const void *bytes, size_t n)
{
    char *p = (char *)(uintptr_t)bytes;
    while (sock && n > 0) {
        long k = chan_io(sock, 1, p, n);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return sock ? 0 : -1;
}

int sim_pipe_name(const char *dir, char *out, size_t size)
{
    char full[4096];
    DWORD n = GetFullPathNameA(dir, sizeof full, full, NULL);
    if (n == 0 || n >= sizeof full)
        return -1;
    while (n > 3 && (full[n - 1] == '\\' || full[n - 1] == '/'))
        full[--n] = 0;
    /* pipe names are machine-wide: the user's name goes in too, so two users' services of
     * the same path never meet */
    char user[257] = "";
    DWORD ulen = sizeof user;
    if (!GetUserNameA(user, &ulen))
        user[0] = 0;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits, of "user|path" */
    for (const char *u = user; *u; u++) {
        h ^= (unsigned char)*u;
        h *= 0x100000001b3ULL;
    }
    h ^= '|';
    h *= 0x100000001b3ULL;
    for (DWORD i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)full[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a'); /* Windows paths ignore case */
        if (ch == '/')
            ch = '\\';
        h ^= ch;
        h *= 0x100000001b3ULL;
    }
    int k = snprintf(out, size, "\\\\.\\pipe\\zhsim-%016llx", (unsigned long long)h);
    return k > 0 && (size_t)k < size ? 0 : -1;
}
#else
/* ---- POSIX: an AF_UNIX stream socket */
void sim_sock_shutdown(sim_sock s)
{
    if (s >= 0)
        shutdown(s, SHUT_RDWR);
}

void sim_sock_close(sim_sock s)
{
    if (s >= 0)
        close(s);
}

int sim_send_raw(sim_sock sock, const void *bytes, size_t n)
{
    const char *p = bytes;
    while (n > 0) {
        ssize_t k = send(sock, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int sim_send(sim_sock sock, sim_wr *w, const int *fds, int nfds)
{
    if (w->b.failed || !w->b.data || w->b.len < 4)
        return -1;
    uint32_t len = (uint32_t)(w->b.len - 4);
    memcpy(w->b.data, &len, 4);
    const char *p = w->b.data;
    size_t left = w->b.len;
    union {
        char buf[CMSG_SPACE(sizeof(int) * SIM_RPC_MAXFDS)];
        struct cmsghdr align;
    } ctl;
    bool first = true;
    while (left > 0) {
        struct iovec iov = {(void *)(uintptr_t)p, left};
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        if (first && nfds > 0) {
            memset(&ctl, 0, sizeof ctl);
            m.msg_control = ctl.buf;
            m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
            memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
        }
        ssize_t n = sendmsg(sock, &m, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        first = false;
        p += n;
        left -= (size_t)n;
    }
    return 0;
}

/* Reads exactly n bytes; collects descriptors that arrive on the way. */
static int read_full(sim_sock sock, void *buf, size_t n, int fds[SIM_RPC_MAXFDS], int *nfds)
{
    char *p = buf;
    while (n > 0) {
        union {
            char buf[CMSG_SPACE(sizeof(int) * SIM_RPC_MAXFDS)];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {p, n};
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctl.buf;
        m.msg_controllen = sizeof ctl.buf;
        ssize_t r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < k; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (*nfds < SIM_RPC_MAXFDS)
                    fds[(*nfds)++] = fd;
                else
                    close(fd); /* more than any message carries */
            }
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int sim_recv(sim_sock sock, unsigned char **body, size_t *len, int fds[SIM_RPC_MAXFDS])
{
    *body = NULL;
    *len = 0;
    int nfds = 0;
    for (int i = 0; i < SIM_RPC_MAXFDS; i++)
        fds[i] = -1;
    uint32_t n;
    if (read_full(sock, &n, 4, fds, &nfds) < 0)
        goto fail;
    if (n > SIM_RPC_MAX || n < 5) {
        for (int i = 0; i < nfds; i++)
            close(fds[i]), fds[i] = -1;
        return -2;
    }
    unsigned char *b = malloc(n);
    if (!b || read_full(sock, b, n, fds, &nfds) < 0) {
        free(b);
        goto fail;
    }
    *body = b;
    *len = n;
    return 0;
fail:
    for (int i = 0; i < nfds; i++)
        close(fds[i]), fds[i] = -1;
    return -1;
}

int sim_sock_addr(const char *dir, int dirfd, void *addr, unsigned *len)
{
    struct sockaddr_un *a = addr;
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path, sizeof a->sun_path, "%s/sock", dir);
    if (n < 0 || (size_t)n >= sizeof a->sun_path) {
        if (dirfd < 0) {
            errno = ENAMETOOLONG;
            return -1;
        }
        n = snprintf(a->sun_path, sizeof a->sun_path, "/proc/self/fd/%d/sock", dirfd);
    }
    *len = (unsigned)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
    return 0;
}

#endif /* _WIN32 */

/* ---------------------------------------------------------------- the map */
static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

static int grow(sim_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    while (m->count * 2 >= cap)
        cap *= 2;
    uint64_t *keys = calloc(cap, sizeof *keys);
    void **vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        uint64_t k = m->keys[i];
        if (k == 0 || k == SIM_MAP_GONE)
            continue;
        size_t j = slot_of(k, cap);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = k;
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    m->used = m->count;
    return 0;
}

/* Keys 0 and SIM_MAP_GONE are stored shifted: handles are never either in practice, but
 * the map must not break if a peer sends them. */
static uint64_t fix(uint64_t key)
{
    return key == 0 || key == SIM_MAP_GONE ? 1 : key;
}

int sim_map_put(sim_map *m, uint64_t key, void *val)
{
    key = fix(key);
    if ((m->used + 1) * 4 >= m->cap * 3 && grow(m) < 0)
        return -1;
    size_t i = slot_of(key, m->cap), gone = (size_t)-1;
    while (m->keys[i]) {
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return 0;
        }
        if (m->keys[i] == SIM_MAP_GONE && gone == (size_t)-1)
            gone = i;
        i = (i + 1) & (m->cap - 1);
    }
    if (gone != (size_t)-1)
        i = gone;
    else
        m->used++;
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
    return 0;
}

static size_t find(const sim_map *m, uint64_t key)
{
    if (!m->cap)
        return (size_t)-1;
    key = fix(key);
    size_t i = slot_of(key, m->cap);
    while (m->keys[i]) {
        if (m->keys[i] == key)
            return i;
        i = (i + 1) & (m->cap - 1);
    }
    return (size_t)-1;
}

void *sim_map_get(const sim_map *m, uint64_t key)
{
    size_t i = find(m, key);
    return i == (size_t)-1 ? NULL : m->vals[i];
}

void *sim_map_del(sim_map *m, uint64_t key)
{
    size_t i = find(m, key);
    if (i == (size_t)-1)
        return NULL;
    void *v = m->vals[i];
    m->keys[i] = SIM_MAP_GONE;
    m->vals[i] = NULL;
    m->count--;
    return v;
}

bool sim_map_next(const sim_map *m, size_t *i, uint64_t *key, void **val)
{
    for (; *i < m->cap; (*i)++) {
        uint64_t k = m->keys[*i];
        if (k && k != SIM_MAP_GONE) {
            *key = k;
            *val = m->vals[*i];
            (*i)++;
            return true;
        }
    }
    return false;
}

void sim_map_free(sim_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

const char *sim_entry_name(size_t id)
{
    if (id < ZH_HCS_ID_COUNT)
        return zh_raw_hcs_spec.names[id];
    if (id < SIM_ENTRY_COUNT)
        return zh_raw_hcn_spec.names[id - ZH_HCS_ID_COUNT];
    return "?";
}
