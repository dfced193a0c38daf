/* SPDX-License-Identifier: MIT */
/* zhcs/export.h - symbol visibility of the zhcs API. */
#ifndef ZHCS_EXPORT_H
#define ZHCS_EXPORT_H

#if defined(ZHCS_STATIC)
#define ZHCS_API
#elif defined(_WIN32)
#if defined(ZHCS_BUILDING)
#define ZHCS_API __declspec(dllexport)
#else
#define ZHCS_API
#endif
#elif defined(__GNUC__)
#define ZHCS_API __attribute__((visibility("default")))
#else
#define ZHCS_API
#endif

#endif /* ZHCS_EXPORT_H */
