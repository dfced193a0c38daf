/* SPDX-License-Identifier: MIT */
/* test_schema_data.c - real documents (tests/data) against the generated types: each maps
 * completely (strict: nothing unknown) and round-trips; every network, subnet and endpoint
 * policy type appears, and each policy's Settings matches its typed setting struct. */
#include <json-c/json.h>

#include <zhcs/schema.h>
#include <zhns/schema.h>

#include "test_docs.h"
#include "zt.h"

static int json_equal(const char *a, const char *b)
{
    struct json_object *ja = json_tokener_parse(a), *jb = json_tokener_parse(b);
    int eq = ja && jb && json_object_equal(ja, jb);
    json_object_put(ja);
    json_object_put(jb);
    return eq;
}

static void every_document_is_strictly_valid_and_round_trips(void)
{
    ZT_CHECK(zh_test_doc_count >= 33);
    for (size_t i = 0; i < zh_test_doc_count; i++) {
        const zh_test_doc *d = &zh_test_docs[i];
        int hcs = strncmp(d->type, "hcs:", 4) == 0;
        char *out = NULL;
        zhcs_error *cerr = NULL;
        zhns_error *nerr = NULL;
        int rc = hcs ? zhcs_schema_check(d->type + 4, d->text, ZHCS_NUL_TERMINATED, ZHCS_SCHEMA_STRICT, &out, &cerr)
                     : zhns_schema_check(d->type + 4, d->text, ZHNS_NUL_TERMINATED, ZHNS_SCHEMA_STRICT, &out, &nerr);
        if (rc != 0) {
            ZT_FAIL_("%s as %s: %s", d->file, d->type, hcs ? zhcs_error_message(cerr) : zhns_error_message(nerr));
        } else if (!json_equal(d->text, out)) {
            ZT_FAIL_("%s: the round trip changed the document:\n%s", d->file, out);
        }
        free(out);
        zhcs_error_free(cerr);
        zhns_error_free(nerr);
    }
}

typedef struct policy_map {
    const char *policy;
    const char *settings_type; /* NULL: the type has no settings of its own */
} policy_map;

static const policy_map network_policies[] = {
    {"SourceMacAddress", "SourceMacAddressNetworkPolicySetting"},
    {"NetAdapterName", "NetAdapterNameNetworkPolicySetting"},
    {"InterfaceConstraint", "InterfaceConstraintNetworkPolicySetting"},
    {"VSwitchExtension", "VSwitchExtensionNetworkPolicySetting"},
    {"ProviderAddress", "ProviderAddressNetworkPolicySetting"},
    {"DrMacAddress", "DrMacAddressNetworkPolicySetting"},
    {"AutomaticDNS", "AutomaticDNSNetworkPolicySetting"},
    {"RemoteSubnetRoute", "RemoteSubnetRoutePolicySetting"},
    {"VxlanPort", "VxlanPortPolicySetting"},
    {"HostRoute", "HostRoutePolicySetting"},
    {"SetPolicy", "SetPolicySetting"},
    {"L4Proxy", "L4ProxyPolicySetting"},
    {"LayerConstraint", "LayerConstraintNetworkPolicySetting"},
    {"NetworkACL", "NetworkAclPolicySetting"},
};

static const policy_map endpoint_policies[] = {
    {"PortMapping", "PortMappingPolicySetting"},
    {"ACL", "AclPolicySetting"},
    {"QOS", "QosPolicySetting"},
    {"L2Driver", NULL},
    {"OutBoundNAT", "OutboundNatPolicySetting"},
    {"SDNRoute", "SDNRoutePolicySetting"},
    {"L4Proxy", "L4ProxyPolicySetting"},
    {"L4WFPPROXY", "L4WfpProxyPolicySetting"},
    {"ProviderAddress", "ProviderAddressEndpointPolicySetting"},
    {"PortName", "PortnameEndpointPolicySetting"},
    {"EncapOverhead", "EncapOverheadEndpointPolicySetting"},
    {"InterfaceConstraint", "InterfaceConstraintEndpointPolicySetting"},
    {"Encryption", "EncryptionPolicySetting"},
    {"VLAN", "VlanPolicySetting"},
    {"InterfaceParameters", "InterfaceParametersPolicySetting"},
    {"Iov", "IovPolicySetting"},
    {"TierAcl", "TierAclPolicySetting"},
};

