/* hns_internal.h - what the zhns modules share: the service's insides and helpers. */
#ifndef ZHNS_hns_INTERNAL_H
#define ZHNS_hns_INTERNAL_H

#include <zhns/zhns.h>

#include "zh_error.h"
#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_svc.h"
#include "zh_thread.h"

struct zhns_service {
    zh_refcount ref;
    zh_svc *svc;
    zh_raw_lib *lib; /* the raw table: win32 DLL or simulator */
};

/* Takes a reference for an object that keeps the service alive; zhns_service_close drops it. */
zhns_service *hns_service_ref(zhns_service *svc);

#endif
