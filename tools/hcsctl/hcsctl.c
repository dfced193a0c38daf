/* SPDX-License-Identifier: MIT */
/* hcsctl.c - the command-line tool over zhcs and zhns, in the spirit of hcsdiag and
 * hnsdiag. This file holds the command table, parses the global options and dispatches;
 * help.c prints the help, the man page and the bash completion from the table. */
#include "hcsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

/* ------------------------------------------------------------------ run functions */
static int run_list(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "all") == 0)
        return hcsctl_list_all(o, argc - 1, argv + 1);
    return hcsctl_system(o, cmd, argc, argv);
}

static int run_schema(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    (void)cmd;
    return hcsctl_schema(o, argc, argv);
}

static int run_sim(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    (void)cmd;
    return hcsctl_sim(o, argc, argv);
}

static int run_version(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argv;
    if (argc > 0)
        return hcsctl_usage_error("version takes no arguments");
    if (o->json)
        printf("{\"hcsctl\":\"%s\",\"zhcs\":\"%s\",\"zhns\":\"%s\"}\n", zhcs_version(), zhcs_version(), zhns_version());
    else
        printf("hcsctl %s\nzhcs %s\nzhns %s\n", zhcs_version(), zhcs_version(), zhns_version());
    return HCSCTL_OK;
}

static int run_help(const hcsctl_opts *o, const char *cmd, int argc, char **argv);

/* ------------------------------------------------------------------ the table */
#define TIMEOUT_HELP "  --timeout S     bounds the wait, in seconds (e.g. 30, 1.5; at most 4294967.294; default 60)\n"

static const hcsctl_subcommand LIST_SUBS[] = {
    {"all", "[--owner O] [--name N] [--quiet]",
     "every object of the Host Compute Network service: networks, endpoints, namespaces, load balancers, routes"},
    {NULL, NULL, NULL}};

/* The five HCN object kinds share their subcommands (namespace has two more). */
#define KIND_SUBS(noun, create_args)                                                                               \
    {"list", "[--owner O] [--name N] [--quiet]", "a table of every " noun},                                        \
        {"inspect", "ID", "the " noun "'s properties as HCN answers them"},                                        \
        {"create", create_args, "creates a " noun " from a document (a file, -, @FILE or the JSON itself)"},       \
        {"delete", "ID...", "deletes each " noun " (one that does not exist counts as deleted)"}

static const hcsctl_subcommand NETWORK_SUBS[] = {KIND_SUBS("network", "DOC"), {NULL, NULL, NULL}};
static const hcsctl_subcommand ENDPOINT_SUBS[] = {
    {"list", "[--owner O] [--name N] [--network ID] [--quiet]", "a table of every endpoint (or one network's)"},
    {"inspect", "ID", "the endpoint's properties as HCN answers them"},
    {"create", "DOC [--network ID]", "creates an endpoint on a network (--network, else the document's)"},
    {"delete", "ID...", "deletes each endpoint (one that does not exist counts as deleted)"},
    {NULL, NULL, NULL}};
static const hcsctl_subcommand NAMESPACE_SUBS[] = {
    KIND_SUBS("namespace", "DOC"),
    {"add-endpoint", "NAMESPACE-ID ENDPOINT-ID", "puts an endpoint into the namespace"},
    {"remove-endpoint", "NAMESPACE-ID ENDPOINT-ID", "takes an endpoint out of the namespace"},
    {NULL, NULL, NULL}};
static const hcsctl_subcommand LB_SUBS[] = {KIND_SUBS("load balancer", "DOC"), {NULL, NULL, NULL}};
static const hcsctl_subcommand ROUTE_SUBS[] = {KIND_SUBS("SDN route", "DOC"), {NULL, NULL, NULL}};
static const hcsctl_subcommand SCHEMA_SUBS[] = {
    {"list", "", "the HCS and HCN schema type names (hcs: or hcn: where both have one)"},
    {"check", "TYPE [FILE|-] [--emit] [--strict]",
     "checks a document against a schema type; --emit prints it as zhcs re-emits it, --strict refuses unknown "
     "members"},
    {NULL, NULL, NULL}};

#define KIND_HELP                                                                                \
    "  --owner O and --name N keep the objects whose Owner / Name is exactly O / N; --quiet (-q)\n" \
    "  prints only the ids. DOC is a file, - (standard input), @FILE, or the JSON itself.\n"

static const hcsctl_subcommand IMAGE_SUBS[] = {
    {"import", "LAYOUT-DIR|ARCHIVE [--name N] [--store DIR]", "imports an OCI image layout (a directory, .tar or .tar.gz)"},
    {"list", "[--store DIR]", "the imported images"},
    {"remove", "NAME [--store DIR]", "removes an image and the layers no other image uses"},
    {NULL, NULL, NULL}};
