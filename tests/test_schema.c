/* SPDX-License-Identifier: MIT */
/* test_schema.c - the generated schema types: round trips of every type, typed access,
 * integer ranges, lenient key matching, HCN enums as numbers, unknown values and members
 * kept, and clear errors with JSON paths for bad documents. */
#include <json-c/json.h>

#include <zhcs/schema.h>
#include <zhns/schema.h>

#include "generated/schema_samples.h"
#include "zh_schema.h"
#include "zt.h"

extern const zh_schema_family zh_schema_hcs;
extern const zh_schema_family zh_schema_hcn;

static const zh_stype *sample_type(const char *qualified)
{
    const zh_schema_family *fam = strncmp(qualified, "hcs:", 4) == 0 ? &zh_schema_hcs : &zh_schema_hcn;
    return zh_schema_family_find(fam, qualified + 4);
}

/* Semantic equality of two JSON texts (member order does not matter). */
static int json_equal(const char *a, const char *b)
{
    struct json_object *ja = json_tokener_parse(a), *jb = json_tokener_parse(b);
    int eq = ja && jb && json_object_equal(ja, jb);
    json_object_put(ja);
    json_object_put(jb);
    return eq;
}

static void every_type_has_a_sample_and_round_trips(void)
{
    ZT_EQ_INT(zh_schema_hcs.count, 254); /* 253 published + MemoryBackingType */
    ZT_EQ_INT(zh_schema_hcn.count, 156); /* 155 published + NamespaceResourceData */
    ZT_EQ_INT(zh_schema_sample_count, zh_schema_hcs.count + zh_schema_hcn.count);
    for (size_t i = 0; i < zh_schema_sample_count; i++) {
        const zh_schema_sample *s = &zh_schema_samples[i];
        const zh_stype *t = sample_type(s->type);
        if (!t) {
            ZT_FAIL_("%s: no such type", s->type);
            continue;
        }
        zh_error *err = NULL;
        void *v = zh_schema_parse(t, s->json, strlen(s->json), "test", &err);
        if (!v) {
            ZT_FAIL_("%s: parse failed: %s", s->type, zh_error_message(err));
            zh_error_free(err);
            continue;
        }
        char *out = zh_schema_emit(t, v, "test", &err);
        if (!out) {
            ZT_FAIL_("%s: emit failed: %s", s->type, zh_error_message(err));
            zh_error_free(err);
            zh_schema_free(v);
            continue;
        }
        if (!json_equal(s->json, out))
            ZT_FAIL_("%s: round trip changed the document:\n    in:  %s\n    out: %s", s->type, s->json, out);
        void *v2 = zh_schema_parse(t, out, strlen(out), "test", &err);
        char *out2 = v2 ? zh_schema_emit(t, v2, "test", &err) : NULL;
        if (!out2 || strcmp(out, out2) != 0)
            ZT_FAIL_("%s: second round trip differs", s->type);
        free(out);
        free(out2);
        zh_schema_free(v);
        zh_schema_free(v2);
    }
}

