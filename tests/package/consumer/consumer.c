/* SPDX-License-Identifier: MIT */
/* consumer.c - a program built against the installed zhcs and zhns (tests/package): it
 * uses both libraries on one simulator and shows they see one world - a container whose
 * configuration names an HCN namespace that zhns created. Prints "ok" and exits 0. */
#include <stdio.h>
#include <string.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

int main(void)
{
    if (strcmp(zhcs_version(), ZHCS_VERSION_STRING) != 0 || strcmp(zhns_version(), ZHNS_VERSION_STRING) != 0) {
        printf("version mismatch: headers %s/%s, libraries %s/%s\n", ZHCS_VERSION_STRING, ZHNS_VERSION_STRING,
               zhcs_version(), zhns_version());
        return 1;
    }
    zhns_service *net = NULL;
    zhcs_service *hcs = NULL;
    zhns_error *nerr = NULL;
    zhcs_error *err = NULL;
    zhns_namespace *ns = NULL;
    zhcs_system *sys = NULL;
    int rc = 1;
    if (zhns_service_open(&net, "sim:", &nerr) < 0 || zhns_namespace_create_json(&ns, net, "{}", &nerr) < 0) {
        printf("zhns: %s\n", zhns_error_message(nerr));
        goto out;
    }
    if (zhcs_service_open(&hcs, "sim:", &err) < 0) {
        printf("zhcs: %s\n", zhcs_error_message(err));
        goto out;
    }
    char config[512];
    snprintf(config, sizeof config, "{\"Owner\":\"consumer\",\"Container\":{\"Networking\":{\"Namespace\":\"%s\"}}}",
             zhns_namespace_id(ns));
    if (zhcs_system_create_json(&sys, hcs, "consumer", config, 10000, &err) < 0) {
        printf("zhcs: %s\n", zhcs_error_message(err)); /* a second simulator would not know the namespace */
        goto out;
    }
    zhcs_run_result r;
    if (zhcs_system_start(sys, 10000, &err) < 0 || zhcs_process_run(&r, sys, "cmd /c echo ok", NULL, &err) < 0) {
        printf("zhcs: %s\n", zhcs_error_message(err));
        goto out;
    }
    printf("%s", r.out);
    zhcs_run_result_free(&r);
    rc = 0;
out:
    zhcs_error_free(err);
    zhns_error_free(nerr);
    if (sys)
        zhcs_system_terminate(sys, NULL, 10000, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(hcs);
    zhns_namespace_close(ns);
    zhns_service_close(net);
    return rc;
}