static const hcsctl_subcommand LAYER_SUBS[] = {
    {"list", "[--store DIR]", "the layers of the image store"},
    {"inspect", "PATH|SHA256 [--store DIR]", "a layer's files, parents and state"},
    {NULL, NULL, NULL}};

#define STORE_HELP \
    "  --store DIR     the image store (else $HCSCTL_STORE, else PATH/images for sim:PATH, else a user default)\n"

static const hcsctl_subcommand SIM_SUBS[] = {
    {"start", "", "starts the service of --connect sim:PATH (a first open starts it too) and keeps it running"},
    {"stop", "", "stops it: compute systems die, persistent HCN objects stay for the next start"},
    {"status", "", "whether it runs: its process id, clients, handles and systems"},
    {NULL, NULL, NULL}};

#define IMG "images"
#define SYS "compute systems"
#define PROC "processes"
#define NET "networking"

const hcsctl_command hcsctl_commands[] = {
    {"list", SYS, "[--owner O] [--id ID]... [--name N] [--type container|vm] [--state S]",
     "ID, TYPE, STATE, OWNER, NAME of the compute systems",
     "  --owner, --id, --name, --type go to HCS's query; --state (Created, Running, Paused, Stopped,\n"
     "  SavedAsTemplate, Unknown; any case) filters what comes back. `list all` lists the network objects.\n",
     LIST_SUBS, run_list},
    {"inspect", SYS, "ID [--query Statistics,ProcessList,...]", "the system's properties (indented JSON)",
     "  --query T,...   asks for those property types\n", NULL, hcsctl_system},
    {"create", SYS, "ID DOC", "creates a system from a ComputeSystem document",
     "  DOC is a file, - (standard input), @FILE, or the JSON itself.\n", NULL, hcsctl_system},
    {"start", SYS, "ID [--options DOC] [--timeout S]", "starts the system",
     "  --options DOC   the call's options document\n" TIMEOUT_HELP, NULL, hcsctl_system},
    {"stop", SYS, "ID [--timeout S] [--force]", "shutdown, a bounded wait, terminate, a second bounded wait",
     TIMEOUT_HELP "  --force         goes straight to terminate\n", NULL, hcsctl_system},
    {"kill", SYS, "ID [--options DOC] [--timeout S]", "terminates the system", TIMEOUT_HELP, NULL, hcsctl_system},
    {"pause", SYS, "ID [--options DOC] [--timeout S]", "pauses the system", TIMEOUT_HELP, NULL, hcsctl_system},
    {"resume", SYS, "ID [--options DOC] [--timeout S]", "resumes a paused system", TIMEOUT_HELP, NULL,
     hcsctl_system},
    {"save", SYS, "ID [--options DOC] [--timeout S]", "saves a paused system", TIMEOUT_HELP, NULL, hcsctl_system},
    {"wait", SYS, "ID [--timeout S]", "waits until the system stops and prints how",
     "  --timeout S     bounds the wait (default: no bound)\n", NULL, hcsctl_system},
    {"stats", SYS, "ID [--watch [--interval S] [--count N] [--cpus N]]",
     "one Statistics sample, or with --watch a line of rates per interval",
     "  --interval S    seconds between samples (default 1)\n"
     "  --count N       stops after N lines\n"
     "  --cpus N        the processors CPU % is of (default 1)\n"
     "  Sizes are IEC units with one decimal (KiB, MiB, ...); --json prints exact byte counts.\n",
     NULL, hcsctl_system},
    {"events", SYS, "ID [--count N] [--timeout S]", "follows the system's event stream",
     "  --count N       stops after N events\n"
     "  --timeout S     stops after S seconds without an event\n",
     NULL, hcsctl_system},
    {"share", SYS, "ID HOST-DIR CONTAINER-DIR [--read-only] [--remove] [--timeout S]",
     "maps a host directory into a running container (a MappedDirectory modify request)",
     "  --read-only     the container cannot write to it\n"
     "  --remove        takes the mapping away again\n" TIMEOUT_HELP,
     NULL, hcsctl_share},
    {"exec", PROC, "ID [--tty HxW] [--workdir DIR] [--no-stdin] -- COMMAND LINE",
     "runs a command in the system, stdio attached; the exit status is the process's own",
     "  --tty HxW       a console of H rows and W columns (each 1 to 65535)\n"
     "  --workdir DIR   the working directory\n"
     "  --no-stdin      no standard input\n"
     "  exit status 125: the process could not be run.\n",
     NULL, hcsctl_process},
    {"ps", PROC, "ID", "PID, IMAGE, CREATED, CPU TIME, MEMORY of the system's processes", NULL, NULL, hcsctl_process},
    {"signal", PROC, "ID PID SIGNAL", "sends CtrlC, CtrlBreak, CtrlClose, CtrlLogOff or CtrlShutdown (any case)",
     NULL, NULL, hcsctl_process},
    {"network", NET, "SUBCOMMAND ...", "networks", KIND_HELP, NETWORK_SUBS, hcsctl_network},
    {"endpoint", NET, "SUBCOMMAND ...", "endpoints", KIND_HELP, ENDPOINT_SUBS, hcsctl_network},
    {"namespace", NET, "SUBCOMMAND ...", "namespaces", KIND_HELP, NAMESPACE_SUBS, hcsctl_network},
    {"lb", NET, "SUBCOMMAND ...", "load balancers", KIND_HELP, LB_SUBS, hcsctl_network},
    {"route", NET, "SUBCOMMAND ...", "SDN routes", KIND_HELP, ROUTE_SUBS, hcsctl_network},
    {"attach", NET,
     "NETWORK-ID [--owner TAG] [--name N] [--ip ADDR[/LEN]] [--gateway IP] [--dns IP,...] [--dns-suffix S,...] "
     "[--dns-domain D] [--mac MAC]",
     "an endpoint on the network in a namespace of its own, rolled back as a whole on failure",
     "  --owner TAG     both objects' owner (default hcsctl): cleanup finds them by it\n"
     "  --name N        the endpoint's name\n"
     "  --ip ADDR[/LEN] the address (else HCN picks a free one), the prefix length (else the subnet's)\n"
     "  --gateway IP    adds the default route through IP\n"
     "  --dns IP,...    DNS servers; --dns-suffix S,... search suffixes; --dns-domain D the domain\n"
     "  --mac MAC       the endpoint's MAC address\n",
     NULL, hcsctl_network},
    {"detach", NET, "ENDPOINT-ID [NAMESPACE-ID]", "deletes the endpoint, and its namespace once empty",
     "  Not found counts as done, so a detach can be repeated; a NAMESPACE-ID that is not the\n"
     "  endpoint's is refused and nothing is done.\n",
     NULL, hcsctl_network},
    {"cleanup", NET, "--owner TAG [--yes]", "an owner's leftover attachments (a dry run without --yes)",
     "  --owner TAG     exactly that owner: never by prefix or case\n"
     "  --yes           deletes them (each detached, the endpoint and the namespace deleted)\n",
     NULL, hcsctl_network},
    {"features", NET, "[--hns-version M.N]", "the HNS version and what it supports",
     "  --hns-version M.N  the table for that version, without asking the host\n", NULL, hcsctl_network},
    {"adapter", NET, "[--uplink NAME]", "the host's adapters and the uplink choice",
     "  --uplink NAME   the override (else $ZLAYER_HCN_UPLINK_ADAPTER), matched without case\n", NULL,
     hcsctl_network},
    {"image", IMG, "SUBCOMMAND ...", "OCI images imported into container layers", STORE_HELP, IMAGE_SUBS,
     hcsctl_image},
    {"layer", IMG, "SUBCOMMAND ...", "the container layers of the image store", STORE_HELP, LAYER_SUBS,
     hcsctl_image},
    {"run", IMG, "IMAGE [--network NET] [--id ID] [--store DIR] [-i] -- COMMAND LINE",
     "creates a container from an image, runs the command, removes it (docker run style)",
     "  -i, --interactive  passes our standard input to the command even from a terminal\n"
     "                  (it always does when standard input is not a terminal)\n"
     "  --network NET   puts the container on that network (an endpoint in a namespace of its own)\n"
     "  --id ID         the container's id (default: a new GUID)\n" STORE_HELP
     "  The output streams; the exit status is the command's own (125: it could not be run).\n",
     NULL, hcsctl_image},
    {"sim", "simulator", "SUBCOMMAND ...", "the simulator service of sim:PATH (zhsimd)", NULL, SIM_SUBS, run_sim},
    {"schema", "schema", "SUBCOMMAND ...", "the schema conformance tool", NULL, SCHEMA_SUBS, run_schema},
    {"version", "other", "", "the versions of hcsctl and the libraries", NULL, NULL, run_version},
    {"help", "other", "[COMMAND [SUBCOMMAND]]", "this summary, or a command's help", NULL, NULL, run_help},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL}};

