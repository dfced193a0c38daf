/* hcs_internal.h - what the zhcs modules share: the service's insides and helpers. */
#ifndef ZHCS_hcs_INTERNAL_H
#define ZHCS_hcs_INTERNAL_H

#include <zhcs/zhcs.h>

#include "zh_error.h"
#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_svc.h"
#include "zh_thread.h"

struct zhcs_service {
    zh_refcount ref;
    zh_svc *svc;
    zh_raw_lib *lib; /* the raw table: win32 DLL or simulator */
};

/* Takes a reference for an object that keeps the service alive; zhcs_service_close drops it. */
zhcs_service *hcs_service_ref(zhcs_service *svc);

#endif
