/* SPDX-License-Identifier: MIT */
/* hns_win32.c - the host facts of a "local" service that computenetwork.dll does not give:
 * the network adapters (GetAdaptersAddresses, iphlpapi) and the HNS version source
 * (vmcompute.dll's HNSCall, loaded from system32 on first use). Off Windows there is no
 * local service, so both are UNSUPPORTED errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_str.h"
#include "zh_utf.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <objbase.h>

/* A UTF-16 string of the adapter record -> UTF-8 (never NULL unless out of memory). */
static char *utf8_of(const wchar_t *w)
{
    char *s = NULL;
    if (!w || zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &s, NULL, "adapter", NULL) < 0)
        return zh_strdup("");
    return s;
}

static char *ipv4_text(const SOCKADDR *sa, int prefix)
{
    if (!sa || sa->sa_family != AF_INET)
        return NULL;
    const unsigned char *b = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
    return prefix >= 0 ? zh_asprintf("%u.%u.%u.%u/%d", b[0], b[1], b[2], b[3], prefix)
                       : zh_asprintf("%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

int hns_host_adapters(zh_host_adapter **out, size_t *n, const char *function, zh_error **err)
{
    *out = NULL;
    *n = 0;
    ULONG size = 16384, rc = ERROR_BUFFER_OVERFLOW;
    IP_ADAPTER_ADDRESSES *buf = NULL;
    ULONG flags = GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_ANYCAST;
    for (int tries = 0; tries < 4 && rc == ERROR_BUFFER_OVERFLOW; tries++) {
        free(buf);
        buf = malloc(size);
        if (!buf)
            return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
        rc = GetAdaptersAddresses(AF_UNSPEC, flags, NULL, buf, &size);
    }
    if (rc == ERROR_NO_DATA) {
        free(buf);
        *out = calloc(1, sizeof **out);
        return *out ? 0 : zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    }
    if (rc != NO_ERROR) {
        free(buf);
        return zh_error_set(err, ZH_HR_FROM_WIN32(rc), "GetAdaptersAddresses", "cannot list the network adapters");
    }
    size_t count = 0;
    for (IP_ADAPTER_ADDRESSES *a = buf; a; a = a->Next)
        count++;
    zh_host_adapter *list = calloc(count ? count : 1, sizeof *list);
    int ok = list != NULL;
    size_t i = 0;
    for (IP_ADAPTER_ADDRESSES *a = buf; ok && a; a = a->Next, i++) {
        zh_host_adapter *h = &list[i];
        h->name = utf8_of(a->FriendlyName);
        h->description = utf8_of(a->Description);
        char mac[3 * MAX_ADAPTER_ADDRESS_LENGTH + 1] = "";
        size_t pos = 0;
        for (ULONG k = 0; k < a->PhysicalAddressLength && k < MAX_ADAPTER_ADDRESS_LENGTH; k++)
            pos += (size_t)snprintf(mac + pos, sizeof mac - pos, k ? "-%02X" : "%02X", a->PhysicalAddress[k]);
        h->mac = zh_strdup(mac);
        h->up = a->OperStatus == IfOperStatusUp;
        h->loopback = a->IfType == IF_TYPE_SOFTWARE_LOOPBACK;
        h->tunnel = a->IfType == IF_TYPE_TUNNEL;
        h->metric = a->Ipv4Metric;
        for (IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u && !h->ipv4; u = u->Next)
            h->ipv4 = ipv4_text(u->Address.lpSockaddr, u->OnLinkPrefixLength);
        for (IP_ADAPTER_GATEWAY_ADDRESS *g = a->FirstGatewayAddress; g && !h->gateway; g = g->Next)
            h->gateway = ipv4_text(g->Address.lpSockaddr, -1);
        ok = h->name && h->description && h->mac;
    }
    free(buf);
    if (!ok) {
        zh_host_adapters_free(list, count);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    }
    *out = list;
    *n = count;
    return 0;
}

static void free_cotaskmem(zh_wchar *s)
{
    CoTaskMemFree(s);
}

int hns_host_hnscall(zh_svc_hnscall_fn *call, zh_raw_free_fn *free_response, const char *function, zh_error **err)
{
    *call = NULL;
    *free_response = NULL;
    /* loaded once and kept: the module handle is never freed */
    HMODULE vmcompute = LoadLibraryExW(L"vmcompute.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!vmcompute)
        return zh_error_set_cat(err, ZH_E_MOD_NOT_FOUND, ZH_CAT_UNSUPPORTED, function,
                                "vmcompute.dll (which reports the HNS version) is not in system32");
    FARPROC p = GetProcAddress(vmcompute, "HNSCall");
    if (!p)
        return zh_error_set_cat(err, ZH_E_PROC_NOT_FOUND, ZH_CAT_UNSUPPORTED, function,
                                "vmcompute.dll does not export HNSCall on this Windows build");
    *call = (zh_svc_hnscall_fn)(void (*)(void))p;
    *free_response = free_cotaskmem; /* HNSCall's responses are CoTaskMem strings */
    return 0;
}

/* computenetwork.dll runs callbacks on threads of its own: once a registration was made it
 * must never be unloaded (a service close frees the library), or a late callback would run
 * in unmapped code. Pinning keeps it mapped for the life of the process. */
void hns_pin_hcn_module(void)
{
    HMODULE m = NULL;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_PIN, L"computenetwork.dll", &m);
}
#else
void hns_pin_hcn_module(void)
{
}

int hns_host_adapters(zh_host_adapter **out, size_t *n, const char *function, zh_error **err)
{
    *out = NULL;
    *n = 0;
    return zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, function,
                            "the host's adapters are known only on Windows; use a \"sim:\" service");
}

int hns_host_hnscall(zh_svc_hnscall_fn *call, zh_raw_free_fn *free_response, const char *function, zh_error **err)
{
    *call = NULL;
    *free_response = NULL;
    return zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, function,
                            "the HNS version is known only on Windows; use a \"sim:\" service");
}
#endif
