/* SPDX-License-Identifier: MIT */
/* zhns/notify.h - HCN service notifications: networks and namespaces created and deleted,
 * the service going away.
 *
 * Register a callback with (callback, context, context_free). The callback runs on a
 * thread of the service (never the registering one), one notification at a time per
 * registration, and must not block for long. zhns_notify_unregister returns only once the
 * callback can never run again, and context_free (may be NULL) runs exactly once, when
 * that is guaranteed: inside zhns_notify_unregister normally, or - when unregister is
 * called from inside the callback itself, which is allowed - right after that callback
 * returns. A registration keeps its service alive.
 */
#ifndef ZHNS_NOTIFY_H
#define ZHNS_NOTIFY_H

#include <stdint.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/* HCN_NOTIFICATIONS values (computenetwork.h); a value not listed is passed on as it came. */
typedef enum zhns_notification_type {
    ZHNS_NOTIFY_NETWORK_PRE_CREATE = 0x1,
    ZHNS_NOTIFY_NETWORK_CREATE = 0x2,
    ZHNS_NOTIFY_NETWORK_PRE_DELETE = 0x3,
    ZHNS_NOTIFY_NETWORK_DELETE = 0x4,
    ZHNS_NOTIFY_NAMESPACE_CREATE = 0x5,
    ZHNS_NOTIFY_NAMESPACE_DELETE = 0x6,
    ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_CREATE = 0x7,
    ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_DELETE = 0x8,
    ZHNS_NOTIFY_NETWORK_ENDPOINT_ATTACHED = 0x9,
    ZHNS_NOTIFY_NETWORK_ENDPOINT_DETACHED = 0x10,
    ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_STATE_CHANGED = 0x11,
    ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_INTERFACE_STATE_CHANGED = 0x12,
    /* the service went away: every handle of this service is useless now */
    ZHNS_NOTIFY_SERVICE_DISCONNECT = 0x01000000
} zhns_notification_type;

/* One notification; valid only during the callback. */
typedef struct zhns_notification {
    uint32_t type;       /* a zhns_notification_type */
    int32_t status;      /* the HRESULT HCN passed along (usually 0) */
    const char *id;      /* the object's id from the data ({"ID": ...}), lower case, or NULL */
    const char *data;    /* the notification's JSON as HCN sent it, or NULL */
} zhns_notification;

typedef void (*zhns_notify_fn)(const zhns_notification *event, void *context);

typedef struct zhns_notify zhns_notify;

/* Registers `callback` for the service's notifications (HcnRegisterServiceCallback).
 * On failure context_free is NOT called: the context stays the caller's. */
ZHNS_API int zhns_notify_register(zhns_notify **out, zhns_service *svc, zhns_notify_fn callback, void *context,
                                  void (*context_free)(void *context), zhns_error **err);

/* Ends the registration (HcnUnregisterServiceCallback) and frees it; see the top of this
 * file for when context_free runs. The zhns_notify * is a handle (see zhns/network.h):
 * NULL, a second call, or any value that is not a live registration does nothing. */
ZHNS_API void zhns_notify_unregister(zhns_notify *reg);

/* "network-create", "service-disconnect", ...; "unknown" for other values. */
ZHNS_API const char *zhns_notification_type_name(uint32_t type);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_NOTIFY_H */
