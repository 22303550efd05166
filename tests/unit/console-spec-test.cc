// SPDX-License-Identifier: GPL-2.0-only
// Console descriptors in earlycon= syntax, and the command line's number parser.
#include "console-spec.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>

#include "error.h"
#include "parse.h"

namespace {

using styx::ConsoleKind;
using styx::host::parse_console;
using styx::host::parse_number;

struct ConsoleCase {
  const char* spec;
  ConsoleKind kind;
  uint64_t base;
  const char* canonical;
};

class ParseConsole : public ::testing::TestWithParam<ConsoleCase> {};

TEST_P(ParseConsole, ReadsKindAndBase) {
  const auto& c = GetParam();
  const styx::Console console = parse_console(c.spec);
  EXPECT_EQ(console.kind, static_cast<uint32_t>(c.kind));
  EXPECT_EQ(console.base, c.base);
  EXPECT_EQ(console.reserved, 0u);
}

TEST_P(ParseConsole, FormatsCanonicallyAndRoundTrips) {
  const auto& c = GetParam();
  const styx::Console console = parse_console(c.spec);
  const std::string text = styx::host::format_console(console);
  EXPECT_EQ(text, c.canonical);
  const styx::Console again = parse_console(text);
  EXPECT_EQ(again.kind, console.kind);
  EXPECT_EQ(again.base, console.base);
}

INSTANTIATE_TEST_SUITE_P(
    Specs, ParseConsole,
    ::testing::Values(
        ConsoleCase{"uart8250,io,0x3f8", ConsoleKind::kUart8250Io, 0x3f8, "uart8250,io,0x3f8"},
        ConsoleCase{"uart,io,0x2f8", ConsoleKind::kUart8250Io, 0x2f8, "uart8250,io,0x2f8"},
        ConsoleCase{"uart8250,io,0xfff8", ConsoleKind::kUart8250Io, 0xfff8, "uart8250,io,0xfff8"},
        ConsoleCase{"uart8250,mmio,0x1000", ConsoleKind::kUart8250Mmio, 0x1000,
                    "uart8250,mmio,0x1000"},
        ConsoleCase{"uart8250,mmio32,0xfe000000", ConsoleKind::kUart8250Mmio32, 0xfe000000,
                    "uart8250,mmio32,0xfe000000"},
        ConsoleCase{"uart8250,io,1016,115200n8", ConsoleKind::kUart8250Io, 0x3f8,
                    "uart8250,io,0x3f8"},
        ConsoleCase{"pl011,0x9000000", ConsoleKind::kPl011, 0x9000000, "pl011,0x9000000"},
        ConsoleCase{"pl011,mmio32,0x9000000", ConsoleKind::kPl011, 0x9000000, "pl011,0x9000000"},
        ConsoleCase{"pl011,0x9000000,115200n8", ConsoleKind::kPl011, 0x9000000, "pl011,0x9000000"},
        ConsoleCase{"sbi", ConsoleKind::kSbi, 0, "sbi"},
        ConsoleCase{"hvterm", ConsoleKind::kHvterm, 0, "hvterm,0"},
        ConsoleCase{"hvterm,0x30000000", ConsoleKind::kHvterm, 0x30000000, "hvterm,805306368"},
        ConsoleCase{"sclp", ConsoleKind::kSclp, 0, "sclp"},
        ConsoleCase{"none", ConsoleKind::kNone, 0, "none"}),
    [](const auto& info) {
      std::string name;
      for (const char* p = info.param.spec; *p; ++p)
        name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
      return name;
    });

class RejectConsole : public ::testing::TestWithParam<const char*> {};

TEST_P(RejectConsole, ThrowsInputErrorQuotingTheSpec) {
  const std::string spec = GetParam();
  try {
    parse_console(spec);
    FAIL() << "accepted '" << spec << "'";
  } catch (const styx::host::InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("console '" + spec + "': ", 0), 0u) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, RejectConsole,
                         ::testing::Values("", "pl011", "pl011,mmio32", "pl011,mmio,0x9000000",
                                           "uart8250,io", "uart8250", "uart8250,foo,0x3f8",
                                           "serial,0x3f8", "pl011,zz", "uart8250,io,0xfff9",
                                           "uart8250,io,0x10000", "none,0x3f8", "NONE", "SBI",
                                           "uart8250,io,", "hvterm,", "hvterm,x",
                                           "hvterm,0x100000000", "hvterm,0,1", "sclp,0", "SCLP"));

TEST(ConsoleSpec, ErrorsSayWhatIsWrong) {
  const auto error = [](const char* spec) -> std::string {
    try {
      parse_console(spec);
    } catch (const styx::host::InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error("serial,0x3f8").find("unknown driver 'serial'"), std::string::npos);
  EXPECT_NE(error("uart8250,foo,0x3f8").find("unknown access type 'foo'"), std::string::npos);
  EXPECT_NE(error("pl011,zz").find("bad address 'zz'"), std::string::npos);
  EXPECT_NE(error("uart8250,io,0xfff9").find("I/O port out of range"), std::string::npos);
  EXPECT_NE(error("pl011").find("needs an address"), std::string::npos);
}

TEST(ConsoleSpec, KindNames) {
  EXPECT_EQ(styx::host::console_kind_name(ConsoleKind::kNone), "none");
  EXPECT_EQ(styx::host::console_kind_name(ConsoleKind::kUart8250Io), "uart8250,io");
  EXPECT_EQ(styx::host::console_kind_name(ConsoleKind::kUart8250Mmio), "uart8250,mmio");
  EXPECT_EQ(styx::host::console_kind_name(ConsoleKind::kUart8250Mmio32), "uart8250,mmio32");
  EXPECT_EQ(styx::host::console_kind_name(ConsoleKind::kPl011), "pl011");
  EXPECT_EQ(styx::host::console_kind_name(static_cast<ConsoleKind>(99)), "unknown");
}

TEST(ParseNumber, DecimalAndHex) {
  EXPECT_EQ(parse_number("0"), 0u);
  EXPECT_EQ(parse_number("1016"), 1016u);
  EXPECT_EQ(parse_number("0x3f8"), 0x3f8u);
  EXPECT_EQ(parse_number("0X3F8"), 0x3f8u);
  EXPECT_EQ(parse_number("0xDeadBeef"), 0xdeadbeefu);
  EXPECT_EQ(parse_number("007"), 7u);
}

TEST(ParseNumber, BinarySuffixes) {
  EXPECT_EQ(parse_number("4K"), 4096u);
  EXPECT_EQ(parse_number("4k"), 4096u);
  EXPECT_EQ(parse_number("64M"), 64u << 20);
  EXPECT_EQ(parse_number("2m"), 2u << 20);
  EXPECT_EQ(parse_number("3G"), 3ull << 30);
  EXPECT_EQ(parse_number("1g"), 1ull << 30);
  EXPECT_EQ(parse_number("0x10M"), 16u << 20);
  EXPECT_EQ(parse_number("0K"), 0u);
}

TEST(ParseNumber, LimitsAndOverflow) {
  EXPECT_EQ(parse_number("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_number("0xffffffffffffffff"), UINT64_MAX);
  EXPECT_EQ(parse_number("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_number("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_number("0x10000000000000000"), std::nullopt);
  EXPECT_EQ(parse_number("17179869183G"), 17179869183ull << 30);
  EXPECT_EQ(parse_number("17179869184G"), std::nullopt);  // exactly 2^64
  EXPECT_EQ(parse_number("0x40000000000000M"), std::nullopt);
  EXPECT_EQ(parse_number("0x3fffffffffffffK"), 0x3fffffffffffffull << 10);
}

TEST(ParseNumber, GarbageIsRejected) {
  for (const char* text : {"", "0x", "K", "0xK", "-1", "+1", " 1", "1 ", "12a", "1.5M", "0b101",
                           "1KK", "0x1z", "0xx1", "ten", "4KB"})
    EXPECT_EQ(parse_number(text), std::nullopt) << "'" << text << "'";
}

TEST(ParseNumber, HexFormatting) {
  EXPECT_EQ(styx::host::hex(0), "0x0");
  EXPECT_EQ(styx::host::hex(0x3f8), "0x3f8");
  EXPECT_EQ(styx::host::hex(UINT64_MAX), "0xffffffffffffffff");
}

}  // namespace
