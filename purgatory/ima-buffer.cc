// SPDX-License-Identifier: GPL-2.0-only
#include "ima-buffer.h"

#include <styx/handoff.h>

#include "segment-report.h"

namespace styx {
namespace {

// ima_kexec_hdr: u16 version, u16 0, u32 0, u64 buffer_size (header included), u64 count.
constexpr uint64_t kHeaderSize = 24;
// u32 PCR, 20-byte template digest, u32 template name length.
constexpr uint64_t kRecordFixedSize = 4 + 20 + 4;

// A byte at a time: the buffer may sit at any address, and arm64 runs with alignment checks on.
uint64_t load(const uint8_t* p, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = (v << 8) | p[i];
#else
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
#endif
  }
  return v;
}

void fail_header(Sink& out, const uint8_t* buffer, uint64_t size, uint32_t index) {
  fail_segment(out, index, static_cast<uint32_t>(Role::kIma),
               static_cast<uint64_t>(reinterpret_cast<uintptr_t>(buffer)), size);
  format(out, "IMA header: ");
}

void fail_record(Sink& out, const uint8_t* buffer, uint64_t size, uint32_t index, uint64_t record,
                 uint64_t offset) {
  fail_segment(out, index, static_cast<uint32_t>(Role::kIma),
               static_cast<uint64_t>(reinterpret_cast<uintptr_t>(buffer)), size);
  format(out, "IMA record %llu at offset 0x%llx: ", static_cast<unsigned long long>(record),
         static_cast<unsigned long long>(offset));
}

}  // namespace

bool check_ima_buffer(const uint8_t* buffer, uint64_t segment_size, uint32_t index, Sink& out) {
  using ull = unsigned long long;
  if (segment_size < kHeaderSize) {
    fail_header(out, buffer, segment_size, index);
    format(out, "segment smaller than the 0x%llx-byte header\n", static_cast<ull>(kHeaderSize));
    return false;
  }
  const uint64_t version = load(buffer, 2);
  const uint64_t buffer_size = load(buffer + 8, 8);
  const uint64_t count = load(buffer + 16, 8);
  if (version != 1) {
    fail_header(out, buffer, segment_size, index);
    format(out, "version %llu, expected 1\n", static_cast<ull>(version));
    return false;
  }
  if (buffer_size < kHeaderSize) {
    fail_header(out, buffer, segment_size, index);
    format(out, "buffer_size 0x%llx is smaller than the 0x%llx-byte header\n",
           static_cast<ull>(buffer_size), static_cast<ull>(kHeaderSize));
    return false;
  }
  if (buffer_size > segment_size) {
    fail_header(out, buffer, segment_size, index);
    format(out, "buffer_size 0x%llx exceeds the segment\n", static_cast<ull>(buffer_size));
    return false;
  }

  // Every comparison below is against the bytes left before buffer_size, so no sum can wrap.
  uint64_t offset = kHeaderSize;
  for (uint64_t r = 0; r < count; ++r) {
    const uint8_t* record = buffer + offset;
    const uint64_t left = buffer_size - offset;
    if (left == 0) {
      fail_record(out, buffer, segment_size, index, r, offset);
      format(out, "missing: the header counts %llu records, buffer_size ends here\n",
             static_cast<ull>(count));
      return false;
    }
    if (left < kRecordFixedSize) {
      fail_record(out, buffer, segment_size, index, r, offset);
      format(out, "record header runs past buffer_size (0x%llx bytes left)\n",
             static_cast<ull>(left));
      return false;
    }
    const uint64_t name_length = load(record + 24, 4);
    if (name_length == 0) {
      fail_record(out, buffer, segment_size, index, r, offset);
      format(out, "template name length 0\n");
      return false;
    }
    if (name_length > left - kRecordFixedSize) {
      fail_record(out, buffer, segment_size, index, r, offset);
      format(out, "template name length 0x%llx runs past buffer_size (0x%llx bytes left)\n",
             static_cast<ull>(name_length), static_cast<ull>(left - kRecordFixedSize));
      return false;
    }
    if (left - kRecordFixedSize - name_length < 4) {
      fail_record(out, buffer, segment_size, index, r, offset);
      format(out, "template data length runs past buffer_size (0x%llx bytes left)\n",
             static_cast<ull>(left - kRecordFixedSize - name_length));
      return false;
    }
    const uint64_t data_at = kRecordFixedSize + name_length + 4;
    const uint64_t data_length = load(record + kRecordFixedSize + name_length, 4);
    if (data_length > left - data_at) {
      fail_record(out, buffer, segment_size, index, r, offset);
      format(out, "template data length 0x%llx runs past buffer_size (0x%llx bytes left)\n",
             static_cast<ull>(data_length), static_cast<ull>(left - data_at));
      return false;
    }
    offset += data_at + data_length;
  }
  if (offset != buffer_size) {
    fail_header(out, buffer, segment_size, index);
    format(out, "the %llu counted records end at 0x%llx, not at buffer_size 0x%llx\n",
           static_cast<ull>(count), static_cast<ull>(offset), static_cast<ull>(buffer_size));
    return false;
  }
  return true;
}

}  // namespace styx
