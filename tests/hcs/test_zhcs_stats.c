/* SPDX-License-Identifier: MIT */
/* test_zhcs_stats.c - statistics: the seed's schema round trip and statistics fixture, the
 * rates between two samples, and samples of running, stopping and stopped systems. */
#include <math.h>

#include "hcs_test.h"

static const char *const FIXTURE =
    "{\"Timestamp\":\"2024-05-02T09:15:27.1234567Z\",\"ContainerStartTime\":\"2024-05-02T09:10:00.0000000Z\","
    "\"Uptime100ns\":3271234567,"
    "\"Processor\":{\"TotalRuntime100ns\":120000000,\"RuntimeUser100ns\":90000000,\"RuntimeKernel100ns\":30000000},"
    "\"Memory\":{\"MemoryUsageCommitBytes\":187654144,\"MemoryUsageCommitPeakBytes\":201326592,"
    "\"MemoryUsagePrivateWorkingSetBytes\":94371840},"
    "\"Storage\":{\"ReadCountNormalized\":1532,\"ReadSizeBytes\":45678592,\"WriteCountNormalized\":871,"
    "\"WriteSizeBytes\":12582912}}";

/* The seed's parse_statistics_fixture. */
static void the_statistics_fixture_parses(void)
{
    zhcs_error *err = NULL;
    zhcs_Statistics *st = zhcs_Statistics_parse(FIXTURE, ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(st != NULL);
    ZT_EQ_STR(st->Timestamp, "2024-05-02T09:15:27.1234567Z");
    ZT_CHECK(st->has_Uptime100ns && st->Uptime100ns == 3271234567u);
    ZT_REQUIRE(st->Processor && st->Memory && st->Storage);
    ZT_EQ_INT(st->Processor->TotalRuntime100ns, 120000000);
    ZT_EQ_INT(st->Memory->MemoryUsageCommitBytes, 187654144);
    ZT_EQ_INT(st->Storage->WriteSizeBytes, 12582912);
    zhcs_Statistics_free(st);
}

/* The seed's schema_round_trip: a typed document, emitted and parsed again. */
static void a_compute_system_document_round_trips(void)
{
    zhcs_ComputeSystem cs;
    zhcs_Container c;
    zhcs_Storage storage;
    memset(&cs, 0, sizeof cs);
    memset(&c, 0, sizeof c);
    memset(&storage, 0, sizeof storage);
    cs.Owner = "round-trip";
    cs.has_ShouldTerminateOnLastHandleClosed = true;
    cs.ShouldTerminateOnLastHandleClosed = true;
    storage.Path = "C:\\scratch";
    c.Storage = &storage;
    cs.Container = &c;
    zhcs_error *err = NULL;
    char *json = zhcs_ComputeSystem_emit(&cs, &err);
    ZT_REQUIRE(json != NULL);
    zhcs_ComputeSystem *back = zhcs_ComputeSystem_parse(json, ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(back != NULL);
    ZT_EQ_STR(back->Owner, "round-trip");
    ZT_CHECK(back->has_ShouldTerminateOnLastHandleClosed && back->ShouldTerminateOnLastHandleClosed);
    ZT_REQUIRE(back->Container && back->Container->Storage);
    ZT_EQ_STR(back->Container->Storage->Path, "C:\\scratch");
    char *again = zhcs_ComputeSystem_emit(back, &err);
    ZT_EQ_STR(again, json);
    zhcs_string_free(again);
    zhcs_string_free(json);
    zhcs_ComputeSystem_free(back);
}

static void rates_between_two_samples(void)
{
    zhcs_error *err = NULL;
    zhcs_Statistics *a = zhcs_Statistics_parse(FIXTURE, ZHCS_NUL_TERMINATED, &err);
    /* ten seconds later: 5 s of CPU, 10 MB read, 20 MB written, 100 + 50 operations */
    zhcs_Statistics *b = zhcs_Statistics_parse(
        "{\"Timestamp\":\"2024-05-02T09:15:37.1234567Z\",\"Uptime100ns\":3371234567,"
        "\"Processor\":{\"TotalRuntime100ns\":170000000},"
        "\"Memory\":{\"MemoryUsageCommitBytes\":200000000,\"MemoryUsageCommitPeakBytes\":210000000,"
        "\"MemoryUsagePrivateWorkingSetBytes\":100000000},"
        "\"Storage\":{\"ReadCountNormalized\":1632,\"ReadSizeBytes\":55678592,\"WriteCountNormalized\":921,"
        "\"WriteSizeBytes\":32582912}}",
        ZHCS_NUL_TERMINATED, &err);
    ZT_REQUIRE(a && b);
    zhcs_stats s;
    ZT_EQ_INT(zhcs_stats_compute(&s, a, b, 4, 2, &err), 0);
    ZT_CHECK(fabs(s.interval_s - 10.0) < 1e-9);
    ZT_EQ_INT(s.cpu_total_100ns, 50000000);
    ZT_CHECK(fabs(s.cpu_percent_host - 12.5) < 1e-9);      /* 0.5 of one CPU, of 4 */
    ZT_CHECK(fabs(s.cpu_percent_container - 25.0) < 1e-9); /* of 2 */
    ZT_CHECK(fabs(s.read_bytes_per_s - 1000000.0) < 1e-6);
    ZT_CHECK(fabs(s.write_bytes_per_s - 2000000.0) < 1e-6);
    ZT_CHECK(fabs(s.read_ops_per_s - 10.0) < 1e-9);
    ZT_CHECK(fabs(s.write_ops_per_s - 5.0) < 1e-9);
    ZT_EQ_INT(s.memory_commit_bytes, 200000000);
    ZT_EQ_INT(s.memory_working_set_bytes, 100000000);

    /* without uptimes, the timestamps (with fractions and offsets) */
    zhcs_Statistics ta, tb;
    memset(&ta, 0, sizeof ta);
    memset(&tb, 0, sizeof tb);
    ta.Timestamp = "2024-05-02T09:15:27.5Z";
    tb.Timestamp = "2024-05-02T11:15:29.5+02:00";
    ZT_EQ_INT(zhcs_stats_compute(&s, &ta, &tb, 1, 1, &err), 0);
    ZT_CHECK(fabs(s.interval_s - 2.0) < 1e-6);

    /* samples that go backwards (a restarted system) or say nothing of time */
    ZT_EQ_INT(zhcs_stats_compute(&s, b, a, 4, 2, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;
    tb.Timestamp = "yesterday";
    ZT_EQ_INT(zhcs_stats_compute(&s, &ta, &tb, 1, 1, &err), -1);
    ZT_CONTAINS(zhcs_error_message(err), "Timestamps");
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_stats_compute(&s, NULL, &tb, 1, 1, &err), -1);
    zhcs_error_free(err);
    zhcs_Statistics_free(a);
    zhcs_Statistics_free(b);
    ZT_CHECK(zhcs_host_processors() >= 1);
}

static void samples_of_running_and_stopped_systems(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "stats");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;
    zhcs_Statistics *a = NULL, *b = NULL;
    ZT_EQ_INT(zhcs_system_statistics(&a, sys, T_TIMEOUT, &err), 0);
    zh_sleep_ms(120);
    ZT_EQ_INT(zhcs_system_statistics(&b, sys, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(a && b);
    zhcs_stats s;
    ZT_EQ_INT(zhcs_stats_compute(&s, a, b, zhcs_host_processors(), 2, &err), 0);
    ZT_CHECK(s.interval_s > 0.05 && s.interval_s < 5.0);
    ZT_CHECK(s.cpu_percent_container > 0.0); /* the simulator's counters advance */
    ZT_CHECK(s.memory_commit_bytes > 0);
    zhcs_Statistics_free(a);
    zhcs_Statistics_free(b);

    /* racing a stop: HCS answers "invalid handle" - that is "not running", not a failure */
    zh_sim_fault("HcsGetComputeSystemProperties", 1, (int32_t)0x80070006);
    ZT_EQ_INT(zhcs_system_statistics(&a, sys, T_TIMEOUT, &err), ZHCS_STATS_NOT_RUNNING);
    ZT_CHECK(a == NULL);
    /* other failures are failures */
    zh_sim_fault("HcsGetComputeSystemProperties", 1, (int32_t)0x80070005);
    ZT_EQ_INT(zhcs_system_statistics(&a, sys, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_ACCESS_DENIED);
    zhcs_error_free(err);
    err = NULL;

    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    ZT_EQ_INT(zhcs_system_statistics(&a, sys, T_TIMEOUT, &err), ZHCS_STATS_NOT_RUNNING);
    zhcs_system_close(sys);
    ZT_EQ_INT(zhcs_system_statistics(&a, sys, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    zhcs_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(the_statistics_fixture_parses),
    ZT_CASE(a_compute_system_document_round_trips),
    ZT_CASE(rates_between_two_samples),
    ZT_CASE(samples_of_running_and_stopped_systems),
};
ZT_MAIN(cases)
