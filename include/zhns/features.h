/* SPDX-License-Identifier: MIT */
/* zhns/features.h - the HNS version and the features that depend on it, so that callers
 * can gate policies before HCN refuses them.
 *
 * Windows reports the version of its Host Networking Service through vmcompute.dll's
 * HNSCall ("GET /globals/version"), not through computenetwork.dll; zhns asks it once per
 * service and remembers the answer (the simulator answers for "sim:" services; see
 * docs/simulator.md). Which versions carry which feature is a fixed table (below), the
 * same facts Microsoft's own wrapper uses; zhns_version_supports() reads it without any
 * service at all.
 */
#ifndef ZHNS_FEATURES_H
#define ZHNS_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhns_hns_version {
    uint32_t major;
    uint32_t minor;
} zhns_hns_version;

/* Features and the HNS versions that have them. Numbers are stable; the list only grows. */
typedef enum zhns_feature {
    ZHNS_FEATURE_ACL = 0,                   /* ACL address lists, port ranges, rule ids: 7.2+ */
    ZHNS_FEATURE_API_V2 = 1,                /* the v2 API and schema (all of zhns): 9.2+ */
    ZHNS_FEATURE_REMOTE_SUBNET = 2,         /* RemoteSubnetRoute policies on overlay networks: 9.2+ */
    ZHNS_FEATURE_HOST_ROUTE = 3,            /* HostRoute policies: 9.2+ */
    ZHNS_FEATURE_DSR = 4,                   /* direct server return load balancing: 9.3-9.x, 10.2+ */
    ZHNS_FEATURE_SLASH32_ENDPOINT_PREFIXES = 5, /* endpoints with /32 prefixes: 9.3-9.x, 10.4+ */
    ZHNS_FEATURE_ACL_PROTOCOL_252 = 6,      /* ACLs on protocol 252 (VXLAN): 11.0+ */
    ZHNS_FEATURE_SESSION_AFFINITY = 7,      /* load balancer session affinity: 12.0+ */
    ZHNS_FEATURE_IPV6_DUAL_STACK = 8,       /* IPv6 dual stack: 11.10+ */
    ZHNS_FEATURE_SET_POLICY = 9,            /* SetPolicy: 13.0+ */
    ZHNS_FEATURE_VXLAN_PORT = 10,           /* VxlanPort policies: 10.3+ */
    ZHNS_FEATURE_L4_PROXY = 11,             /* L4Proxy network policies: 9.5-9.x, 10.5-10.x, 11.11-11.x, 12.1-12.x, 13.1+ */
    ZHNS_FEATURE_L4_WFP_PROXY = 12,         /* L4WfpProxy endpoint policies: 13.2+ */
    ZHNS_FEATURE_TIER_ACL = 13,             /* TierAcl policies: 14.0+ */
    ZHNS_FEATURE_NETWORK_ACL = 14,          /* NetworkACL policies: 15.0+ */
    ZHNS_FEATURE_NESTED_IPSET = 15,         /* nested IP sets: 15.0+ */
    ZHNS_FEATURE_DISABLE_HOST_PORT = 16,    /* the DisableHostPort network flag: 15.1+ */
    ZHNS_FEATURE_MODIFY_LOAD_BALANCER = 17, /* HcnModifyLoadBalancer: 15.4+ */
    ZHNS_FEATURE_ACCELNET = 18              /* accelerated networking: 15.4+ */
} zhns_feature;

#define ZHNS_FEATURE_COUNT 19

/* Does HNS `version` have `feature`? Pure; false for a feature outside the enum. */
ZHNS_API bool zhns_version_supports(zhns_hns_version version, zhns_feature feature);

/* "dsr", "ipv6-dual-stack", ...; "unknown" outside the enum. */
ZHNS_API const char *zhns_feature_name(zhns_feature feature);

/* The service's HNS version. Asked once per service (one HNSCall), then remembered; a
 * failed query is not remembered. Errors: UNSUPPORTED when the host has no HNSCall
 * (vmcompute.dll missing, as under Wine) or answers without a version (hosts older than
 * Windows 10 1803), SERVICE_UNAVAILABLE when the service is down, INVALID_JSON for an
 * answer that does not parse. */
ZHNS_API int zhns_hns_version_get(zhns_hns_version *out, zhns_service *svc, zhns_error **err);

/* Sets *supported for `feature` on the service's host (zhns_hns_version_get, then the
 * table). INVALID_ARGUMENT for a feature outside the enum. */
ZHNS_API int zhns_feature_supported(bool *supported, zhns_service *svc, zhns_feature feature, zhns_error **err);

/* 0 when the host has `feature`; else -1 with an UNSUPPORTED error that names the feature,
 * the versions that have it and the host's version. Errors of zhns_hns_version_get pass
 * through. For gating a policy before creating it. */
ZHNS_API int zhns_feature_require(zhns_service *svc, zhns_feature feature, zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_FEATURES_H */
