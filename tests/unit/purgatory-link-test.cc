// SPDX-License-Identifier: GPL-2.0-only
// Loading, checking and relocating the embedded purgatories, and the ISAs' post-link code checks.
#include "purgatory.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <styx/handoff.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch-info.h"
#include "bytes.h"
#include "code-check.h"
#include "elf-file.h"
#include "embedded-purgatory.h"
#include "error.h"
#include "handoff-codec.h"
#include "handoff-seal.h"
#include "parse.h"

namespace {

using styx::host::ArchInfo;
using styx::host::ElfFile;
using styx::host::InputError;

const ArchInfo& arch(std::string_view name) {
  const ArchInfo* a = styx::host::find_arch(name);
  if (!a) throw std::runtime_error("no arch " + std::string(name));
  return *a;
}

std::vector<uint8_t> purgatory_bytes(std::string_view name) {
  const auto blob = styx::host::embedded_purgatory(name);
  return {blob.begin(), blob.end()};
}

uint64_t le64(std::span<const uint8_t> bytes, size_t offset) {
  return styx::host::ByteReader(bytes, false, "test").u64(offset);
}

const styx::host::ElfSection& section(const ElfFile& elf, std::string_view name) {
  const auto* s = elf.find_section(name);
  if (!s) throw std::runtime_error("no section " + std::string(name));
  return *s;
}

// File offset of the section header of `name`.
size_t section_header(const std::vector<uint8_t>& bytes, std::string_view name) {
  const ElfFile elf(bytes, "probe");
  const auto& all = elf.sections();
  const auto index = &section(elf, name) - all.data();
  return le64(bytes, 40) + static_cast<size_t>(index) * 64;
}

std::string load_error(const std::vector<uint8_t>& bytes, const ArchInfo& a) {
  try {
    styx::host::load_purgatory(bytes, a, "bad-purgatory");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Both load_purgatory() and check_purgatory() refuse `bytes`, naming the input and `detail`.
void expect_refused(const std::vector<uint8_t>& bytes, const ArchInfo& a,
                    const std::string& detail) {
  const std::string error = load_error(bytes, a);
  EXPECT_EQ(error.rfind("bad-purgatory: ", 0), 0u) << "load_purgatory: '" << error << "'";
  EXPECT_NE(error.find(detail), std::string::npos) << error;
  const auto problems =
      styx::host::check_purgatory(bytes, a, "bad-purgatory", styx::host::find_code_check(a.name));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find(detail), std::string::npos) << problems[0];
}

styx::Handoff sample_handoff() {
  styx::Handoff h{};
  h.magic = styx::kHandoffMagic;
  h.version = styx::kHandoffVersion;
  h.size = sizeof(styx::Handoff);
  h.segment_count = 1;
  h.entry = 0x40080000;
  h.boot_args[0] = 0x44000000;
  h.segments[0] = {0x40080000, 0x1234, 1, 0, {}};
  for (uint32_t i = 0; i < styx::kDigestSize; ++i)
    h.segments[0].sha256[i] = static_cast<uint8_t>(i);
  return h;
}

class PurgatoryLink : public ::testing::TestWithParam<const char*> {
 protected:
  const ArchInfo& arch_ = arch(GetParam());
  const std::vector<uint8_t> elf_bytes_ = purgatory_bytes(GetParam());
};

TEST_P(PurgatoryLink, LoadsWithOnlyRelativeRelocations) {
  const auto p = styx::host::load_purgatory(elf_bytes_, arch_, "purgatory");
  const ElfFile elf(elf_bytes_, "purgatory");
  const auto& handoff = section(elf, STYX_HANDOFF_SECTION);
  EXPECT_EQ(handoff.size, sizeof(styx::Handoff));
  EXPECT_EQ(p.handoff_offset, handoff.addr);
  EXPECT_EQ(p.entry, elf.entry());
  EXPECT_LT(p.entry, p.bytes.size());

  const auto load = std::find_if(elf.segments().begin(), elf.segments().end(),
                                 [](const auto& s) { return s.type == PT_LOAD; });
  ASSERT_NE(load, elf.segments().end());
  EXPECT_EQ(p.bytes.size(), load->filesz);
  EXPECT_EQ(p.memsz, load->memsz);
  EXPECT_GT(p.memsz, p.bytes.size());  // .bss and stack

  uint64_t align = 1;
  for (const auto& s : elf.sections())
    if (s.flags & SHF_ALLOC) align = std::max(align, s.addralign);
  EXPECT_EQ(p.align, align);
  EXPECT_GE(p.align, 16u);

  const auto relocs = elf.relocations(section(elf, ".rela.dyn"));
  ASSERT_FALSE(relocs.empty());
  ASSERT_EQ(p.relocations.size(), relocs.size());
  ASSERT_EQ(p.addends.size(), relocs.size());
  for (size_t i = 0; i < relocs.size(); ++i) {
    EXPECT_EQ(relocs[i].type, arch_.relative_reloc);
    EXPECT_EQ(p.relocations[i], relocs[i].offset);
    EXPECT_EQ(p.addends[i], relocs[i].addend);
    EXPECT_LE(p.relocations[i] + 8, p.bytes.size());
  }
}

TEST_P(PurgatoryLink, RelocatesEverySlotAndStoresTheHandoffBlock) {
  const auto p = styx::host::load_purgatory(elf_bytes_, arch_, "purgatory");
  const styx::Handoff h = sample_handoff();
  const auto block = styx::host::encode_handoff(h, arch_.big_endian);
  // One page-aligned base, one that is only a multiple of the purgatory's own alignment.
  for (const uint64_t base : {uint64_t{0x47f00000}, uint64_t{0x47f00000} + p.align}) {
    SCOPED_TRACE("base " + std::to_string(base));
    ASSERT_NE(base % 4096 == 0, base == 0x47f00000 + p.align);
    const auto out = styx::host::link_purgatory(p, arch_, base, h);
    ASSERT_EQ(out.size(), p.bytes.size());
    std::vector<bool> touched(out.size());
    for (size_t i = 0; i < p.relocations.size(); ++i) {
      const styx::host::ByteReader r(out, arch_.big_endian, "linked");
      EXPECT_EQ(r.u64(p.relocations[i]), base + static_cast<uint64_t>(p.addends[i]))
          << "slot at " << p.relocations[i];
      std::fill_n(touched.begin() + static_cast<ptrdiff_t>(p.relocations[i]), 8, true);
    }
    // The block as encoded up to the seal, which the link adds and which holds.
    const size_t seal = offsetof(styx::Handoff, purgatory_sha256);
    EXPECT_TRUE(std::equal(block.begin(), block.begin() + static_cast<ptrdiff_t>(seal),
                           out.begin() + static_cast<ptrdiff_t>(p.handoff_offset)));
    const styx::host::SealStatus status = styx::host::check_seal(out, p.handoff_offset);
    EXPECT_TRUE(status.handoff_ok());
    EXPECT_TRUE(status.purgatory_ok());
    std::fill_n(touched.begin() + static_cast<ptrdiff_t>(p.handoff_offset), block.size(), true);
    for (size_t i = 0; i < out.size(); ++i) {
      if (!touched[i]) {
        ASSERT_EQ(out[i], p.bytes[i]) << "byte " << i << " changed";
      }
    }
  }
}

TEST_P(PurgatoryLink, RefusesAMisalignedBase) {
  const auto p = styx::host::load_purgatory(elf_bytes_, arch_, "purgatory");
  EXPECT_THROW(styx::host::link_purgatory(p, arch_, 0x47f00000 + p.align / 2, sample_handoff()),
               InputError);
  EXPECT_THROW(styx::host::link_purgatory(p, arch_, 0x47f00001, sample_handoff()), InputError);
}

TEST_P(PurgatoryLink, EmbeddedPurgatoryPassesThePostLinkCheck) {
  const auto problems = styx::host::check_purgatory(elf_bytes_, arch_, "purgatory",
                                                    styx::host::find_code_check(arch_.name));
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST_P(PurgatoryLink, RefusesAnotherRelocationType) {
  auto bytes = elf_bytes_;
  const size_t sh = section_header(bytes, ".rela.dyn");
  const uint64_t rela = le64(bytes, sh + 24);
  const uint64_t slot = le64(bytes, rela);
  styx::host::put_uint(bytes, rela + 8, 1, 4, false);  // r_info type of the first entry
  expect_refused(bytes, arch_, "relocation type 1 at " + styx::host::hex(slot));
}

TEST_P(PurgatoryLink, RefusesARelocationAtTheTopOfTheAddressSpace) {
  // offset + 8 wraps around to a small number: the slot is still far outside the image.
  auto bytes = elf_bytes_;
  const size_t sh = section_header(bytes, ".rela.dyn");
  styx::host::put_uint(bytes, le64(bytes, sh + 24), 0xfffffffffffffffcull, 8, false);  // r_offset
  expect_refused(bytes, arch_, "relocation at 0xfffffffffffffffc outside the image");
}

TEST_P(PurgatoryLink, RefusesAHandoffBlockOutsideTheImage) {
  auto bytes = elf_bytes_;
  const size_t sh = section_header(bytes, STYX_HANDOFF_SECTION);
  const uint64_t filesz = styx::host::load_purgatory(elf_bytes_, arch_, "probe").bytes.size();
  for (const uint64_t addr :
       {filesz - 8, uint64_t{~0ull - 15}}) {  // past the end; wrapping past the end
    SCOPED_TRACE("sh_addr " + std::to_string(addr));
    styx::host::put_uint(bytes, sh + 16, addr, 8, false);  // sh_addr
    expect_refused(bytes, arch_, "hand-off block outside the image");
  }
}

TEST_P(PurgatoryLink, RefusesAHandoffSectionOfAnotherSize) {
  auto bytes = elf_bytes_;
  const size_t sh = section_header(bytes, STYX_HANDOFF_SECTION);
  styx::host::put_uint(bytes, sh + 32, sizeof(styx::Handoff) - 56, 8, false);  // sh_size
  expect_refused(bytes, arch_,
                 "hand-off block is " + std::to_string(sizeof(styx::Handoff) - 56) + " bytes");
}

TEST_P(PurgatoryLink, RefusesAHandoffBlockOfAnotherVersion) {
  auto bytes = elf_bytes_;
  const size_t sh = section_header(bytes, STYX_HANDOFF_SECTION);
  const uint64_t block = le64(bytes, sh + 24);
  styx::host::put_uint(bytes, block + offsetof(styx::Handoff, version), 7, 4, false);
  expect_refused(bytes, arch_, "hand-off block version 7");
}

TEST_P(PurgatoryLink, RefusesAPurgatoryOfAnotherArch) {
  const char* other = std::string_view(GetParam()) == "x86_64" ? "arm64" : "x86_64";
  expect_refused(purgatory_bytes(other), arch_,
                 "built for e_machine " + std::to_string(arch(other).elf_machine) + ", not " +
                     std::string(arch_.name));
}

TEST_P(PurgatoryLink, RefusesANonPieExecutable) {
  auto bytes = elf_bytes_;
  styx::host::put_uint(bytes, 16, ET_EXEC, 2, false);
  expect_refused(bytes, arch_, "not a static PIE");
}

TEST_P(PurgatoryLink, RefusesASecondLoadSegment) {
  auto bytes = elf_bytes_;
  const ElfFile elf(bytes, "probe");
  const auto& phdrs = elf.segments();
  const auto dynamic =
      std::find_if(phdrs.begin(), phdrs.end(), [](const auto& s) { return s.type == PT_DYNAMIC; });
  ASSERT_NE(dynamic, phdrs.end());
  const size_t ph = le64(bytes, 32) + static_cast<size_t>(dynamic - phdrs.begin()) * 56;
  styx::host::put_uint(bytes, ph, PT_LOAD, 4, false);
  expect_refused(bytes, arch_, "more than one PT_LOAD segment");
}

TEST_P(PurgatoryLink, CheckFlagsAPurgatoryOverTheSizeLimit) {
  auto bytes = elf_bytes_;
  const ElfFile elf(bytes, "probe");
  const auto& phdrs = elf.segments();
  const auto load =
      std::find_if(phdrs.begin(), phdrs.end(), [](const auto& s) { return s.type == PT_LOAD; });
  const size_t ph = le64(bytes, 32) + static_cast<size_t>(load - phdrs.begin()) * 56;
  styx::host::put_uint(bytes, ph + 40, 2 << 20, 8, false);  // p_memsz
  EXPECT_EQ(load_error(bytes, arch_), "");  // loadable, but too big to pass the check
  const auto problems =
      styx::host::check_purgatory(bytes, arch_, "big", styx::host::find_code_check(arch_.name));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "big: 2097152 bytes in memory, the limit is 1048576");
}

TEST_P(PurgatoryLink, CheckFlagsForbiddenCodeInTheLinkedText) {
  auto bytes = elf_bytes_;
  const size_t sh = section_header(bytes, ".text");
  const uint64_t text = le64(bytes, sh + 24);
  const std::vector<uint8_t> fp = arch_.name == "x86_64"
                                      ? std::vector<uint8_t>{0x66, 0x0f, 0xef, 0xc0}   // pxor
                                      : std::vector<uint8_t>{0xe0, 0x03, 0x67, 0x9e};  // fmov
  std::copy(fp.begin(), fp.end(), bytes.begin() + static_cast<ptrdiff_t>(text));
  EXPECT_EQ(load_error(bytes, arch_), "");
  const auto problems =
      styx::host::check_purgatory(bytes, arch_, "fp", styx::host::find_code_check(arch_.name));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("fp: .text: ", 0), 0u) << problems[0];
}

INSTANTIATE_TEST_SUITE_P(AllArches, PurgatoryLink, ::testing::Values("x86_64", "arm64"));

std::string check_code(std::string_view arch_name, const std::vector<uint8_t>& code,
                       uint64_t addr = 0x1000) {
  return styx::host::find_code_check(arch_name)(code, addr);
}

std::vector<uint8_t> arm64_words(std::initializer_list<uint32_t> words) {
  std::vector<uint8_t> out;
  for (uint32_t w : words) styx::host::append_uint(out, w, 4, false);
  return out;
}

TEST(X86_64CodeCheck, AcceptsIntegerCode) {
  // xor rax, rax; mov rcx, [rdi+8]; rep stosb; ud2; ret
  EXPECT_EQ(check_code("x86_64",
                       {0x48, 0x31, 0xc0, 0x48, 0x8b, 0x4f, 0x08, 0xf3, 0xaa, 0x0f, 0x0b, 0xc3}),
            "");
  EXPECT_EQ(check_code("x86_64", {}), "");
}

TEST(X86_64CodeCheck, FlagsSse) {
  const std::string problem =
      check_code("x86_64", {0x48, 0x31, 0xc0, 0x66, 0x0f, 0xef, 0xc0, 0xc3});
  EXPECT_NE(problem.find("'pxor' at 0x1003"), std::string::npos) << problem;
}

TEST(X86_64CodeCheck, FlagsX87) {
  const std::string problem = check_code("x86_64", {0xd9, 0xe8});
  EXPECT_NE(problem.find("'fld1' at 0x1000"), std::string::npos) << problem;
}

TEST(X86_64CodeCheck, FlagsMmxAndAvx) {
  EXPECT_NE(check_code("x86_64", {0x0f, 0xef, 0xc0}), "");        // pxor mm0, mm0
  EXPECT_NE(check_code("x86_64", {0xc5, 0xf8, 0x57, 0xc0}), "");  // vxorps xmm0, xmm0, xmm0
}

TEST(X86_64CodeCheck, FlagsUndecodableBytes) {
  const std::string problem = check_code("x86_64", {0x90, 0x06});  // nop; push es (invalid)
  EXPECT_EQ(problem, "undecodable bytes at 0x1001");
}

TEST(Arm64CodeCheck, AcceptsIntegerCode) {
  // adr x0, .; str x0, [sp]; add x0, x0, #1; ret
  EXPECT_EQ(check_code("arm64", arm64_words({0x10000000, 0xf90003e0, 0x91000400, 0xd65f03c0})), "");
}

TEST(Arm64CodeCheck, FlagsAdrp) {
  const std::string problem = check_code("arm64", arm64_words({0xd503201f, 0x90000000}));
  EXPECT_EQ(problem.rfind("ADRP at 0x1004", 0), 0u) << problem;
}

TEST(Arm64CodeCheck, FlagsFpAndSimd) {
  EXPECT_EQ(check_code("arm64", arm64_words({0x9e6703e0})),  // fmov d0, xzr
            "FP/SIMD instruction 0x9e6703e0 at 0x1000");
  EXPECT_EQ(check_code("arm64", arm64_words({0xd65f03c0, 0x3dc00000})),  // ldr q0, [x0]
            "FP/SIMD instruction 0x3dc00000 at 0x1004");
}

TEST(Ppc64leCodeCheck, AcceptsIntegerCode) {
  ASSERT_NE(styx::host::find_arch("ppc64le"), nullptr);
  // addi r3,r3,1; ld r4,8(r3); std r4,0(r1); stbcix r0,0,r0; blr
  EXPECT_EQ(check_code("ppc64le",
                       arm64_words({0x38630001, 0xe8830008, 0xf8810000, 0x7c0007aa, 0x4e800020})),
            "");
}

TEST(Ppc64leCodeCheck, FlagsFpVmxAndVsx) {
  ASSERT_NE(styx::host::find_arch("ppc64le"), nullptr);
  EXPECT_EQ(check_code("ppc64le", arm64_words({0x60000000, 0xc8030000})),  // nop; lfd f0,0(r3)
            "FP/VMX/VSX instruction 0xc8030000 at 0x1004");
  EXPECT_NE(check_code("ppc64le", arm64_words({0xfc00002a})), "");  // fadd f0,f0,f0
  EXPECT_NE(check_code("ppc64le", arm64_words({0x7c0018ce})), "");  // lvx v0,0,r3
  EXPECT_NE(check_code("ppc64le", arm64_words({0xf0000490})), "");  // xxlor vs0,vs0,vs0
  EXPECT_NE(check_code("ppc64le", arm64_words({0x10000000})), "");  // vaddubm v0,v0,v0
}

}  // namespace