const hcsctl_command *hcsctl_find_command(const char *name)
{
    for (const hcsctl_command *c = hcsctl_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static const hcsctl_subcommand *find_sub(const hcsctl_command *c, const char *name)
{
    for (const hcsctl_subcommand *s = c->subs; s && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static int run_help(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    (void)o;
    (void)cmd;
    if (argc == 0) {
        hcsctl_print_usage(stdout);
        return HCSCTL_OK;
    }
    const hcsctl_command *c = hcsctl_find_command(argv[0]);
    if (!c)
        return hcsctl_usage_error("help: no command \"%s\"", argv[0]);
    const hcsctl_subcommand *s = argc > 1 ? find_sub(c, argv[1]) : NULL;
    if (argc > 2 || (argc == 2 && !s))
        return hcsctl_usage_error("help: %s has no subcommand \"%s\"", c->name, argv[argc - 1]);
    hcsctl_print_help(stdout, c, s);
    return HCSCTL_OK;
}

/* ------------------------------------------------------------------ main */
/* `-h` or `--help` among a command's arguments (before a "--"; for exec, before its command
 * line): the command's help, never an id. */
static int wants_help(const hcsctl_command *c, int argc, char **argv)
{
    int positional = 0;
    for (int k = 0; k < argc; k++) {
        if (strcmp(argv[k], "--") == 0)
            return 0;
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0)
            return 1;
        if (argv[k][0] != '-' && ++positional == 2 && strcmp(c->name, "exec") == 0)
            return 0;
    }
    return 0;
}

/* --trace: every raw HCS/HCN call, its object, HRESULT and duration, on stderr */
static void trace_line(void *context, const char *function, const char *object_id, int32_t hresult,
                       uint64_t duration_ns)
{
    (void)context;
    const char *name = zhcs_hresult_name(hresult);
    fprintf(stderr, "trace: %s%s%s hr=0x%08X%s%s %.3f ms\n", function, object_id ? " " : "", object_id ? object_id : "",
            (unsigned)hresult, name ? " " : "", name ? name : "", (double)duration_ns / 1e6);
}

static int run_main(int argc, char **argv);

int hcsctl_main(int argc, char **argv)
{
    int rc = run_main(argc, argv);
    hcsctl_set_context(NULL, ""); /* its options lived on run_main's stack */
    fflush(stdout);
    return rc;
}

static int run_main(int argc, char **argv)
{
    hcsctl_opts o = {NULL, 0};
    hcsctl_set_context(&o, "");
    /* --json and --connect are global and may come anywhere before a "--" (the command
     * line of exec starts after it): take them out of the arguments */
    int kept = 1;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--") == 0) {
            while (k < argc)
                argv[kept++] = argv[k++];
            break;
        }
        if (strcmp(argv[k], "--json") == 0) {
            o.json = 1;
        } else if (strcmp(argv[k], "--trace") == 0) {
            zhcs_set_trace(trace_line, NULL);
            zhns_set_trace(trace_line, NULL);
        } else if (strcmp(argv[k], "--connect") == 0) {
            if (k + 1 >= argc)
                return hcsctl_usage_error("--connect needs a URI: local, sim: or sim:PATH");
            o.connect = argv[++k];
        } else if (strncmp(argv[k], "--connect=", 10) == 0) {
            o.connect = argv[k] + 10;
        } else {
            argv[kept++] = argv[k];
        }
    }
    argc = kept;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            hcsctl_print_usage(stdout);
            return HCSCTL_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            return run_version(&o, "version", 0, NULL);
        } else if (strcmp(argv[i], "--man") == 0) { /* hidden: the build makes hcsctl.1 with it */
            hcsctl_print_man(stdout);
            return HCSCTL_OK;
        } else if (strcmp(argv[i], "--completion") == 0) { /* hidden: and the bash completion */
            if (i + 1 >= argc || strcmp(argv[i + 1], "bash") != 0)
                return hcsctl_usage_error("--completion takes bash");
            hcsctl_print_bash_completion(stdout);
            return HCSCTL_OK;
        } else if (strcmp(argv[i], "--commands") == 0) { /* hidden: every command and subcommand */
            for (const hcsctl_command *c = hcsctl_commands; c->name; c++) {
                printf("%s\n", c->name);
                for (const hcsctl_subcommand *s = c->subs; s && s->name; s++)
                    printf("%s %s\n", c->name, s->name);
            }
            return HCSCTL_OK;
        } else {
            return hcsctl_usage_error("unknown option \"%s\"", argv[i]);
        }
    }
    if (i >= argc)
        return hcsctl_usage_error("a command is missing");
    const hcsctl_command *c = hcsctl_find_command(argv[i]);
    if (!c)
        return hcsctl_usage_error("unknown command \"%s\"", argv[i]);
    int n = argc - i - 1;
    char **args = argv + i + 1;
    const hcsctl_subcommand *s = n > 0 ? find_sub(c, args[0]) : NULL;
    char words[64];
    snprintf(words, sizeof words, "%s%s%s", c->name, s ? " " : "", s ? s->name : "");
    hcsctl_set_context(&o, words);
    if (wants_help(c, n, args)) {
        hcsctl_print_help(stdout, c, s);
        return HCSCTL_OK;
    }
    return c->run(&o, c->name, n, args);
}
