/* SPDX-License-Identifier: MIT */
/* test_hresult.c - the HRESULT table against data/hresults.json, and classification.
 *
 * The JSON file (Microsoft's documented names and values) is compiled into this test by
 * the build (embed_file.cmake), so the check runs the same natively and under Wine.
 */
#include <json-c/json.h>

#include "zh_hresult.h"
#include "zt.h"

extern const char zh_test_hresults_json[];

static struct json_object *load_codes(void)
{
    struct json_object *root = json_tokener_parse(zh_test_hresults_json);
    struct json_object *codes = NULL;
    if (!root || !json_object_object_get_ex(root, "codes", &codes))
        return NULL;
    json_object_get(codes);
    json_object_put(root);
    return codes;
}

static int32_t parse_hex(const char *s)
{
    return (int32_t)(uint32_t)strtoul(s, NULL, 16);
}

static void every_reference_code_is_in_the_table(void)
{
    struct json_object *codes = load_codes();
    ZT_REQUIRE(codes != NULL);
    size_t n = json_object_array_length(codes);
    ZT_CHECK(n >= 89);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(codes, i), *v;
        json_object_object_get_ex(c, "name", &v);
        const char *name = json_object_get_string(v);
        json_object_object_get_ex(c, "value", &v);
        int32_t value = parse_hex(json_object_get_string(v));
        json_object_object_get_ex(c, "family", &v);
        const char *family = json_object_get_string(v);

        const zh_hresult_info *info = zh_hresult_lookup(value);
        if (!info) {
            ZT_FAIL_("%s (0x%08X) is missing from the table", name, (unsigned)value);
            continue;
        }
        ZT_EQ_STR(info->name, name);
        ZT_EQ_HEX(info->value, value);
        if (value != 0) {
            zh_hresult_family want = strcmp(family, "hcs") == 0 ? ZH_FAMILY_HCS : ZH_FAMILY_HCN;
            ZT_EQ_INT(info->family, want);
            ZT_CHECK(info->category != ZH_CAT_NONE);
        }
    }
    json_object_put(codes);
}

static void every_hcs_hcn_table_entry_is_in_the_reference(void)
{
    struct json_object *codes = load_codes();
    ZT_REQUIRE(codes != NULL);
    size_t count, n = json_object_array_length(codes);
    const zh_hresult_info *table = zh_hresult_table(&count);
    size_t checked = 0;
    for (size_t t = 0; t < count; t++) {
        if (table[t].family == ZH_FAMILY_WIN32)
            continue;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) {
            struct json_object *c = json_object_array_get_idx(codes, i), *v;
            json_object_object_get_ex(c, "name", &v);
            const char *name = json_object_get_string(v);
            json_object_object_get_ex(c, "value", &v);
            found = strcmp(name, table[t].name) == 0 && parse_hex(json_object_get_string(v)) == table[t].value;
        }
        if (!found)
            ZT_FAIL_("table entry %s (0x%08X) is not in data/hresults.json", table[t].name,
                     (unsigned)table[t].value);
        checked++;
    }
    ZT_EQ_INT(checked, 32 + 55); /* HCS 0x100-0x121 less 0x103/0x104; HCN 0x01-0x37 */
    json_object_put(codes);
}

static void the_table_has_no_duplicates(void)
{
    size_t count;
    const zh_hresult_info *table = zh_hresult_table(&count);
    for (size_t i = 0; i < count; i++) {
        ZT_CHECK((unsigned)table[i].category < ZH_CAT_COUNT);
        ZT_CHECK(table[i].name && table[i].name[0]);
        ZT_EQ_INT(ZH_FAILED(table[i].value), table[i].category != ZH_CAT_NONE);
        for (size_t j = i + 1; j < count; j++) {
            if (table[i].value == table[j].value)
                ZT_FAIL_("0x%08X listed twice (%s, %s)", (unsigned)table[i].value, table[i].name, table[j].name);
            if (strcmp(table[i].name, table[j].name) == 0)
                ZT_FAIL_("%s listed twice", table[i].name);
        }
    }
}