// The hardware SHA-256 routines (and s390x's KIMD query) are the FP/SIMD code of their purgatories:
// the ISA's code check refuses that section's bytes, yet the post-link check passes because that
// section, and only that one, is exempt.
class HardwareRoutines : public ::testing::TestWithParam<const char*> {};

TEST_P(HardwareRoutines, AreTheOnlyCodeExemptFromTheFpSimdCheck) {
  const ArchInfo& a = arch(GetParam());
  const auto bytes = purgatory_bytes(a.name);
  const ElfFile elf(bytes, "purgatory");
  const auto& simd = section(elf, styx::host::kSimdSection);
  EXPECT_NE(
      check_code(a.name,
                 std::vector<uint8_t>(elf.section_data(simd).begin(), elf.section_data(simd).end()),
                 simd.addr),
      "");
  EXPECT_EQ(check_code(a.name, std::vector<uint8_t>(elf.section_data(section(elf, ".text")).begin(),
                                                    elf.section_data(section(elf, ".text")).end())),
            "");
  EXPECT_TRUE(
      styx::host::check_purgatory(bytes, a, "purgatory", styx::host::find_code_check(a.name))
          .empty());
}

INSTANTIATE_TEST_SUITE_P(WithSha256Instructions, HardwareRoutines,
                         ::testing::Values("arm64", "ppc64le", "s390x", "x86_64"));
