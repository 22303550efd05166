// SPDX-License-Identifier: GPL-2.0-only
// x86_64: the TSC rate of the running machine, for the purgatory's "verified N MiB in T ms" line.
// Most CPUs report it nowhere the purgatory can read (CPUID leaf 0x15 is Intel-only and often
// zero), so `styx load` measures it against CLOCK_MONOTONIC_RAW and hands it over.
#include "tsc-rate.h"

#include <time.h>

#include <algorithm>
#include <sstream>

#include "file-io.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace styx::host {
namespace {

#if defined(__x86_64__)
struct Sample {
  uint64_t ns;
  uint64_t tsc;
};

uint64_t monotonic_raw_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC_RAW, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(t.tv_nsec);
}

// A TSC read bracketed by two clock reads; of a few tries, the tightest bracket, so that an
// interrupt between the reads cannot skew the rate.
Sample bracketed_sample() {
  Sample best{};
  uint64_t best_gap = UINT64_MAX;
  for (int i = 0; i < 8; ++i) {
    const uint64_t before = monotonic_raw_ns();
    const uint64_t tsc = __rdtsc();
    const uint64_t after = monotonic_raw_ns();
    if (after - before < best_gap) {
      best_gap = after - before;
      best = {before + (after - before) / 2, tsc};
    }
  }
  return best;
}
#endif

}  // namespace

bool x86_64_tsc_is_steady(const LiveSystem& live) {
  const auto cpuinfo = read_file_if_present(live.path("/proc/cpuinfo").string(), 1 << 20);
  if (!cpuinfo) return false;
  std::istringstream lines(std::string(cpuinfo->begin(), cpuinfo->end()));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    // The first CPU's flags stand for all: the kernel clears these on every CPU or none.
    std::istringstream words(
        line.substr(line.find(':') == std::string::npos ? line.size() : line.find(':') + 1));
    bool constant = false, nonstop = false;
    for (std::string word; words >> word;) {
      constant |= word == "constant_tsc";
      nonstop |= word == "nonstop_tsc";
    }
    return constant && nonstop;
  }
  return false;
}

uint64_t measure_x86_64_tsc_hz(const LiveSystem& live) {
#if defined(__x86_64__)
  // A captured tree describes another machine, whose TSC is not this one's.
  if (live.path("/") != std::filesystem::path("/")) return 0;
  // A TSC that changes rate with the CPU's frequency or stops in idle states has no one rate
  // worth handing over: the line then says the rate is unknown rather than something wrong.
  if (!x86_64_tsc_is_steady(live)) return 0;
  const Sample start = bracketed_sample();
  const timespec pause{0, 20'000'000};
  ::nanosleep(&pause, nullptr);
  const Sample end = bracketed_sample();
  if (end.ns <= start.ns || end.tsc <= start.tsc) return 0;
  const long double hz = static_cast<long double>(end.tsc - start.tsc) * 1e9L /
                         static_cast<long double>(end.ns - start.ns);
  // Whole kHz: 20 ms of measurement says nothing finer.
  return static_cast<uint64_t>(hz / 1000 + 0.5L) * 1000;
#else
  (void)live;
  return 0;  // a styx built for another ISA cannot read an x86_64 TSC
#endif
}

}  // namespace styx::host