static void defined_constants_have_reference_values(void)
{
    ZT_EQ_HEX(HCS_E_INVALID_STATE, 0x80370105);
    ZT_EQ_HEX(HCS_E_SYSTEM_NOT_FOUND, 0x8037010E);
    ZT_EQ_HEX(HCS_E_OPERATION_TIMEOUT, 0x80370118);
    ZT_EQ_HEX(HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET, 0x80370119);
    ZT_EQ_HEX(HCS_E_PROCESS_ALREADY_STOPPED, 0x8037011F);
    ZT_EQ_HEX(HCN_E_NETWORK_NOT_FOUND, 0x803B0001);
    ZT_EQ_HEX(HCN_E_ENDPOINT_ALREADY_ATTACHED, 0x803B0014);
    ZT_EQ_HEX(HCN_E_ADDR_INVALID_OR_RESERVED, 0x803B002F);
    ZT_EQ_HEX(HCN_E_VFP_NOT_ALLOWED, 0x803B0037);
    ZT_EQ_HEX(ZH_HR_FROM_WIN32(5), 0x80070005);
    ZT_EQ_HEX(ZH_HR_FROM_WIN32(0), 0);
}

static void vmcompute_forms_map_to_the_same_condition(void)
{
    size_t count;
    const zh_hresult_info *table = zh_hresult_table(&count);
    int seen = 0;
    for (size_t i = 0; i < count; i++) {
        if (table[i].family != ZH_FAMILY_HCS)
            continue;
        int32_t old = ZH_HR(0xC0370000u | ((uint32_t)table[i].value & 0xFFFFu));
        ZT_EQ_HEX(zh_hresult_normalize(old), table[i].value);
        ZT_EQ_STR(zh_hresult_name(old), table[i].name);
        ZT_EQ_INT(zh_hresult_category(old), table[i].category);
        seen++;
    }
    ZT_EQ_INT(seen, 32);
    ZT_EQ_HEX(zh_hresult_normalize(ZH_HR(0xC0000005)), 0xC0000005); /* other facilities untouched */
    ZT_EQ_HEX(zh_hresult_normalize(ZH_HR(0x803B0001)), 0x803B0001);
}

