#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds and runs every test suite: native gcc, clang with ASan+UBSan, clang with TSan (the
# threaded suites), and the mingw-w64 Windows build under Wine. Installs what is missing
# first. Prints each configuration's ctest summary and a closing "N passed, N failed,
# N skipped" line (skipped: suites that need something this machine lacks, e.g. live Windows).
#
#   scripts/test.sh                 all configurations
#   scripts/test.sh gcc asan ...    only the named ones (gcc asan tsan mingw package)
set -u
cd "$(dirname "$0")/.."

sh scripts/deps.sh || exit 1

presets=${*:-"gcc asan tsan mingw package"}
total_pass=0
total_fail=0
total_skip=0
failed_presets=""

for p in $presets; do
    echo
    echo "=== $p: configure, build, test"
    log=build/ctest-$p.log
    mkdir -p build
    if ! cmake --preset "$p" >build/configure-$p.log 2>&1; then
        cat build/configure-$p.log
        echo "=== $p: configure FAILED"
        failed_presets="$failed_presets $p"
        total_fail=$((total_fail + 1))
        continue
    fi
    if ! cmake --build --preset "$p" >build/build-$p.log 2>&1; then
        cat build/build-$p.log
        echo "=== $p: build FAILED"
        failed_presets="$failed_presets $p"
        total_fail=$((total_fail + 1))
        continue
    fi
    # Under Wine a program now and then fails to start while the machine is loaded (no output,
    # a hundredth of a second; seen once in about ten full runs): there a failed test runs
    # once more, and a test that fails twice fails. Native runs get no second chance.
    again=""
    [ "$p" = mingw ] && again="--repeat until-pass:2"
    # shellcheck disable=SC2086
    { ctest --preset "$p" $again 2>&1; echo $? >"build/ctest-$p.rc"; } | tee "$log"
    rc=$(cat "build/ctest-$p.rc")
    # "100% tests passed, 0 tests failed out of 13"
    line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -n 1)
    if [ -n "$line" ]; then
        nfail=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
        nall=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
        # skipped tests (e.g. live-Windows suites off Windows) are listed as "(Skipped)"
        nskip=$(grep -cE "^[[:space:]]*[0-9]+ - .*\(Skipped\)" "$log")
        total_pass=$((total_pass + nall - nfail - nskip))
        total_fail=$((total_fail + nfail))
        total_skip=$((total_skip + nskip))
    else
        total_fail=$((total_fail + 1))
    fi
    if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
        failed_presets="$failed_presets $p"
    fi
done

# The simulator's HCN latitudes (docs/simulator.md): the native suites once more under a
# random ZH_SIM_SEED, which picks a set of them; the seed is printed so a failure can be
# replayed with ZH_SIM_SEED=N. Counted as one more configuration.
case " $presets " in *" gcc "*)
    seed=${ZH_SIM_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
    echo
    echo "=== gcc with ZH_SIM_SEED=$seed"
    log=build/ctest-gcc-seed.log
    if ZH_SIM_SEED=$seed ctest --preset gcc >"$log" 2>&1; then
        grep -E "tests passed" "$log" | tail -n 1
    else
        cat "$log" | tail -40
        echo "=== gcc with ZH_SIM_SEED=$seed: FAILED"
        failed_presets="$failed_presets gcc-seed-$seed"
        total_fail=$((total_fail + 1))
    fi
    ;;
esac

# The optimised build (Release -O3 finds warnings Debug does not) and a very short run of
# the benchmarks, so they cannot rot. Not counted as tests.
if [ -z "$*" ]; then
    echo
    echo "=== bench: optimised build and a smoke run of the benchmarks"
    if cmake --preset bench >build/configure-bench.log 2>&1 &&
        cmake --build --preset bench >build/build-bench.log 2>&1 &&
        ./build/bench/bench_schema tests/data 0.01 >build/bench-smoke.log 2>&1 &&
        ./build/bench/bench_zhcs 5 >>build/bench-smoke.log 2>&1 &&
        ./build/bench/bench_zhns 10 >>build/bench-smoke.log 2>&1 &&
        ./build/bench/bench_sim 200 >>build/bench-smoke.log 2>&1; then
        echo "=== bench: ok"
    else
        cat build/configure-bench.log build/build-bench.log build/bench-smoke.log 2>/dev/null | tail -40
        echo "=== bench: FAILED"
        failed_presets="$failed_presets bench"
    fi
fi

# Belt and braces: no wineserver of this tree outlives the run.
if [ -f build/mingw/wine/wine-env.sh ]; then
    (. build/mingw/wine/wine-env.sh && "$ZH_WINESERVER" -k >/dev/null 2>&1; true)
fi

echo
if [ -n "$failed_presets" ]; then
    echo "FAILED configurations:$failed_presets"
fi
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ -z "$failed_presets" ]
