/* SPDX-License-Identifier: MIT */
/* zhns/export.h - symbol visibility of the zhns API. */
#ifndef ZHNS_EXPORT_H
#define ZHNS_EXPORT_H

#if defined(ZHNS_STATIC)
#define ZHNS_API
#elif defined(_WIN32)
#if defined(ZHNS_BUILDING)
#define ZHNS_API __declspec(dllexport)
#else
#define ZHNS_API
#endif
#elif defined(__GNUC__)
#define ZHNS_API __attribute__((visibility("default")))
#else
#define ZHNS_API
#endif

#endif /* ZHNS_EXPORT_H */
