/* SPDX-License-Identifier: MIT */
/* sim_proc.c - processes in simulated compute systems: real stdio channels and a small
 * built-in guest command set modelled on Windows commands, run on a thread per process.
 *
 * Commands (CommandLine, or CommandArgs joined; "cmd /c X" and "sh -c X" run X):
 *   echo TEXT               TEXT and CRLF on stdout, exit 0
 *   exit N                  exit N
 *   more | cat | findstr    copy stdin to stdout until end of input (or CloseHandle StdIn)
 *   ping -t HOST            a reply line every second until a signal (exit 0xC000013A) or kill
 *   ping -n N HOST          N reply lines, exit 0
 *   timeout /t N            wait N seconds (exit 0) unless signalled first (0xC000013A)
 *   zhsim-write stdout=N stderr=M [exit=K]
 *                           N bytes on stdout and M on stderr, interleaved, exit K
 *   anything else           cmd.exe's "is not recognized ..." on stderr, exit 9009
 * A terminated process exits with 1. docs/simulator.md lists these choices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zhcs/schema.h>

#include "sim_hcs.h"
#include "sim_pipe.h"
#include "sim_storage.h"
#include "zh_hresult.h"
#include "zh_str.h"

#define SIM_CONTROL_C_EXIT 0xC000013Au
#define SIM_NOT_RECOGNIZED 9009u

struct hcs_proc {
    hcs_system *sys;         /* NULL once detached from a freed system */
    uint32_t pid;
    char *cmdline;
    char *image;
    char created[40];
    uint64_t created_ns;
    bool exited;
    uint32_t exit_code;
    int handles;
    int pending_jobs;
    /* set by callers, read by the process thread (under the world lock) */
    bool stdin_closed;
    bool signalled;
    bool terminate;
    bool silent;             /* its system stopped (ZH_SIM_LAT_STOPPED_PROCESSES 0): no event, E_HANDLE */
    bool exit_sent;          /* ProcessExited went out */
    struct hcs_proc_handle *hlist; /* its open handles, for events without a scan */
    zh_cond wake;            /* signalled, terminated or stdin closed: wakes the guest at once */
    sim_wake in_wake;        /* set once terminated or stdin closed: wakes a guest blocked reading
                                stdin (opened by the first such read) */
    sim_wake term_wake;      /* set once terminated: wakes a guest blocked writing to a full
                                stdout/stderr (opened by the first such write) */
    sim_fd dup_in, dup_out, dup_err; /* ZH_SIM_LAT_WS2022_CREATE_PROCESS: stdio for HcsGetProcessInfo */
    uint16_t console[2];
    sim_pipe in, out, err;   /* host ends handed out once */
    zh_thread *thread;
    sim_world *world;
    hcs_proc *next;
};

struct hcs_proc_handle {
    uint32_t magic;
    hcs_proc *proc;
    zh_hcs_event_callback callback;
    void *context;
    int running;
    bool closing;
    bool zombie;
    bool late_exit;          /* registered after the exit: ProcessExited still to come */
    bool on_proc;            /* in its process's handle list (until the close) */
    hcs_proc_handle *prev, *next;           /* every process handle (hcs_state.proc_handles) */
    hcs_proc_handle *proc_prev, *proc_next; /* its process's open handles (hcs_proc.hlist) */
};

/* ---------------------------------------------------------------- the guest side */
typedef struct guest {
    hcs_proc *p;
    sim_world *w;
} guest;

/* Wakes the guest for a changed flag (world lock held): its condition variable, and for a
 * terminate or a closed stdin, which end a wait for input for good, the stdin wake-up. */
static void proc_wake(hcs_proc *p)
{
    zh_cond_broadcast(&p->wake);
    if (p->terminate || p->stdin_closed)
        sim_wake_set(&p->in_wake);
    if (p->terminate)
        sim_wake_set(&p->term_wake);
}

/* Flags the process checks between steps. */
static int should_stop(guest *g, int *signalled)
{
    zh_mutex_lock(&g->w->lock);
    int term = g->p->terminate;
    if (signalled)
        *signalled = g->p->signalled;
    zh_mutex_unlock(&g->w->lock);
    return term;
}

/* Writes everything unless killed; returns -1 when killed, 0 otherwise (output to a
 * closed host end is dropped, as a real process's would be lost). */
static int put(guest *g, sim_fd fd, const char *s, size_t n)
{
    while (n > 0 && fd != -1) {
        size_t done = 0;
        int rc = -2;
#ifndef _WIN32
        rc = sim_fd_write_some(fd, s, n, &done, 0); /* at once when there is room */
#endif
        if (rc == -2) {
            /* the pipe is full (on Windows: whenever, as an overlapped write waits only when
             * the pipe is full): sleep until the host reads or a terminate, with no periodic
             * wake-up; the wake-up is opened under the lock that guards the flag */
            zh_mutex_lock(&g->w->lock);
            int can_wait = g->p->term_wake.r != -1 || sim_wake_open(&g->p->term_wake) == 0;
            int term = g->p->terminate;
            zh_mutex_unlock(&g->w->lock);
            if (term)
                return -1;
            rc = can_wait ? sim_fd_write_wait(fd, s, n, &done, &g->p->term_wake) : sim_fd_write_some(fd, s, n, &done, 20);
        }
        if (rc == -1)
            return 0;
        s += done;
        n -= done;
        if ((rc == -2 || rc == -3) && should_stop(g, NULL))
            return -1;
    }
    return 0;
}