static const policy_map subnet_policies[] = {
    {"VLAN", "VlanPolicySetting"},
    {"VSID", "VsidPolicySetting"},
};

static const char *doc_text(const char *file)
{
    for (size_t i = 0; i < zh_test_doc_count; i++)
        if (strcmp(zh_test_docs[i].file, file) == 0)
            return zh_test_docs[i].text;
    return NULL;
}

/* Checks one policy; marks its type as seen. */
static void check_policy(const policy_map *map, size_t n, unsigned char *seen, const char *type_name,
                         const char *settings)
{
    for (size_t k = 0; k < n; k++) {
        if (strcmp(map[k].policy, type_name) != 0)
            continue;
        seen[k] = 1;
        if (!map[k].settings_type)
            return;
        zhns_error *err = NULL;
        if (!settings) {
            ZT_FAIL_("policy %s has no Settings", type_name);
        } else if (zhns_schema_check(map[k].settings_type, settings, ZHNS_NUL_TERMINATED, ZHNS_SCHEMA_STRICT, NULL,
                                     &err) != 0) {
            ZT_FAIL_("policy %s: Settings are not a %s: %s", type_name, map[k].settings_type, zhns_error_message(err));
        }
        zhns_error_free(err);
        return;
    }
    ZT_FAIL_("policy type %s is not in the test's table", type_name);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void every_policy_type_is_covered_with_typed_settings(void)
{
    unsigned char net_seen[COUNT(network_policies)] = {0};
    unsigned char ep_seen[COUNT(endpoint_policies)] = {0};
    unsigned char sub_seen[COUNT(subnet_policies)] = {0};

    zhns_HostComputeNetwork *net = zhns_HostComputeNetwork_parse(doc_text("hcn/network-policies.json"),
                                                                 ZHNS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(net != NULL);
    for (size_t i = 0; i < net->Policies_count; i++) {
        const zhns_NetworkPolicy *p = &net->Policies[i];
        const char *name = zhns_NetworkPolicyType_name(p->Type);
        ZT_REQUIRE(p->has_Type && name != NULL);
        check_policy(network_policies, COUNT(network_policies), net_seen, name, p->Settings);
    }
    ZT_REQUIRE(net->Ipams_count == 1 && net->Ipams[0].Subnets_count == 1);
    const zhns_Subnet *sub = &net->Ipams[0].Subnets[0];
    for (size_t i = 0; i < sub->Policies_count; i++) {
        const char *name = zhns_SubnetPolicyType_name(sub->Policies[i].Type);
        ZT_REQUIRE(name != NULL);
        check_policy(subnet_policies, COUNT(subnet_policies), sub_seen, name, sub->Policies[i].Settings);
    }
    zhns_HostComputeNetwork_free(net);

    zhns_HostComputeEndpoint *ep = zhns_HostComputeEndpoint_parse(doc_text("hcn/endpoint-policies.json"),
                                                                  ZHNS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(ep != NULL);
    for (size_t i = 0; i < ep->Policies_count; i++) {
        const char *name = zhns_EndpointPolicyType_name(ep->Policies[i].Type);
        ZT_REQUIRE(name != NULL);
        check_policy(endpoint_policies, COUNT(endpoint_policies), ep_seen, name, ep->Policies[i].Settings);
    }
    zhns_HostComputeEndpoint_free(ep);

    /* every member of the three policy enums is in the tables, and every one was seen */
    size_t members = 0;
    while (zhns_NetworkPolicyType_name((zhns_NetworkPolicyType)members))
        members++;
    ZT_EQ_INT(members, COUNT(network_policies));
    members = 0;
    while (zhns_EndpointPolicyType_name((zhns_EndpointPolicyType)members))
        members++;
    ZT_EQ_INT(members, COUNT(endpoint_policies));
    ZT_CHECK(zhns_SubnetPolicyType_name((zhns_SubnetPolicyType)COUNT(subnet_policies)) == NULL);
    for (size_t k = 0; k < COUNT(network_policies); k++)
        if (!net_seen[k])
            ZT_FAIL_("network policy %s missing from network-policies.json", network_policies[k].policy);
    for (size_t k = 0; k < COUNT(endpoint_policies); k++)
        if (!ep_seen[k])
            ZT_FAIL_("endpoint policy %s missing from endpoint-policies.json", endpoint_policies[k].policy);
    for (size_t k = 0; k < COUNT(subnet_policies); k++)
        if (!sub_seen[k])
            ZT_FAIL_("subnet policy %s missing from network-policies.json", subnet_policies[k].policy);
}

static void typed_access_to_a_reply(void)
{
    zhns_HostComputeNamespace *ns = zhns_HostComputeNamespace_parse(doc_text("hcn/namespace-resources.json"),
                                                                    ZHNS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(ns != NULL);
    ZT_EQ_INT(ns->Type, ZHNS_NAMESPACETYPE_HOST);
    ZT_EQ_INT(ns->Resources_count, 2);
    ZT_EQ_INT(ns->Resources[0].Type, ZHNS_NAMESPACERESOURCETYPE_ENDPOINT);
    ZT_REQUIRE(ns->Resources[0].Data != NULL);
    ZT_EQ_STR(ns->Resources[0].Data->ID, "6a3c1f2e-1b2c-4d5e-8f90-a1b2c3d4e5f6");
    zhns_HostComputeNamespace_free(ns);

    zhcs_Properties *p = zhcs_Properties_parse(doc_text("hcs/properties-processlist.json"), ZHCS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(p != NULL);
    ZT_EQ_INT(p->ProcessList_count, 2);
    ZT_EQ_STR(p->ProcessList[1].ImageName, "cmd.exe");
    ZT_EQ_INT(p->ProcessList[1].MemoryWorkingSetSharedBytes, 3133440);
    ZT_REQUIRE(p->Statistics && p->Statistics->Processor);
    ZT_EQ_INT(p->Statistics->Processor->TotalRuntime100ns, 120000000);
    ZT_EQ_STR(zhcs_State_name(p->State), "Running");
    zhcs_Properties_free(p);

    zhcs_ComputeSystem *vm = zhcs_ComputeSystem_parse(doc_text("hcs/vm-uefi.json"), ZHCS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(vm && vm->VirtualMachine && vm->VirtualMachine->Devices);
    const zhcs_Devices *dev = vm->VirtualMachine->Devices;
    ZT_EQ_INT(dev->Scsi_count, 1);
    ZT_EQ_STR(dev->Scsi[0].key, "Primary disk controller");
    ZT_EQ_INT(dev->Scsi[0].value.Attachments_count, 2);
    ZT_EQ_INT(dev->Scsi[0].value.Attachments[1].key, 1);
    ZT_EQ_INT(dev->Scsi[0].value.Attachments[1].value.Type, ZHCS_ATTACHMENTTYPE_ISO);
    ZT_EQ_INT(vm->VirtualMachine->ComputeTopology->Memory->Backing, ZHCS_MEMORYBACKINGTYPE_VIRTUAL);
    zhcs_ComputeSystem_free(vm);
}

static const zt_case cases[] = {
    ZT_CASE(every_document_is_strictly_valid_and_round_trips),
    ZT_CASE(every_policy_type_is_covered_with_typed_settings),
    ZT_CASE(typed_access_to_a_reply),
};
ZT_MAIN(cases)
