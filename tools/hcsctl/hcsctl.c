/* hcsctl.c - the command-line tool over zhcs and zhns, in the spirit of hcsdiag and
 * hnsdiag. This file parses the global options and dispatches to the command groups. */
#include "hcsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hcsctl [--connect URI] [--json] COMMAND ...\n"
            "\n"
            "URI: local (the default on Windows), sim: or sim:PATH (the simulator; elsewhere say\n"
            "     which, with --connect or $HCSCTL_CONNECT)\n"
            "\n"
            "compute systems:\n"
            "  list [--owner O] [--id ID]... [--name N] [--type container|vm] [--state S]\n"
            "  inspect ID [--query Statistics,ProcessList,...]\n"
            "  create ID FILE|-                   from a ComputeSystem document\n"
            "  start|pause|resume|save|kill ID [--options DOC] [--timeout S]\n"
            "  stop ID [--timeout S] [--force]    shutdown, wait, terminate, wait\n"
            "  wait ID [--timeout S]              until it stops\n"
            "  stats ID [--watch [--interval S] [--count N] [--cpus N]]\n"
            "  events ID [--count N] [--timeout S]\n"
            "processes:\n"
            "  exec ID [--tty HxW] [--workdir DIR] [--no-stdin] -- COMMAND LINE\n"
            "  ps ID\n"
            "  signal ID PID CtrlC|CtrlBreak|CtrlClose|CtrlLogOff|CtrlShutdown\n"
            "networking (KIND: network, endpoint, namespace, lb, route):\n"
            "  KIND list [--owner O] [--name N] [--quiet]   endpoint list also [--network ID]\n"
            "  KIND inspect ID\n"
            "  KIND create DOC                    endpoint create DOC [--network ID]\n"
            "  KIND delete ID...                  an id that does not exist counts as deleted\n"
            "  namespace add-endpoint|remove-endpoint NAMESPACE-ID ENDPOINT-ID\n"
            "  attach NETWORK-ID [--owner TAG] [--name N] [--ip ADDR[/LEN]] [--gateway IP]\n"
            "         [--dns IP,...] [--dns-suffix S,...] [--dns-domain D] [--mac MAC]\n"
            "                                     an endpoint in a namespace of its own\n"
            "  detach ENDPOINT-ID [NAMESPACE-ID]  deletes the endpoint, and its namespace once empty\n"
            "  cleanup --owner TAG [--yes]        an owner's leftover attachments (a dry run without --yes)\n"
            "  features [--hns-version M.N]       the HNS version and what it supports\n"
            "  adapter [--uplink NAME]            the host's adapters and the uplink choice\n"
            "schema:\n"
            "  schema list                        the HCS and HCN schema type names\n"
            "  schema check TYPE [FILE|-] [--emit] [--strict]\n"
            "  version                            the library versions\n"
            "  sim start|stop|status              the simulator service of sim:PATH\n"
            "\n"
            "exit status: 0 success, 1 failure, 2 bad command line; exec: the process's own\n"
            "(125 when it could not run). docs/hcsctl.md has the details.\n");
}

int main(int argc, char **argv)
{
    hcsctl_opts o = {NULL, 0};
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
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o.json = 1;
        } else if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc) {
            o.connect = argv[++i];
        } else if (strncmp(argv[i], "--connect=", 10) == 0) {
            o.connect = argv[i] + 10;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return HCSCTL_OK;
        } else {
            fprintf(stderr, "hcsctl: unknown option %s\n", argv[i]);
            usage(stderr);
            return HCSCTL_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return HCSCTL_USAGE;
    }
    const char *cmd = argv[i];
    if (strcmp(cmd, "schema") == 0)
        return hcsctl_schema(&o, argc - i - 1, argv + i + 1);
    if (hcsctl_is_system_command(cmd))
        return hcsctl_system(&o, cmd, argc - i - 1, argv + i + 1);
    if (hcsctl_is_process_command(cmd))
        return hcsctl_process(&o, cmd, argc - i - 1, argv + i + 1);
    if (hcsctl_is_network_command(cmd))
        return hcsctl_network(&o, cmd, argc - i - 1, argv + i + 1);
    if (strcmp(cmd, "sim") == 0)
        return hcsctl_sim(&o, argc - i - 1, argv + i + 1);
    if (strcmp(cmd, "version") == 0) {
        if (o.json)
            printf("{\"zhcs\":\"%s\",\"zhns\":\"%s\"}\n", zhcs_version(), zhns_version());
        else
            printf("zhcs %s\nzhns %s\n", zhcs_version(), zhns_version());
        return HCSCTL_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        usage(stdout);
        return HCSCTL_OK;
    }
    fprintf(stderr, "hcsctl: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return HCSCTL_USAGE;
}