static void categories_of_the_codes_that_matter(void)
{
    ZT_EQ_INT(zh_hresult_category(0), ZH_CAT_NONE);
    ZT_EQ_INT(zh_hresult_category(1), ZH_CAT_NONE);
    ZT_EQ_INT(zh_hresult_category(HCS_E_SYSTEM_NOT_FOUND), ZH_CAT_NOT_FOUND);
    ZT_EQ_INT(zh_hresult_category(HCS_E_SYSTEM_ALREADY_EXISTS), ZH_CAT_ALREADY_EXISTS);
    ZT_EQ_INT(zh_hresult_category(HCS_E_SYSTEM_ALREADY_STOPPED), ZH_CAT_ALREADY_STOPPED);
    ZT_EQ_INT(zh_hresult_category(HCS_E_PROCESS_ALREADY_STOPPED), ZH_CAT_ALREADY_STOPPED);
    ZT_EQ_INT(zh_hresult_category(HCS_E_INVALID_STATE), ZH_CAT_INVALID_STATE);
    ZT_EQ_INT(zh_hresult_category(HCS_E_ACCESS_DENIED), ZH_CAT_ACCESS_DENIED);
    ZT_EQ_INT(zh_hresult_category(HCS_E_INVALID_JSON), ZH_CAT_INVALID_JSON);
    ZT_EQ_INT(zh_hresult_category(HCN_E_INVALID_JSON), ZH_CAT_INVALID_JSON);
    ZT_EQ_INT(zh_hresult_category(HCS_E_OPERATION_TIMEOUT), ZH_CAT_TIMEOUT);
    ZT_EQ_INT(zh_hresult_category(HCS_E_OPERATION_ALREADY_CANCELLED), ZH_CAT_CANCELLED);
    ZT_EQ_INT(zh_hresult_category(HCS_E_SERVICE_NOT_AVAILABLE), ZH_CAT_SERVICE_UNAVAILABLE);
    ZT_EQ_INT(zh_hresult_category(HCS_E_SERVICE_DISCONNECT), ZH_CAT_DISCONNECTED);
    ZT_EQ_INT(zh_hresult_category(HCN_E_NETWORK_NOT_FOUND), ZH_CAT_NOT_FOUND);
    ZT_EQ_INT(zh_hresult_category(HCN_E_ENDPOINT_NOT_FOUND), ZH_CAT_NOT_FOUND);
    ZT_EQ_INT(zh_hresult_category(HCN_E_PORT_ALREADY_EXISTS), ZH_CAT_ALREADY_EXISTS);
    ZT_EQ_INT(zh_hresult_category(HCN_E_ENDPOINT_ALREADY_ATTACHED), ZH_CAT_ALREADY_EXISTS);
    ZT_EQ_INT(zh_hresult_category(HCN_E_MANAGER_STOPPED), ZH_CAT_SERVICE_UNAVAILABLE);
    /* Win32 codes */
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x80070005)), ZH_CAT_ACCESS_DENIED);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x80070006)), ZH_CAT_CLOSED);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x80070490)), ZH_CAT_NOT_FOUND);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x8007000D)), ZH_CAT_INVALID_JSON);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x800706BA)), ZH_CAT_SERVICE_UNAVAILABLE);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x800706BE)), ZH_CAT_DISCONNECTED);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x800706BF)), ZH_CAT_SERVICE_UNAVAILABLE);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x80004001)), ZH_CAT_UNSUPPORTED);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x80070057)), ZH_CAT_INVALID_ARGUMENT);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x8007000E)), ZH_CAT_OUT_OF_MEMORY);
    /* unknown failure codes */
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x803701FF)), ZH_CAT_OTHER);
    ZT_EQ_INT(zh_hresult_category(ZH_HR(0x80071234)), ZH_CAT_OTHER);
}

static void names_and_descriptions(void)
{
    char buf[64];
    ZT_EQ_STR(zh_hresult_name(ZH_HR(0x8037010D)), "HCS_E_INVALID_JSON");
    ZT_EQ_STR(zh_hresult_name(ZH_HR(0x80070005)), "E_ACCESSDENIED");
    ZT_EQ_STR(zh_hresult_name(ZH_HR(0x800706BA)), "RPC_S_SERVER_UNAVAILABLE");
    ZT_EQ_STR(zh_hresult_name(0), "S_OK");
    ZT_CHECK(zh_hresult_name(ZH_HR(0x80071234)) == NULL);
    zh_hresult_describe(ZH_HR(0x803B002F), buf, sizeof buf);
    ZT_EQ_STR(buf, "HCN_E_ADDR_INVALID_OR_RESERVED (0x803B002F)");
    zh_hresult_describe(ZH_HR(0x80071234), buf, sizeof buf);
    ZT_EQ_STR(buf, "0x80071234");
    /* truncation reports the full length */
    ZT_EQ_INT(zh_hresult_describe(ZH_HR(0x8037010D), buf, 8), strlen("HCS_E_INVALID_JSON (0x8037010D)"));
    ZT_EQ_INT(strlen(buf), 7);
}

static const zt_case cases[] = {
    ZT_CASE(every_reference_code_is_in_the_table),
    ZT_CASE(every_hcs_hcn_table_entry_is_in_the_reference),
    ZT_CASE(the_table_has_no_duplicates),
    ZT_CASE(defined_constants_have_reference_values),
    ZT_CASE(vmcompute_forms_map_to_the_same_condition),
    ZT_CASE(categories_of_the_codes_that_matter),
    ZT_CASE(names_and_descriptions),
};
ZT_MAIN(cases)