static int puts_out(guest *g, const char *s)
{
    return put(g, g->p->out.guest, s, strlen(s));
}

/* Splits a command line into words (double quotes group). */
static size_t split(const char *line, char **words, size_t max, char *storage)
{
    size_t n = 0;
    char *o = storage;
    const char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        words[n++] = o;
        int quoted = 0;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '"')
                quoted = !quoted;
            else
                *o++ = *p;
            p++;
        }
        *o++ = '\0';
    }
    return n;
}

static void lower_program(char *w)
{
    char *base = w;
    for (char *q = w; *q; q++)
        if (*q == '\\' || *q == '/')
            base = q + 1;
    memmove(w, base, strlen(base) + 1);
    for (char *q = w; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    size_t n = strlen(w);
    if (n > 4 && strcmp(w + n - 4, ".exe") == 0)
        w[n - 4] = '\0';
}

/* Sleeps `ms` unless signalled or terminated first: on the process's condition variable,
 * so an idle process costs nothing until its time comes or someone wakes it. */
static uint32_t wait_or_signal(guest *g, uint64_t ms, int *killed)
{
    uint64_t end = zh_monotonic_ns() + ms * 1000000u;
    uint32_t rc = 0;
    *killed = 0;
    zh_mutex_lock(&g->w->lock);
    while (1) {
        if (g->p->terminate) {
            *killed = 1;
            rc = 1;
            break;
        }
        if (g->p->signalled) {
            rc = SIM_CONTROL_C_EXIT;
            break;
        }
        if (zh_monotonic_ns() >= end || zh_cond_wait_until(&g->p->wake, &g->w->lock, end))
            break;
    }
    zh_mutex_unlock(&g->w->lock);
    return rc;
}

static uint32_t run_command(guest *g, const char *line);

static uint32_t run_words(guest *g, char **w, size_t n, const char *rest)
{
    int killed = 0;
    if (n == 0)
        return 0;
    lower_program(w[0]);
    if ((strcmp(w[0], "cmd") == 0 && n >= 2 && (strcmp(w[1], "/c") == 0 || strcmp(w[1], "/C") == 0)) ||
        (strcmp(w[0], "sh") == 0 && n >= 2 && strcmp(w[1], "-c") == 0)) {
        /* the rest of the line after the switch */
        const char *sw = strstr(rest, w[1]);
        return run_command(g, sw ? sw + 2 : "");
    }
    if (strcmp(w[0], "echo") == 0) {
        const char *text = strstr(rest, "echo");
        text = text ? text + 4 : "";
        while (*text == ' ')
            text++;
        char *line = zh_asprintf("%s\r\n", text);
        int rc = line ? puts_out(g, line) : 0;
        free(line);
        return rc < 0 ? 1 : 0;
    }
    if (strcmp(w[0], "exit") == 0)
        return n >= 2 ? (uint32_t)strtoul(w[1], NULL, 10) : 0;
    if (strcmp(w[0], "more") == 0 || strcmp(w[0], "cat") == 0 || strcmp(w[0], "findstr") == 0) {
        char buf[4096];
        while (1) {
            zh_mutex_lock(&g->w->lock);
            /* opened before the flags are read, under the lock that guards them: a terminate
             * or CloseHandle StdIn after this sets it (proc_wake), so the wait below ends */
            int can_wait = g->p->in_wake.r != -1 || sim_wake_open(&g->p->in_wake) == 0;
            int closed = g->p->stdin_closed, term = g->p->terminate;
            zh_mutex_unlock(&g->w->lock);
            if (term)
                return 1;
            if (g->p->in.guest == -1)
                return 0;
            /* after CloseHandle StdIn, what was written before it is still read; then the
             * input ends. Until then the guest sleeps in the read: no periodic wake-up. */
            int got = closed      ? sim_fd_read(g->p->in.guest, buf, sizeof buf, 0)
                      : can_wait ? sim_fd_read_wait(g->p->in.guest, buf, sizeof buf, &g->p->in_wake)
                                 : sim_fd_read(g->p->in.guest, buf, sizeof buf, 20);
            if (got == -3 || (!closed && got == -2))
                continue; /* woken, or (no wake-up) nothing yet: the flags again */
            if (closed && got < 0)
                return 0;
            if (got == 0 || got == -1)
                return 0;
            if (got > 0 && put(g, g->p->out.guest, buf, (size_t)got) < 0)
                return 1;
        }
    }
    if (strcmp(w[0], "ping") == 0) {
        int forever = 0;
        unsigned count = 4;
        const char *host = "localhost";
        for (size_t i = 1; i < n; i++) {
            if (strcmp(w[i], "-t") == 0)
                forever = 1;
            else if (strcmp(w[i], "-n") == 0 && i + 1 < n)
                count = (unsigned)strtoul(w[++i], NULL, 10);
            else
                host = w[i];
        }
        char line[160];
        snprintf(line, sizeof line, "\r\nPinging %s with 32 bytes of data:\r\n", host);
        if (puts_out(g, line) < 0)
            return 1;
        for (unsigned i = 0; forever || i < count; i++) {
            snprintf(line, sizeof line, "Reply from 127.0.0.1: bytes=32 time<1ms TTL=128\r\n");
            if (puts_out(g, line) < 0)
                return 1;
            uint32_t rc = wait_or_signal(g, 1000, &killed); /* ping's interval on Windows */
            if (killed)
                return 1;
            if (rc) {
                puts_out(g, "Control-C\r\n");
                return rc;
            }
        }
        return 0;
    }
    if (strcmp(w[0], "timeout") == 0) {
        unsigned long secs = 0;
        for (size_t i = 1; i + 1 < n; i++)
            if (strcmp(w[i], "/t") == 0 || strcmp(w[i], "/T") == 0)
                secs = strtoul(w[i + 1], NULL, 10);
        uint32_t rc = wait_or_signal(g, (uint64_t)secs * 1000u, &killed);
        return killed ? 1 : rc;
    }
    if (strcmp(w[0], "zhsim-write") == 0) {
        size_t out = 0, err = 0;
        uint32_t code = 0;
        for (size_t i = 1; i < n; i++) {
            if (strncmp(w[i], "stdout=", 7) == 0)
                out = strtoul(w[i] + 7, NULL, 10);
            else if (strncmp(w[i], "stderr=", 7) == 0)
                err = strtoul(w[i] + 7, NULL, 10);
            else if (strncmp(w[i], "exit=", 5) == 0)
                code = (uint32_t)strtoul(w[i] + 5, NULL, 10);
        }
        char chunk[8192];
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = (char)('a' + i % 26);
        while (out > 0 || err > 0) { /* interleaved, so a host reading one pipe only deadlocks */
            size_t a = out < sizeof chunk ? out : sizeof chunk, b = err < sizeof chunk ? err : sizeof chunk;
            if ((a && put(g, g->p->out.guest, chunk, a) < 0) || (b && put(g, g->p->err.guest, chunk, b) < 0))
                return 1;
            out -= a;
            err -= b;
        }
        return code;
    }
    char *msg = zh_asprintf("'%s' is not recognized as an internal or external command,\r\n"
                            "operable program or batch file.\r\n",
                            w[0]);
    if (msg)
        put(g, g->p->err.guest, msg, strlen(msg));
    free(msg);
    return SIM_NOT_RECOGNIZED;
}

static int guest_write(void *ctx, int fd, const char *text)
{
    guest *g = ctx;
    return put(g, fd == 2 ? g->p->err.guest : g->p->out.guest, text, strlen(text));
}

static uint32_t run_command(guest *g, const char *line)
{
    uint32_t code; /* a container's C:\ (type, echo > file): sim_storage.c */
    zh_mutex_lock(&g->w->lock);
    char *config = g->p->sys && g->p->sys->config ? zh_strdup(g->p->sys->config) : NULL;
    zh_mutex_unlock(&g->w->lock);
    int handled = sim_storage_command(config, line, guest_write, g, &code);
    free(config);
    if (handled)
        return code;
    size_t len = strlen(line);
    char *storage = malloc(len + 1 + 64);
    char *words[64];
    if (!storage)
        return 1;
    size_t n = split(line, words, 64, storage);
    uint32_t rc = run_words(g, words, n, line);
    free(storage);
    return rc;
}

static int run_proc_exited(hcs_state *s, hcs_job *j, hcs_event_batch *b);

static void process_main(void *arg)
{
    hcs_proc *p = arg;
    guest g = {p, p->world};
    uint32_t code = run_command(&g, p->cmdline);
    sim_world *w = p->world;
    zh_mutex_lock(&w->lock);
    if (p->terminate)
        code = 1;
    p->exit_code = code;
    p->exited = true;
    /* end of output for the host */
    sim_fd_close(&p->out.guest);
    sim_fd_close(&p->err.guest);
    if (w->hcs) {
        p->pending_jobs++;
        if (sim_hcs_queue(w->hcs, NULL, 0, run_proc_exited, p->sys, p, NULL) < 0)
            p->pending_jobs--;
        zh_cond_broadcast(&w->hcs->done_cond);
    }
    zh_mutex_unlock(&w->lock);
}

/* ---------------------------------------------------------------- lists and handles */
static hcs_proc_handle *proc_handle(hcs_state *s, zh_hcs_process h)
{
    if (!s || !sim_live_has(s, (const void *)h)) /* never dereferenced unless live */
        return NULL;
    hcs_proc_handle *p = (hcs_proc_handle *)(void *)h;
    return p->magic == HCS_PROC_MAGIC && !p->closing ? p : NULL;
}

/* Process handles: in the list of all and in their process's list (lock held). */
static void proch_link(hcs_state *s, hcs_proc_handle *h)
{
    h->prev = NULL;
    h->next = s->proc_handles;
    if (h->next)
        h->next->prev = h;
    s->proc_handles = h;
    h->proc_prev = NULL;
    h->proc_next = h->proc->hlist;
    if (h->proc_next)
        h->proc_next->proc_prev = h;
    h->proc->hlist = h;
    h->on_proc = true;
}

static void proch_unlink_proc(hcs_proc_handle *h)
{
    if (!h->on_proc)
        return;
    if (h->proc_prev)
        h->proc_prev->proc_next = h->proc_next;
    else
        h->proc->hlist = h->proc_next;
    if (h->proc_next)
        h->proc_next->proc_prev = h->proc_prev;
    h->on_proc = false;
}

static void proch_free(hcs_state *s, hcs_proc_handle *h)
{
    proch_unlink_proc(h);
    if (h->prev)
        h->prev->next = h->next;
    else
        s->proc_handles = h->next;
    if (h->next)
        h->next->prev = h->prev;
    sim_live_del(s, h);
    h->magic = 0;
    free(h);
}

static char *process_status(const hcs_proc *p)
{
    zhcs_ProcessStatus st = {0};
    st.has_ProcessId = true;
    st.ProcessId = p->pid;
    st.has_Exited = true;
    st.Exited = p->exited;
    if (p->exited) {
        st.has_ExitCode = true;
        st.ExitCode = p->exit_code;
    }
    st.has_LastWaitResult = true;
    st.LastWaitResult = 0;
    return zhcs_ProcessStatus_emit(&st, NULL);
}

static int run_proc_exited(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    hcs_proc *p = j->proc;
    p->pending_jobs--;
    p->exit_sent = true;
    zh_cond_broadcast(&s->done_cond);
    if (p->silent)
        return 0; /* its system stopped: HCS says nothing more about it */
    char *status = process_status(p);
    for (hcs_proc_handle *h = p->hlist; h; h = h->proc_next)
        if (h->callback && !h->closing)
            sim_hcs_add_event(b, h->callback, h->context, &h->running, HcsEventProcessExited, status, NULL);
    free(status);
    return 0;
}

/* ProcessExited for callbacks registered after it went out (ZH_SIM_LAT_EARLY_EXIT 2). */
static int run_late_exit(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    hcs_proc *p = j->proc;
    p->pending_jobs--;
    char *status = process_status(p);
    for (hcs_proc_handle *h = p->hlist; h; h = h->proc_next) {
        if (h->late_exit && h->callback && !h->closing)
            sim_hcs_add_event(b, h->callback, h->context, &h->running, HcsEventProcessExited, status, NULL);
        h->late_exit = false;
    }
    free(status);
    return 0;
}

static void free_proc(hcs_proc *p)
{
    for (hcs_proc_handle *h = p->hlist; h; h = h->proc_next)
        h->on_proc = false; /* open at teardown: detached */
    p->hlist = NULL;
    sim_fd_close(&p->dup_in);
    sim_fd_close(&p->dup_out);
    sim_fd_close(&p->dup_err);
    zh_cond_destroy(&p->wake);
    sim_wake_close(&p->in_wake);
    sim_wake_close(&p->term_wake);
    sim_fd_close(&p->in.guest);
    sim_fd_close(&p->in.host);
    sim_fd_close(&p->out.guest);
    sim_fd_close(&p->out.host);
    sim_fd_close(&p->err.guest);
    sim_fd_close(&p->err.host);
    free(p->cmdline);
    free(p->image);
    free(p);
}

void sim_proc_stop_all(hcs_state *s, hcs_system *sys)
{
    (void)s;
    bool silent = !sim_lat(ZH_SIM_LAT_STOPPED_PROCESSES);
    for (hcs_proc *p = sys->procs; p; p = p->next) {
        p->terminate = true;
        p->silent = silent && !p->exit_sent;
        proc_wake(p);
    }
}

void sim_proc_reap_handles(hcs_state *s)
{
    for (hcs_proc_handle *h = s->proc_handles, *next; h && s->zombies > 0; h = next) {
        next = h->next;
        if (h->zombie && h->running == 0) {
            s->zombies--;
            proch_free(s, h);
        }
    }
}

void sim_proc_free_all(hcs_state *s, hcs_system *sys)
{
    while (sys->procs) {
        hcs_proc *p = sys->procs;
        sys->procs = p->next;
        p->terminate = true;
        proc_wake(p);
        p->sys = NULL;
        p->next = s->dead_procs;
        s->dead_procs = p;
    }
}

/* A process whose system is gone, with no handle left, is joined and freed. */
void sim_proc_reap(sim_world *w, bool all)
{
    while (1) {
        zh_mutex_lock(&w->lock);
        hcs_state *s = w->hcs;
        hcs_proc *victim = NULL;
        for (hcs_proc **q = s ? &s->dead_procs : NULL; q && *q; q = &(*q)->next) {
            hcs_proc *p = *q;
            if (all || (p->exited && p->handles == 0 && p->pending_jobs == 0)) {
                *q = p->next;
                victim = p;
                break;
            }
        }
        if (victim && all) {
            victim->terminate = true;
            proc_wake(victim);
            /* handles still open at teardown keep pointing here: detach them */
            for (hcs_proc_handle *h = s->proc_handles; h; h = h->next)
                if (h->proc == victim)
                    h->proc = NULL;
        }
        zh_mutex_unlock(&w->lock);
        if (!victim)
            return;
        zh_thread_join(victim->thread);
        free_proc(victim);
    }
}

void sim_proc_free_handles(hcs_state *s)
{
    while (s->proc_handles) {
        hcs_proc_handle *h = s->proc_handles;
        s->proc_handles = h->next;
        sim_live_del(s, h);
        h->magic = 0;
        free(h);
    }
}

zhcs_ProcessDetails *sim_proc_details(hcs_state *s, hcs_system *sys, size_t *count);
zhcs_ProcessDetails *sim_proc_details(hcs_state *s, hcs_system *sys, size_t *count)
{
    (void)s;
    size_t n = 0;
    for (hcs_proc *p = sys->procs; p; p = p->next)
        n += !p->exited;
    *count = 0;
    zhcs_ProcessDetails *d = n ? calloc(n, sizeof *d) : NULL;
    if (!d)
        return NULL;
    uint64_t now = zh_monotonic_ns();
    for (hcs_proc *p = sys->procs; p; p = p->next) {
        if (p->exited)
            continue;
        zhcs_ProcessDetails *e = &d[(*count)++];
        uint64_t age = (now - p->created_ns) / 100u;
        e->has_ProcessId = true;
        e->ProcessId = p->pid;
        e->ImageName = p->image;
        e->CreateTimestamp = p->created;
        e->has_UserTime100ns = e->has_KernelTime100ns = true;
        e->UserTime100ns = age / 50;
        e->KernelTime100ns = age / 100;
        e->has_MemoryCommitBytes = e->has_MemoryWorkingSetPrivateBytes = e->has_MemoryWorkingSetSharedBytes = true;
        e->MemoryCommitBytes = 2u * 1024 * 1024;
        e->MemoryWorkingSetPrivateBytes = 1024u * 1024;
        e->MemoryWorkingSetSharedBytes = 3u * 1024 * 1024;
    }
    return d;
}


static hcs_proc_handle *new_proc_handle(hcs_state *s, hcs_proc *p)
{
    hcs_proc_handle *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    if (sim_live_add(s, h) < 0) {
        free(h);
        return NULL;
    }
    h->magic = HCS_PROC_MAGIC;
    h->proc = p;
    proch_link(s, h);
    p->handles++;
    return h;
}

/* Completes an operation at once with `hr`, its result set from `doc` (lock held). */
static int run_done(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    int32_t hr = 0;
    if (j->arg) {
        if (j->arg[0] == '!') {
            /* "!<hr hex> message": a failure with a ResultError */
            hr = (int32_t)strtoul(j->arg + 1, NULL, 16);
            const char *msg = strchr(j->arg, ' ');
            zhcs_ResultError re = {0};
            re.has_Error = true;
            re.Error = hr;
            re.ErrorMessage = (char *)(msg ? msg + 1 : "");
            free(j->op->result);
            j->op->result = zhcs_ResultError_emit(&re, NULL);
        } else {
            free(j->op->result);
            j->op->result = zh_strdup(j->arg);
        }
    }
    return hr;
}

static zh_hresult complete_later(hcs_state *s, hcs_op *op, const char *arg)
{
    if (sim_hcs_queue(s, op, s->cur_delay_ms, run_done, NULL, NULL, arg) < 0) {
        op->state = OP_IDLE;
        return ZH_E_OUTOFMEMORY;
    }
    return 0;
}

static zh_hresult fail_later(hcs_state *s, hcs_op *op, int32_t hr, const char *msg)
{
    char *arg = zh_asprintf("!%08lX %s", (unsigned long)(uint32_t)hr, msg);
    zh_hresult rc = arg ? complete_later(s, op, arg) : ZH_E_OUTOFMEMORY;
    free(arg);
    return rc;
}

/* ---------------------------------------------------------------- the entry points */
zh_hresult ZH_WINAPI sim_HcsCreateProcess(zh_hcs_system computeSystem, const zh_wchar *processParameters,
                                          zh_hcs_operation operation, const zh_security_descriptor *securityDescriptor,
                                          zh_hcs_process *process)
{
    (void)securityDescriptor;
    if (process)
        *process = NULL;
    if (!processParameters || !process)
        return ZH_E_INVALIDARG;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_sys_handle *sh = sim_hcs_sys_handle(s, computeSystem);
    int bad = 0;
    char *params = sim_utf8(processParameters, &bad);
    zh_hresult hr = !sh ? ZH_E_HANDLE : bad ? ZH_E_INVALIDARG : 0;
    hcs_system *sys = sh ? sh->sys : NULL;
    if (!hr && sys->state == SYS_STOPPED)
        hr = HCS_E_SYSTEM_ALREADY_STOPPED;
    else if (!hr && sys->state != SYS_RUNNING)
        hr = HCS_E_INVALID_STATE;
    zhcs_error *err = NULL;
    zhcs_ProcessParameters *pp = hr ? NULL : zhcs_ProcessParameters_parse(params, ZHCS_NUL_TERMINATED, &err);
    if (!hr && !pp)
        hr = HCS_E_INVALID_JSON;
    zh_error_free(err);
    hcs_proc *p = NULL;
    hcs_proc_handle *ph = NULL;
    hcs_op *op = NULL;
    if (!hr && !(p = calloc(1, sizeof *p)))
        hr = ZH_E_OUTOFMEMORY;
    if (!hr) {
        p->in.guest = p->in.host = p->out.guest = p->out.host = p->err.guest = p->err.host = -1;
        p->in_wake.r = p->in_wake.w = -1;
        p->term_wake.r = p->term_wake.w = -1;
        p->dup_in = p->dup_out = p->dup_err = -1;
        zh_cond_init(&p->wake);
        p->world = w;
        p->sys = sys;
        p->pid = sys->next_pid;
        sys->next_pid += 4;
        p->created_ns = zh_monotonic_ns();
        time_t now = time(NULL);
        struct tm tmv;
#ifdef _WIN32
        gmtime_s(&tmv, &now);
#else
        gmtime_r(&now, &tmv);
#endif
        strftime(p->created, sizeof p->created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        zh_buf line = ZH_BUF_INIT(0);
        if (pp->CommandLine) {
            zh_buf_puts(&line, pp->CommandLine);
        } else {
            for (size_t i = 0; i < pp->CommandArgs_count; i++)
                zh_buf_printf(&line, "%s%s", i ? " " : "", pp->CommandArgs[i] ? pp->CommandArgs[i] : "");
        }
        p->cmdline = zh_buf_take(&line);
        char first[260] = "";
        sscanf(p->cmdline ? p->cmdline : "", "%259s", first);
        p->image = zh_strdup(first);
        if (pp->has_ConsoleSize) {
            p->console[0] = pp->ConsoleSize[0];
            p->console[1] = pp->ConsoleSize[1];
        }
        if (!p->cmdline || !p->image ||
            (pp->has_CreateStdInPipe && pp->CreateStdInPipe && sim_pipe_open(&p->in, 1) < 0) ||
            (pp->has_CreateStdOutPipe && pp->CreateStdOutPipe && sim_pipe_open(&p->out, 0) < 0) ||
            (pp->has_CreateStdErrPipe && pp->CreateStdErrPipe && sim_pipe_open(&p->err, 0) < 0))
            hr = ZH_E_OUTOFMEMORY;
    }
    if (!hr && !(ph = new_proc_handle(s, p)))
        hr = ZH_E_OUTOFMEMORY;
    if (!hr)
        hr = sim_hcs_op_begin(s, operation, HcsOperationTypeCreateProcess, sh, ph, &op);
    bool quirk = sim_lat(ZH_SIM_LAT_WS2022_CREATE_PROCESS) != 0;
    if (!hr) {
        if (quirk) {
            /* Windows Server 2022: the operation fails, the process runs all the same;
             * HcsGetProcessInfo hands out what the create should have */
            p->dup_in = p->in.host;
            p->dup_out = p->out.host;
            p->dup_err = p->err.host;
        } else {
            op->has_pi = true;
            op->pi.ProcessId = p->pid;
            op->pi.StdInput = sim_fd_handle(p->in.host);
            op->pi.StdOutput = sim_fd_handle(p->out.host);
            op->pi.StdError = sim_fd_handle(p->err.host);
        }
        /* the host ends now belong to the caller (through the operation result) */
        p->in.host = p->out.host = p->err.host = -1;
        if (zh_thread_start(&p->thread, process_main, p, NULL) < 0) {
            hr = ZH_E_OUTOFMEMORY;
            if (quirk) { /* back, so that free_proc closes them */
                p->in.host = p->dup_in;
                p->out.host = p->dup_out;
                p->err.host = p->dup_err;
                p->dup_in = p->dup_out = p->dup_err = -1;
            }
        } else {
            p->next = sys->procs;
            sys->procs = p;
            *process = (zh_hcs_process)(void *)ph;
            s->cur_delay_ms = s->op_delay_ms[ZH_HCS_ID_HcsCreateProcess];
            hr = quirk ? fail_later(s, op, ZH_E_INVALIDARG, "The parameter is incorrect.") : complete_later(s, op, NULL);
            s->cur_delay_ms = 0;
            if (!hr && sim_lat(ZH_SIM_LAT_EARLY_EXIT) == 1) {
                /* a short process is over, its ProcessExited sent to nobody, before the
                 * caller can register a callback */
                uint64_t deadline = zh_monotonic_ns() + 20000000u;
                while (!p->exit_sent && !zh_cond_wait_until(&s->done_cond, &w->lock, deadline)) {
                }
            }
            p = NULL;
        }
        if (hr && op) {
            op->has_pi = false;
            op->state = OP_IDLE;
        }
    }
    if (p) {
        /* failed before the process ran: undo */
        if (ph)
            proch_free(s, ph);
        free_proc(p);
    }
    zh_mutex_unlock(&w->lock);
    zhcs_ProcessParameters_free(pp);
    free(params);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsOpenProcess(zh_hcs_system computeSystem, zh_dword processId, zh_dword requestedAccess,
                                        zh_hcs_process *process)
{
    (void)requestedAccess;
    if (process)
        *process = NULL;
    if (!process)
        return ZH_E_INVALIDARG;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_sys_handle *sh = sim_hcs_sys_handle(s, computeSystem);
    zh_hresult hr = sh ? ZH_E_NOT_FOUND : ZH_E_HANDLE;
    for (hcs_proc *p = sh ? sh->sys->procs : NULL; p; p = p->next) {
        if (p->pid == processId) {
            hcs_proc_handle *ph = new_proc_handle(s, p);
            hr = ph ? 0 : ZH_E_OUTOFMEMORY;
            if (ph)
                *process = (zh_hcs_process)(void *)ph;
            break;
        }
    }
    zh_mutex_unlock(&w->lock);
    return hr;
}

void ZH_WINAPI sim_HcsCloseProcess(zh_hcs_process process)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return;
    hcs_proc_handle *h = proc_handle(s, process);
    if (!h) {
        zh_mutex_unlock(&w->lock);
        return;
    }
    h->closing = true;
    h->callback = NULL;
    proch_unlink_proc(h); /* no more events for it */
    zh_cond_broadcast(&s->done_cond);
    /* ZH_SIM_LAT_CLOSE_WAITS: as HcsCloseComputeSystem */
    bool inside = zh_thread_self_id() == s->worker_id || sim_hcs_in_callback_of(&h->running);
    if (sim_lat(ZH_SIM_LAT_CLOSE_WAITS)) {
        sim_hcs_unqueue(s, &h->running);
        while (!inside && h->running > 0)
            zh_cond_wait(&s->done_cond, &w->lock);
    }
    for (hcs_op *op = s->ops; op; op = op->next)
        if (op->proch == h)
            op->proch = NULL;
    hcs_proc *p = h->proc;
    if (h->running > 0) {
        h->zombie = true;
        s->zombies++;
    } else {
        proch_free(s, h);
    }
    if (p && --p->handles == 0 && p->sys && p->exited) {
        /* an exited process with no handle left goes (a running one goes on, and stays in
         * the system's process list) */
        for (hcs_proc **q = &p->sys->procs; *q; q = &(*q)->next)
            if (*q == p) {
                *q = p->next;
                break;
            }
        p->next = s->dead_procs;
        s->dead_procs = p;
        p->sys = NULL;
    }
    zh_mutex_unlock(&w->lock);
    sim_proc_reap(w, false);
}

/* The shape of Terminate/Signal/GetProcessInfo/GetProcessProperties/Modify. */
typedef zh_hresult (*proc_action)(hcs_state *s, hcs_proc *p, hcs_op *op, const char *arg);

static zh_hresult process_call(zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *arg16,
                               zh_hcs_operation_type type, size_t entry, proc_action act)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_proc_handle *h = proc_handle(s, process);
    int bad = 0;
    char *arg = sim_utf8(arg16, &bad);
    /* a process of a stopped system (ZH_SIM_LAT_STOPPED_PROCESSES 0) is gone for HCS */
    zh_hresult hr = !h || !h->proc || h->proc->silent ? ZH_E_HANDLE : bad ? ZH_E_INVALIDARG : 0;
    hcs_op *op = NULL;
    if (!hr)
        hr = sim_hcs_op_begin(s, operation, type, NULL, h, &op);
    if (!hr) {
        s->cur_delay_ms = s->op_delay_ms[entry];
        hr = act(s, h->proc, op, arg);
        s->cur_delay_ms = 0;
        if (hr)
            op->state = OP_IDLE;
    }
    zh_mutex_unlock(&w->lock);
    free(arg);
    return hr;
}

static zh_hresult act_terminate(hcs_state *s, hcs_proc *p, hcs_op *op, const char *arg)
{
    (void)arg;
    if (p->exited)
        return fail_later(s, op, HCS_E_PROCESS_ALREADY_STOPPED, "The process has already exited.");
    p->terminate = true;
    proc_wake(p);
    return complete_later(s, op, NULL);
}

/* A numeric "Signal" (Linux guests: {"Signal": 9}), or -1. */
static long numeric_signal(const char *arg)
{
    const char *k = arg ? strstr(arg, "\"Signal\"") : NULL;
    if (!k)
        return -1;
    k += 8;
    while (*k == ' ' || *k == '\t' || *k == '\r' || *k == '\n' || *k == ':')
        k++;
    if (*k < '0' || *k > '9')
        return -1;
    char *end = NULL;
    long v = strtol(k, &end, 10);
    return v >= 1 && v <= 64 ? v : -1;
}

static zh_hresult act_signal(hcs_state *s, hcs_proc *p, hcs_op *op, const char *arg)
{
    /* no options: the default signal, CtrlC (a documented guess) */
    long num = numeric_signal(arg);
    zhcs_SignalProcessOptions *o =
        arg && *arg && num < 0 ? zhcs_SignalProcessOptions_parse(arg, ZHCS_NUL_TERMINATED, NULL) : NULL;
    zh_hresult hr;
    bool valid = !arg || !*arg || num > 0 || (o && o->has_Signal && o->Signal != ZHCS_PROCESSSIGNAL__UNKNOWN);
    if (!valid)
        hr = fail_later(s, op, HCS_E_INVALID_JSON,
                        "The signal options are invalid: expected {\"Signal\": \"CtrlC\"|...} or a signal number.");
    else if (p->exited)
        hr = fail_later(s, op, HCS_E_PROCESS_ALREADY_STOPPED, "The process has already exited.");
    else {
        if (num == 9) /* SIGKILL */
            p->terminate = true;
        else
            p->signalled = true;
        proc_wake(p);
        hr = complete_later(s, op, NULL);
    }
    zhcs_SignalProcessOptions_free(o);
    return hr;
}

static zh_hresult act_info(hcs_state *s, hcs_proc *p, hcs_op *op, const char *arg)
{
    (void)arg;
    /* the stdio handles go out once: with the create, or (the Windows Server 2022 quirk,
     * where the create failed) with the first HcsGetProcessInfo */
    op->has_pi = true;
    memset(&op->pi, 0, sizeof op->pi);
    op->pi.ProcessId = p->pid;
    op->pi.StdInput = sim_fd_handle(p->dup_in);
    op->pi.StdOutput = sim_fd_handle(p->dup_out);
    op->pi.StdError = sim_fd_handle(p->dup_err);
    p->dup_in = p->dup_out = p->dup_err = -1;
    return complete_later(s, op, NULL);
}

static zh_hresult act_properties(hcs_state *s, hcs_proc *p, hcs_op *op, const char *arg)
{
    (void)arg;
    char *status = process_status(p);
    zh_hresult hr = status ? complete_later(s, op, status) : ZH_E_OUTOFMEMORY;
    free(status);
    return hr;
}

static zh_hresult act_modify(hcs_state *s, hcs_proc *p, hcs_op *op, const char *arg)
{
    zhcs_ProcessModifyRequest *m = arg ? zhcs_ProcessModifyRequest_parse(arg, ZHCS_NUL_TERMINATED, NULL) : NULL;
    zh_hresult hr;
    if (!m || !m->has_Operation || m->Operation == ZHCS_MODIFYOPERATION__UNKNOWN) {
        hr = fail_later(s, op, HCS_E_INVALID_JSON, "The modify request is invalid: expected an Operation.");
    } else if (p->exited) {
        hr = fail_later(s, op, HCS_E_PROCESS_ALREADY_STOPPED, "The process has already exited.");
    } else if (m->Operation == ZHCS_MODIFYOPERATION_CLOSEHANDLE) {
        if (!m->CloseHandle || !m->CloseHandle->has_Handle)
            hr = fail_later(s, op, HCS_E_INVALID_JSON, "CloseHandle needs a Handle.");
        else {
            if (m->CloseHandle->Handle == ZHCS_STDHANDLE_STDIN || m->CloseHandle->Handle == ZHCS_STDHANDLE_ALL)
                p->stdin_closed = true;
            proc_wake(p);
            hr = complete_later(s, op, NULL);
        }
    } else if (!m->ConsoleSize || !m->ConsoleSize->has_Height || !m->ConsoleSize->has_Width) {
        hr = fail_later(s, op, HCS_E_INVALID_JSON, "ConsoleSize needs Height and Width.");
    } else {
        p->console[0] = m->ConsoleSize->Height;
        p->console[1] = m->ConsoleSize->Width;
        hr = complete_later(s, op, NULL);
    }
    zhcs_ProcessModifyRequest_free(m);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsTerminateProcess(zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *options)
{
    if (options)
        return ZH_E_INVALIDARG; /* "Reserved for future use. Must be NULL." */
    return process_call(process, operation, options, HcsOperationTypeSignalProcess, ZH_HCS_ID_HcsTerminateProcess,
                        act_terminate);
}

zh_hresult ZH_WINAPI sim_HcsSignalProcess(zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *options)
{
    return process_call(process, operation, options, HcsOperationTypeSignalProcess, ZH_HCS_ID_HcsSignalProcess,
                        act_signal);
}

zh_hresult ZH_WINAPI sim_HcsGetProcessInfo(zh_hcs_process process, zh_hcs_operation operation)
{
    return process_call(process, operation, NULL, HcsOperationTypeGetProcessInfo, ZH_HCS_ID_HcsGetProcessInfo,
                        act_info);
}

zh_hresult ZH_WINAPI sim_HcsGetProcessProperties(zh_hcs_process process, zh_hcs_operation operation,
                                                 const zh_wchar *propertyQuery)
{
    return process_call(process, operation, propertyQuery, HcsOperationTypeGetProcessProperties,
                        ZH_HCS_ID_HcsGetProcessProperties, act_properties);
}

zh_hresult ZH_WINAPI sim_HcsModifyProcess(zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *settings)
{
    if (!settings)
        return ZH_E_INVALIDARG;
    return process_call(process, operation, settings, HcsOperationTypeModifyProcess, ZH_HCS_ID_HcsModifyProcess,
                        act_modify);
}

zh_hresult ZH_WINAPI sim_HcsSetProcessCallback(zh_hcs_process process, zh_hcs_event_options callbackOptions,
                                               void *context, zh_hcs_event_callback callback)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_proc_handle *h = proc_handle(s, process);
    zh_hresult hr = 0;
    (void)callbackOptions;
    if (!h)
        hr = ZH_E_HANDLE;
    else if (h->callback)
        hr = HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET;
    else {
        h->callback = callback;
        h->context = context;
        /* ZH_SIM_LAT_EARLY_EXIT 2: a callback registered after the exit still hears of it */
        if (h->proc && h->proc->exit_sent && !h->proc->silent && sim_lat(ZH_SIM_LAT_EARLY_EXIT) == 2) {
            h->late_exit = true;
            h->proc->pending_jobs++;
            if (sim_hcs_queue(s, NULL, 0, run_late_exit, NULL, h->proc, NULL) < 0)
                h->proc->pending_jobs--;
        }
    }
    zh_mutex_unlock(&w->lock);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsWaitForProcessExit(zh_hcs_process computeSystem, zh_dword timeoutMs, zh_wchar **result)
{
    if (result)
        *result = NULL;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_proc_handle *h = proc_handle(s, computeSystem);
    if (!h || !h->proc || h->proc->silent) {
        zh_mutex_unlock(&w->lock);
        return ZH_E_HANDLE;
    }
    hcs_proc *p = h->proc;
    uint64_t deadline = zh_monotonic_ns() + (uint64_t)timeoutMs * 1000000u;
    zh_hresult hr = 0;
    h->running++;
    while (!h->closing && !p->exited) { /* closing first: a closed handle's process may be gone */
        if (timeoutMs == 0xFFFFFFFFu)
            zh_cond_wait(&s->done_cond, &w->lock);
        else if (zh_cond_wait_until(&s->done_cond, &w->lock, deadline)) {
            hr = HCS_E_OPERATION_TIMEOUT;
            break;
        }
    }
    if (!hr && (h->closing || p->silent))
        hr = ZH_E_HANDLE; /* closed, or its system stopped (ZH_SIM_LAT_STOPPED_PROCESSES 0) */
    if (!hr && result) {
        char *st = process_status(p);
        *result = st ? sim_wstr(st) : NULL;
        free(st);
    }
    h->running--;
    sim_hcs_reap_handles(s);
    zh_cond_broadcast(&s->done_cond);
    zh_mutex_unlock(&w->lock);
    return hr;
}