static void typed_members_of_process_parameters(void)
{
    const char *doc = "{\"CommandLine\":\"cmd /c echo hi\",\"CommandArgs\":[\"a\",\"b\\u00e9\"],"
                      "\"Environment\":{\"PATH\":\"C:\\\\Windows\",\"X\":\"1\"},\"EmulateConsole\":true,"
                      "\"CreateStdOutPipe\":false,\"ConsoleSize\":[24,80],\"FutureKnob\":{\"a\":1}}";
    zhcs_error *err = NULL;
    zhcs_ProcessParameters *p = zhcs_ProcessParameters_parse(doc, ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(p != NULL);
    ZT_EQ_STR(p->CommandLine, "cmd /c echo hi");
    ZT_EQ_INT(p->CommandArgs_count, 2);
    ZT_EQ_STR(p->CommandArgs[1], "b\xc3\xa9");
    ZT_EQ_INT(p->Environment_count, 2);
    ZT_EQ_STR(p->Environment[0].key, "PATH");
    ZT_EQ_STR(p->Environment[0].value, "C:\\Windows");
    ZT_CHECK(p->has_EmulateConsole && p->EmulateConsole);
    ZT_CHECK(p->has_CreateStdOutPipe && !p->CreateStdOutPipe);
    ZT_CHECK(!p->has_CreateStdInPipe);
    ZT_CHECK(p->has_ConsoleSize && p->ConsoleSize[0] == 24 && p->ConsoleSize[1] == 80);
    ZT_CHECK(p->ApplicationName == NULL);
    ZT_EQ_INT(p->extra_count, 1);
    ZT_EQ_STR(p->extra[0].key, "FutureKnob");
    ZT_EQ_STR(p->extra[0].json, "{\"a\":1}");
    char *out = zhcs_ProcessParameters_emit(p, &err);
    ZT_CHECK(out && json_equal(out, doc));
    zhcs_string_free(out);
    zhcs_ProcessParameters_free(p);
}

static void documents_built_on_the_stack_emit(void)
{
    char *args[] = {"ping", "-t", "localhost"};
    zhcs_ProcessParameters_Environment_entry env[] = {{"A", "1"}};
    zhcs_ProcessParameters p = {0};
    p.CommandLine = "ping -t localhost";
    p.CommandArgs = args;
    p.CommandArgs_count = 3;
    p.Environment = env;
    p.Environment_count = 1;
    p.has_CreateStdInPipe = true;
    p.CreateStdInPipe = true;
    p.has_ConsoleSize = true;
    p.ConsoleSize[0] = 30;
    p.ConsoleSize[1] = 120;
    zhcs_error *err = NULL;
    char *out = zhcs_ProcessParameters_emit(&p, &err);
    ZT_EQ_STR(out, "{\"CommandLine\":\"ping -t localhost\",\"CommandArgs\":[\"ping\",\"-t\",\"localhost\"],"
                   "\"Environment\":{\"A\":\"1\"},\"CreateStdInPipe\":true,\"ConsoleSize\":[30,120]}");
    zhcs_string_free(out);

    /* an empty array that is present is emitted; an absent one is not */
    zhcs_SystemQuery q = {0};
    static char *none[1];
    q.Ids = none;
    out = zhcs_SystemQuery_emit(&q, &err);
    ZT_EQ_STR(out, "{\"Ids\":[]}");
    zhcs_string_free(out);
}

static void uint64_range_is_exact(void)
{
    zhcs_error *err = NULL;
    zhcs_Statistics *s = zhcs_Statistics_parse("{\"Uptime100ns\":18446744073709551615}", ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(s != NULL);
    ZT_CHECK(s->has_Uptime100ns && s->Uptime100ns == UINT64_MAX);
    char *out = zhcs_Statistics_emit(s, &err);
    ZT_EQ_STR(out, "{\"Uptime100ns\":18446744073709551615}");
    zhcs_string_free(out);
    zhcs_Statistics_free(s);

    static const struct { const char *doc; const char *want; } bad[] = {
        {"{\"Uptime100ns\":18446744073709551616}", "$.Uptime100ns: 18446744073709551616 is out of range for integer (uint64)"},
        {"{\"Uptime100ns\":-1}", "$.Uptime100ns: -1 is out of range for integer (uint64)"},
        {"{\"Uptime100ns\":1.5}", "$.Uptime100ns: expected integer (uint64), got a number with a fraction or exponent"},
        {"{\"Uptime100ns\":1e3}", "expected integer (uint64), got a number with a fraction or exponent"},
        {"{\"Uptime100ns\":\"5\"}", "$.Uptime100ns: expected integer (uint64), got a string"},
        {"{\"Processor\":{\"TotalRuntime100ns\":99999999999999999999999}}", "$.Processor.TotalRuntime100ns: 99999999999999999999999 is out of range"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = NULL;
        ZT_CHECK(zhcs_Statistics_parse(bad[i].doc, ZHCS_NUL_TERMINATED, &err) == NULL);
        ZT_REQUIRE(err != NULL);
        ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
        ZT_EQ_STR(zhcs_error_function(err), "zhcs_Statistics_parse");
        ZT_CONTAINS(zhcs_error_message(err), bad[i].want);
        zhcs_error_free(err);
    }
}

static void signed_ranges_are_checked(void)
{
    zhcs_error *err = NULL;
    zhcs_ProcessStatus *ps = zhcs_ProcessStatus_parse("{\"LastWaitResult\":-2147483648,\"ExitCode\":4294967295}",
                                                      ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(ps != NULL);
    ZT_EQ_INT(ps->LastWaitResult, INT32_MIN);
    ZT_EQ_INT(ps->ExitCode, UINT32_MAX);
    zhcs_ProcessStatus_free(ps);
    ZT_CHECK(zhcs_ProcessStatus_parse("{\"LastWaitResult\":2147483648}", ZHCS_NUL_TERMINATED, &err) == NULL);
    ZT_CONTAINS(zhcs_error_message(err), "$.LastWaitResult: 2147483648 is out of range for integer (int32)");
    zhcs_error_free(err);
    err = NULL;
    ZT_CHECK(zhcs_ProcessStatus_parse("{\"ExitCode\":4294967296}", ZHCS_NUL_TERMINATED, &err) == NULL);
    ZT_CONTAINS(zhcs_error_message(err), "out of range for integer (uint32)");
    zhcs_error_free(err);
}

static void keys_match_exactly_then_case_insensitively(void)
{
    zhns_error *err = NULL;
    /* the reference says "ID"; a reply saying "Id" still lands in ID */
    zhns_HostComputeNetwork *n = zhns_HostComputeNetwork_parse(
        "{\"Id\":\"0f0e0d0c-0b0a-0908-0706-050403020100\",\"name\":\"nat\",\"Name\":\"exact\"}", ZHNS_NUL_TERMINATED, &err);
    ZT_REQUIRE(n != NULL);
    ZT_EQ_STR(n->ID, "0f0e0d0c-0b0a-0908-0706-050403020100");
    /* "name" matched Name first; the exact "Name" after it is a duplicate, kept as unknown */
    ZT_EQ_STR(n->Name, "nat");
    ZT_EQ_INT(n->extra_count, 1);
    ZT_EQ_STR(n->extra[0].key, "Name");
    zhns_HostComputeNetwork_free(n);

    zhcs_error *cerr = NULL;
    zhcs_Properties *p = zhcs_Properties_parse("{\"ID\":\"sys-1\",\"STATE\":\"Running\"}", ZHCS_NUL_TERMINATED, &cerr);
    ZT_REQUIRE(p != NULL);
    ZT_EQ_STR(p->Id, "sys-1");
    ZT_CHECK(p->has_State && p->State == ZHCS_STATE_RUNNING);
    zhcs_Properties_free(p);
}

static void hcn_flags_and_protocols_are_numbers(void)
{
    zhns_error *err = NULL;
    zhns_HostComputeNetwork *n =
        zhns_HostComputeNetwork_parse("{\"Type\":\"NAT\",\"Flags\":\"EnableNonPersistent\"}", ZHNS_NUL_TERMINATED, &err);
    ZT_REQUIRE(n != NULL);
    ZT_EQ_INT(n->Flags, ZHNS_NETWORKFLAGS_ENABLENONPERSISTENT);
    ZT_EQ_INT(n->Flags, 8);
    ZT_EQ_INT(n->Type, ZHNS_NETWORKMODE_NAT);
    char *out = zhns_HostComputeNetwork_emit(n, &err);
    ZT_EQ_STR(out, "{\"Type\":\"NAT\",\"Flags\":8}");
    zhns_string_free(out);
    zhns_HostComputeNetwork_free(n);

    n = zhns_HostComputeNetwork_parse("{\"Flags\":1032}", ZHNS_NUL_TERMINATED, &err); /* 8 | 1024 */
    ZT_REQUIRE(n != NULL);
    ZT_EQ_INT(n->Flags, ZHNS_NETWORKFLAGS_ENABLENONPERSISTENT | ZHNS_NETWORKFLAGS_DISABLEHOSTPORT);
    zhns_HostComputeNetwork_free(n);

    zhns_PortMappingPolicySetting *pm =
        zhns_PortMappingPolicySetting_parse("{\"Protocol\":\"TCP\",\"InternalPort\":80}", ZHNS_NUL_TERMINATED, &err);
    ZT_REQUIRE(pm != NULL);
    ZT_EQ_INT(pm->Protocol, ZHNS_PROTOCOLTYPE_TCP);
    out = zhns_PortMappingPolicySetting_emit(pm, &err);
    ZT_CONTAINS(out, "\"Protocol\":6");
    zhns_string_free(out);
    zhns_PortMappingPolicySetting_free(pm);

    pm = zhns_PortMappingPolicySetting_parse("{\"Protocol\":17}", ZHNS_NUL_TERMINATED, &err);
    ZT_REQUIRE(pm != NULL);
    ZT_EQ_INT(pm->Protocol, ZHNS_PROTOCOLTYPE_UDP);
    zhns_PortMappingPolicySetting_free(pm);

    ZT_CHECK(zhns_HostComputeNetwork_parse("{\"Flags\":-1}", ZHNS_NUL_TERMINATED, &err) == NULL);
    ZT_CONTAINS(zhns_error_message(err), "$.Flags: -1 is not a value of NetworkFlags");
    zhns_error_free(err);
}

static void unknown_enum_values_are_kept(void)
{
    zhcs_error *err = NULL;
    zhcs_Attachment *a = zhcs_Attachment_parse("{\"Type\":\"HolographicDisk\",\"Path\":\"C:\\\\x.vhdx\"}",
                                               ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(a != NULL);
    ZT_EQ_INT(a->Type, ZHCS_ATTACHMENTTYPE__UNKNOWN);
    ZT_EQ_STR(a->Type_unknown, "\"HolographicDisk\"");
    char *out = zhcs_Attachment_emit(a, &err);
    ZT_EQ_STR(out, "{\"Type\":\"HolographicDisk\",\"Path\":\"C:\\\\x.vhdx\"}");
    zhcs_string_free(out);
    /* setting a known value replaces the unknown one */
    a->Type = ZHCS_ATTACHMENTTYPE_ISO;
    out = zhcs_Attachment_emit(a, &err);
    ZT_CONTAINS(out, "\"Type\":\"Iso\"");
    zhcs_string_free(out);
    zhcs_Attachment_free(a);

    /* arrays of enums keep unknowns per element */
    zhcs_SystemQuery *q = zhcs_SystemQuery_parse("{\"Types\":[\"Container\",\"Quantum\"]}", ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(q != NULL);
    ZT_EQ_INT(q->Types_count, 2);
    ZT_EQ_INT(q->Types[0], ZHCS_SYSTEMTYPE_CONTAINER);
    ZT_CHECK(q->Types_unknown && q->Types_unknown[0] == NULL);
    ZT_EQ_STR(q->Types_unknown[1], "\"Quantum\"");
    out = zhcs_SystemQuery_emit(q, &err);
    ZT_EQ_STR(out, "{\"Types\":[\"Container\",\"Quantum\"]}");
    zhcs_string_free(out);
    zhcs_SystemQuery_free(q);

    /* an HCS enum is a name: a number is an error */
    ZT_CHECK(zhcs_Attachment_parse("{\"Type\":2}", ZHCS_NUL_TERMINATED, &err) == NULL);
    ZT_CONTAINS(zhcs_error_message(err), "$.Type: expected a AttachmentType name (string), got an integer");
    zhcs_error_free(err);
}

static void nulls_and_unknown_members_survive(void)
{
    const char *doc = "{\"Owner\":null,\"SchemaVersion\":{\"Major\":2,\"Minor\":1,\"Patch\":7},"
                      "\"NewTopLevel\":[1,{\"b\":null}],\"ShouldTerminateOnLastHandleClosed\":true}";
    zhcs_error *err = NULL;
    zhcs_ComputeSystem *cs = zhcs_ComputeSystem_parse(doc, ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(cs != NULL);
    ZT_CHECK(cs->Owner == NULL); /* null reads as absent ... */
    ZT_REQUIRE(cs->SchemaVersion != NULL);
    ZT_EQ_INT(cs->SchemaVersion->Major, 2);
    ZT_EQ_INT(cs->SchemaVersion->extra_count, 1);
    char *out = zhcs_ComputeSystem_emit(cs, &err);
    ZT_CHECK(json_equal(out, doc)); /* ... and is emitted again, as is everything unknown */
    zhcs_string_free(out);
    zhcs_ComputeSystem_free(cs);
}

static void expect_parse_error(const char *doc, size_t len, const char *want)
{
    zhcs_error *err = NULL;
    zhcs_ComputeSystem *cs = zhcs_ComputeSystem_parse(doc, len, &err);
    ZT_CHECK(cs == NULL);
    zhcs_ComputeSystem_free(cs);
    if (!err) {
        ZT_FAIL_("no error for %s", doc);
        return;
    }
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    ZT_CONTAINS(zhcs_error_message(err), want);
    zhcs_error_free(err);
}

static void bad_documents_name_the_path_and_reason(void)
{
    expect_parse_error("{\"VirtualMachine\":{\"Chipset\":\"uefi\"}}", ZHCS_NUL_TERMINATED,
                       "$.VirtualMachine.Chipset: expected an object (Chipset), got a string");
    expect_parse_error("{\"Container\":{\"Storage\":{\"Layers\":[{\"Id\":\"x\"},{\"Path\":7}]}}}", ZHCS_NUL_TERMINATED,
                       "$.Container.Storage.Layers[1].Path: expected a string, got an integer");
    expect_parse_error("{\"VirtualMachine\":{\"Devices\":{\"Scsi\":{\"primary\":{\"Attachments\":{\"zero\":{}}}}}}}",
                       ZHCS_NUL_TERMINATED,
                       "$.VirtualMachine.Devices.Scsi.primary.Attachments.zero: map key is not a decimal integer (uint32)");
    expect_parse_error("{\"VirtualMachine\":{\"Devices\":{\"Scsi\":{\"a b\":{\"Attachments\":{\"0\":{\"ReadOnly\":1}}}}}}}",
                       ZHCS_NUL_TERMINATED,
                       "$.VirtualMachine.Devices.Scsi[\"a b\"].Attachments[\"0\"].ReadOnly: expected a boolean, got an integer");
    expect_parse_error("[]", ZHCS_NUL_TERMINATED, "$: expected an object (ComputeSystem), got an array");
    expect_parse_error("{\"Owner\":\"x\"", ZHCS_NUL_TERMINATED, "invalid JSON at byte 12 (line 1, column 13): unexpected end of input");
    expect_parse_error("{\"Owner\":\"\xc3\x28\"}", ZHCS_NUL_TERMINATED, "invalid UTF-8 in string");
    expect_parse_error("{\"Owner\":\"a\\u0000b\"}", ZHCS_NUL_TERMINATED, "\\u0000 (NUL) is not allowed");
    expect_parse_error("{\"Owner\":\"\\ud800\"}", ZHCS_NUL_TERMINATED, "lone high surrogate");
    expect_parse_error("{\"Owner\":\"x\"} trailing", ZHCS_NUL_TERMINATED, "unexpected data after the JSON value");
    expect_parse_error("{\"Owner\":\"x\",}", ZHCS_NUL_TERMINATED, "object key (a string) expected");
    expect_parse_error("{\"HostedSystem\":NaN}", ZHCS_NUL_TERMINATED, "unexpected character");
    expect_parse_error("{\"HostedSystem\":01}", ZHCS_NUL_TERMINATED, "leading zero");
    expect_parse_error("", 0, "unexpected end of input");
    expect_parse_error("{\"Owner\":\"a\nb\"}", ZHCS_NUL_TERMINATED, "control character in string");
    expect_parse_error("{\"Owner\":\"x\"}\0{}", 16, "unexpected data after the JSON value");
}

static void nesting_is_limited(void)
{
    size_t depth = 300;
    char *doc = malloc(depth * 2 + 32);
    ZT_REQUIRE(doc != NULL);
    size_t k = (size_t)sprintf(doc, "{\"HostedSystem\":");
    for (size_t i = 0; i < depth; i++)
        doc[k++] = '[';
    for (size_t i = 0; i < depth; i++)
        doc[k++] = ']';
    doc[k++] = '}';
    doc[k] = '\0';
    expect_parse_error(doc, k, "nesting deeper than 128 levels");
    /* within the limit, deep Any values are kept */
    k = (size_t)sprintf(doc, "{\"HostedSystem\":");
    for (size_t i = 0; i < 100; i++)
        doc[k++] = '[';
    for (size_t i = 0; i < 100; i++)
        doc[k++] = ']';
    doc[k++] = '}';
    doc[k] = '\0';
    zhcs_ComputeSystem *cs = zhcs_ComputeSystem_parse(doc, k, NULL);
    ZT_CHECK(cs != NULL && cs->HostedSystem && strlen(cs->HostedSystem) == 200);
    zhcs_ComputeSystem_free(cs);
    free(doc);
}

static void huge_arrays_parse(void)
{
    size_t n = 200000;
    char *doc = malloc(n * 4 + 64);
    ZT_REQUIRE(doc != NULL);
    size_t k = (size_t)sprintf(doc, "{\"CommandArgs\":[");
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(doc + k, "%s\"a\"", i ? "," : "");
    k += (size_t)sprintf(doc + k, "]}");
    zhcs_error *err = NULL;
    zhcs_ProcessParameters *p = zhcs_ProcessParameters_parse(doc, k, &err);
    ZT_REQUIRE(p != NULL);
    ZT_EQ_INT(p->CommandArgs_count, n);
    ZT_EQ_STR(p->CommandArgs[n - 1], "a");
    zhcs_ProcessParameters_free(p);
    free(doc);
}

static void emit_rejects_what_it_cannot_write(void)
{
    zhcs_error *err = NULL;
    zhcs_ProcessParameters p = {0};
    p.CommandLine = "bad \xff byte";
    ZT_CHECK(zhcs_ProcessParameters_emit(&p, &err) == NULL);
    ZT_CONTAINS(zhcs_error_message(err), "$.CommandLine: invalid UTF-8 at byte 4");
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;

    zhcs_ComputeSystem cs = {0};
    cs.HostedSystem = "{not json";
    ZT_CHECK(zhcs_ComputeSystem_emit(&cs, &err) == NULL);
    ZT_CONTAINS(zhcs_error_message(err), "$.HostedSystem: value: invalid JSON at byte 1");
    zhcs_error_free(err);
    err = NULL;

    zhcs_Attachment a = {0};
    a.has_Type = true;
    a.Type = (zhcs_AttachmentType)42;
    ZT_CHECK(zhcs_Attachment_emit(&a, &err) == NULL);
    ZT_CONTAINS(zhcs_error_message(err), "$.Type: 42 is not a value of AttachmentType");
    zhcs_error_free(err);
    err = NULL;

    zhcs_ProcessParameters q = {0};
    q.CommandArgs_count = 3; /* but no items */
    ZT_CHECK(zhcs_ProcessParameters_emit(&q, &err) == NULL);
    ZT_CONTAINS(zhcs_error_message(err), "$.CommandArgs: count is 3 but there are no items");
    zhcs_error_free(err);
    err = NULL;

    ZT_CHECK(zhcs_ProcessParameters_emit(NULL, &err) == NULL);
    zhcs_error_free(err);
    err = NULL;
    ZT_CHECK(zhcs_ProcessParameters_parse(NULL, 0, &err) == NULL);
    zhcs_error_free(err);
    zhcs_ProcessParameters_free(NULL);
}

static void generic_roundtrip_and_type_names(void)
{
    ZT_EQ_INT(zhcs_schema_type_count(), 254);
    ZT_EQ_INT(zhns_schema_type_count(), 156);
    ZT_CHECK(zhcs_schema_type_name(254) == NULL);
    int found = 0;
    for (size_t i = 0; i < zhns_schema_type_count(); i++)
        found += strcmp(zhns_schema_type_name(i), "HostComputeEndpoint") == 0;
    ZT_EQ_INT(found, 1);
    char *out = NULL;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_schema_check("HostComputeQuery", "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Flags\":\"Detailed\"}",
                                ZHNS_NUL_TERMINATED, ZHNS_SCHEMA_STRICT, &out, &err), 0);
    ZT_EQ_STR(out, "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Flags\":1}");
    zhns_string_free(out);
    ZT_EQ_INT(zhns_schema_check("NoSuchType", "{}", 2, 0, &out, &err), -1);
    ZT_EQ_INT(zhns_error_category_of(err), ZHNS_ERROR_INVALID_ARGUMENT);
    ZT_CONTAINS(zhns_error_message(err), "NoSuchType is not a hcn schema type");
    zhns_error_free(err);
    /* an enum type checks a JSON string */
    zhcs_error *cerr = NULL;
    ZT_EQ_INT(zhcs_schema_check("ProcessSignal", "\"CtrlC\"", ZHCS_NUL_TERMINATED, 0, &out, &cerr), 0);
    ZT_EQ_STR(out, "\"CtrlC\"");
    zhcs_string_free(out);
    /* without an output it only checks */
    ZT_EQ_INT(zhcs_schema_check("ProcessSignal", "\"CtrlC\"", ZHCS_NUL_TERMINATED, 0, NULL, &cerr), 0);
}

static void strict_checks_name_the_first_unknown(void)
{
    const char *doc = "{\"VirtualMachine\":{\"ComputeTopology\":{\"Memroy\":{\"SizeInMB\":1024}},"
                      "\"Devices\":{\"Scsi\":{\"0\":{\"Attachments\":{\"0\":{\"Type\":\"Floppy\"}}}}}}}";
    zhcs_error *err = NULL;
    char *out = NULL;
    /* lenient: kept */
    ZT_EQ_INT(zhcs_schema_check("ComputeSystem", doc, ZHCS_NUL_TERMINATED, 0, &out, &err), 0);
    ZT_CHECK(out && json_equal(out, doc));
    zhcs_string_free(out);
    /* strict: the typo is found, and both unknowns counted */
    ZT_EQ_INT(zhcs_schema_check("ComputeSystem", doc, ZHCS_NUL_TERMINATED, ZHCS_SCHEMA_STRICT, &out, &err), -1);
    ZT_CHECK(out == NULL);
    ZT_REQUIRE(err != NULL);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    ZT_CONTAINS(zhcs_error_message(err), "$.VirtualMachine.ComputeTopology.Memroy: not part of the ComputeSystem schema");
    ZT_CONTAINS(zhcs_error_message(err), "(2 unknown members or values in all)");
    zhcs_error_free(err);
}

static const zt_case cases[] = {
    ZT_CASE(every_type_has_a_sample_and_round_trips),
    ZT_CASE(typed_members_of_process_parameters),
    ZT_CASE(documents_built_on_the_stack_emit),
    ZT_CASE(uint64_range_is_exact),
    ZT_CASE(signed_ranges_are_checked),
    ZT_CASE(keys_match_exactly_then_case_insensitively),
    ZT_CASE(hcn_flags_and_protocols_are_numbers),
    ZT_CASE(unknown_enum_values_are_kept),
    ZT_CASE(nulls_and_unknown_members_survive),
    ZT_CASE(bad_documents_name_the_path_and_reason),
    ZT_CASE(nesting_is_limited),
    ZT_CASE(huge_arrays_parse),
    ZT_CASE(emit_rejects_what_it_cannot_write),
    ZT_CASE(generic_roundtrip_and_type_names),
    ZT_CASE(strict_checks_name_the_first_unknown),
};
ZT_MAIN(cases)
