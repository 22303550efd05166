// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's printf-style formatter, checked against the C library where they should agree.
#include "format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <string>

namespace {

class StringSink final : public styx::Sink {
 public:
  void put(char c) override { text.push_back(c); }
  std::string text;
};

template <class... Args>
std::string styx_format(const char* fmt, Args... args) {
  StringSink sink;
  styx::format(sink, fmt, args...);
  return sink.text;
}

template <class... Args>
std::string libc_format(const char* fmt, Args... args) {
  char buf[256];
  const int n = std::snprintf(buf, sizeof buf, fmt, args...);
  return std::string(buf, static_cast<size_t>(n));
}

TEST(Format, PlainTextPassesThrough) {
  EXPECT_EQ(styx_format("styx: hello\n"), "styx: hello\n");
  EXPECT_EQ(styx_format(""), "");
}

TEST(Format, StringsAndCharacters) {
  EXPECT_EQ(styx_format("[%s]", "kernel"), "[kernel]");
  EXPECT_EQ(styx_format("[%s]", ""), "[]");
  EXPECT_EQ(styx_format("[%8s]", "dtb"), "[     dtb]");
  EXPECT_EQ(styx_format("[%2s]", "initrd"), "[initrd]");
  EXPECT_EQ(styx_format("[%c%c]", 'o', 'k'), "[ok]");
}

TEST(Format, NullStringPrintsAPlaceholder) {
  EXPECT_EQ(styx_format("%s", static_cast<const char*>(nullptr)), "(null)");
}

TEST(Format, SignedDecimal) {
  EXPECT_EQ(styx_format("%d", 0), "0");
  EXPECT_EQ(styx_format("%d", 42), "42");
  EXPECT_EQ(styx_format("%d", -42), "-42");
  EXPECT_EQ(styx_format("%d", INT_MIN), "-2147483648");
  EXPECT_EQ(styx_format("%ld", -1234567890123L), "-1234567890123");
  EXPECT_EQ(styx_format("%lld", LLONG_MIN), "-9223372036854775808");
  EXPECT_EQ(styx_format("%lld", LLONG_MAX), "9223372036854775807");
}

TEST(Format, UnsignedDecimalAndHex) {
  EXPECT_EQ(styx_format("%u", 0u), "0");
  EXPECT_EQ(styx_format("%u", UINT_MAX), "4294967295");
  EXPECT_EQ(styx_format("%x", 0xdeadbeefu), "deadbeef");
  EXPECT_EQ(styx_format("%lx", 0x123456789abcdefUL), "123456789abcdef");
  EXPECT_EQ(styx_format("%llx", ~0ull), "ffffffffffffffff");
  EXPECT_EQ(styx_format("%llu", ~0ull), "18446744073709551615");
}

TEST(Format, IntVarargsAreNotReadAsLong) {
  // %u and %x consume an int-sized argument: the next argument must still line up.
  EXPECT_EQ(styx_format("%x %s", 0xffffffffu, "next"), "ffffffff next");
  EXPECT_EQ(styx_format("%d %d", -1, 7), "-1 7");
}

TEST(Format, WidthAndZeroPaddingMatchPrintf) {
  EXPECT_EQ(styx_format("%016llx", 0x1234ull), "0000000000001234");
  EXPECT_EQ(styx_format("%016llx", 0x46464f4858595453ull), "46464f4858595453");
  EXPECT_EQ(styx_format("%08x", 0xabcu), "00000abc");
  EXPECT_EQ(styx_format("%5u", 42u), "   42");
  EXPECT_EQ(styx_format("%05u", 42u), "00042");
  EXPECT_EQ(styx_format("%2x", 0x12345u), "12345");
  EXPECT_EQ(styx_format("%04d", 7), "0007");
  for (const char* fmt : {"%016llx", "%8llx", "%3llx", "%020llu", "%1llu"})
    for (unsigned long long v : {0ull, 1ull, 0xfull, 0x123456789ull, ~0ull})
      EXPECT_EQ(styx_format(fmt, v), libc_format(fmt, v)) << fmt << " " << v;
}

TEST(Format, NegativeNumberWithWidthMatchesPrintf) {
  // printf counts the sign in the field width and puts spaces before it.
  EXPECT_EQ(styx_format("[%5d]", -42), libc_format("[%5d]", -42));    // "[  -42]"
  EXPECT_EQ(styx_format("[%05d]", -42), libc_format("[%05d]", -42));  // "[-0042]"
}

TEST(Format, PercentLiteral) {
  EXPECT_EQ(styx_format("100%%"), "100%");
  EXPECT_EQ(styx_format("%%%u%%", 5u), "%5%");
}

TEST(Format, UnknownConversionPrintsQuestionMarkAndConsumesNoArgument) {
  EXPECT_EQ(styx_format("a%qb"), "a?b");
  EXPECT_EQ(styx_format("%f|%u", 3u), "?|3");
  EXPECT_EQ(styx_format("%p"), "?");
}

TEST(Format, TrailingPercentEndsTheOutput) {
  EXPECT_EQ(styx_format("abc%"), "abc");
  EXPECT_EQ(styx_format("abc%08"), "abc");
}

TEST(Format, VformatTakesAVaList) {
  struct Helper {
    static std::string run(const char* fmt, ...) {
      StringSink sink;
      va_list args;
      va_start(args, fmt);
      styx::vformat(sink, fmt, args);
      va_end(args);
      return sink.text;
    }
  };
  EXPECT_EQ(Helper::run("%s=%llx", "addr", 0x8000ull), "addr=8000");
}

TEST(Format, HexBytesAreLowercaseAndInOrder) {
  const uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
  StringSink sink;
  styx::format_hex_bytes(sink, bytes, sizeof bytes);
  EXPECT_EQ(sink.text, "00017f80abcdefff");

  StringSink empty;
  styx::format_hex_bytes(empty, bytes, 0);
  EXPECT_EQ(empty.text, "");
}

}  // namespace
