// SPDX-License-Identifier: GPL-2.0-only
#include "ima.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "bytes.h"
#include "digest.h"
#include "error.h"
#include "image-limits.h"

namespace styx::host {
namespace {

constexpr uint32_t kPcrCount = 24;
// The kernel caps event names at IMA_EVENT_NAME_LEN_MAX; no template name comes near it either.
constexpr uint32_t kMaxNameLength = 255;
// The restoring kernel copies a template name into a buffer of sizeof
// "d-ng|n-ng|sig|buf|d-modisg|modsig" and refuses any name that does not fit with its NUL.
constexpr size_t kMaxRestorableNameLength = 33;
constexpr size_t kLegacyDigestSize = 20;
// u32 PCR, template digest, u32 template name length.
constexpr size_t kRecordFixedSize = 4 + 20 + 4;

struct HashAlgo {
  std::string_view name;
  size_t digest_size;
};

// The kernel's hash_algo_name[] and hash_digest_size[]; "sm3-256" is what kernels before 5.11
// called sm3.
constexpr HashAlgo kHashAlgos[] = {
    {"md4", 16},         {"md5", 16},      {"sha1", 20},     {"rmd160", 20},   {"sha256", 32},
    {"sha384", 48},      {"sha512", 64},   {"sha224", 28},   {"rmd128", 16},   {"rmd256", 32},
    {"rmd320", 40},      {"wp256", 32},    {"wp384", 48},    {"wp512", 64},    {"tgr128", 16},
    {"tgr160", 20},      {"tgr192", 24},   {"sm3", 32},      {"sm3-256", 32},  {"streebog256", 32},
    {"streebog512", 64}, {"sha3-256", 32}, {"sha3-384", 48}, {"sha3-512", 64},
};

// How the kernel shows a field in the ASCII list.
enum class FieldKind {
  kDigestWithAlgo,  // "<algo>:\0" + digest, shown as "<algo>:<hex>"
  kString,          // NUL-terminated, shown up to the NUL
  kHex,
};

struct FieldSpec {
  std::string_view id;
  FieldKind kind;
  bool may_be_empty;
};

constexpr FieldSpec kFieldSpecs[] = {
    {"d-ng", FieldKind::kDigestWithAlgo, false},
    {"n-ng", FieldKind::kString, false},
    {"sig", FieldKind::kHex, true},
    {"buf", FieldKind::kHex, true},
    {"d-modsig", FieldKind::kDigestWithAlgo, true},
    {"modsig", FieldKind::kHex, true},
    {"d", FieldKind::kHex, false},
    {"n", FieldKind::kString, false},
};

struct BuiltinTemplate {
  std::string_view name;
  std::string_view format;
};

constexpr BuiltinTemplate kBuiltinTemplates[] = {
    {"ima-ng", "d-ng|n-ng"},
    {"ima-sig", "d-ng|n-ng|sig"},
    {"ima-buf", "d-ng|n-ng|buf"},
    {"ima-modsig", "d-ng|n-ng|sig|d-modsig|modsig"},
};

bool is_legacy(std::string_view template_name) {
  return template_name == "ima";
}

// The fields of a template, by builtin name or (as the kernel also accepts) by a format string
// such as "d-ng|n-ng"; empty when the template is unknown here.
std::vector<const FieldSpec*> template_fields(std::string_view name) {
  std::string_view format = name;
  for (const auto& t : kBuiltinTemplates)
    if (t.name == name) format = t.format;
  std::vector<const FieldSpec*> fields;
  while (true) {
    const size_t bar = format.find('|');
    const std::string_view id = format.substr(0, bar);
    const auto* spec = std::find_if(std::begin(kFieldSpecs), std::end(kFieldSpecs),
                                    [&](const FieldSpec& f) { return f.id == id; });
    if (spec == std::end(kFieldSpecs)) return {};
    fields.push_back(spec);
    if (bar == std::string_view::npos) return fields;
    format.remove_prefix(bar + 1);
  }
}

const HashAlgo* find_hash_algo(std::string_view name) {
  for (const auto& a : kHashAlgos)
    if (a.name == name) return &a;
  return nullptr;
}

uint32_t load_u32(std::span<const uint8_t> bytes, size_t offset, bool big_endian) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | bytes[offset + (big_endian ? i : 3 - i)];
  return v;
}

uint64_t load_uint(std::span<const uint8_t> bytes, size_t offset, size_t width, bool big_endian) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i)
    v = (v << 8) | bytes[offset + (big_endian ? i : width - 1 - i)];
  return v;
}

// A field of framed template data: where its bytes start inside the data, and how many.
struct Field {
  size_t offset;
  size_t size;
};

// Splits template data into [u32 length][bytes] fields, `limit` at most. Returns the fields; sets
// `problem` (and returns what was read) when a length is truncated or runs past the data.
std::vector<Field> split_fields(std::span<const uint8_t> data, bool big_endian, size_t limit,
                                std::string& problem) {
  std::vector<Field> fields;
  size_t pos = 0;
  while (pos < data.size() && fields.size() < limit) {
    const size_t i = fields.size();
    if (data.size() - pos < 4) {
      problem = fmt::format("template data: field {} has a truncated length ({} of 4 bytes)", i,
                            data.size() - pos);
      return fields;
    }
    const uint32_t len = load_u32(data, pos, big_endian);
    if (len > data.size() - pos - 4) {
      problem = fmt::format("template data: field {} of {} bytes runs past the data end ({} left)",
                            i, len, data.size() - pos - 4);
      return fields;
    }
    fields.push_back({pos + 4, len});
    pos += 4 + len;
  }
  return fields;
}

size_t fields_end(const std::vector<Field>& fields) {
  return fields.empty() ? 0 : fields.back().offset + fields.back().size;
}

// Copies `data` with every field length stored in `to_big` byte order.
std::vector<uint8_t> reorder_lengths(std::span<const uint8_t> data,
                                     const std::vector<Field>& fields, bool to_big) {
  std::vector<uint8_t> out(data.begin(), data.end());
  for (const auto& f : fields) put_uint(out, f.offset - 4, f.size, 4, to_big);
  return out;
}

// Checks a "<algo>:\0" + digest field; returns the problem or "".
std::string check_digest_with_algo(std::span<const uint8_t> field, bool violation) {
  const auto colon = std::find(field.begin(), field.end(), uint8_t{':'});
  if (colon == field.begin() || colon == field.end() || colon + 1 == field.end() || colon[1] != 0)
    return "has no \"<algo>:\\0\" prefix";
  const std::string algo(field.begin(), colon);
  const HashAlgo* known = find_hash_algo(algo);
  if (!known) return fmt::format("has an unknown hash algorithm \"{}\"", algo);
  const auto digest = std::span(colon + 2, field.end());
  if (digest.size() == known->digest_size) return "";
  // A violation records IMA_DIGEST_SIZE zero bytes whatever the algorithm.
  if (violation && digest.size() == kLegacyDigestSize &&
      std::all_of(digest.begin(), digest.end(), [](uint8_t b) { return b == 0; }))
    return "";
  return fmt::format("has a {} digest of {} bytes, expected {}", algo, digest.size(),
                     known->digest_size);
}

// Checks the framed template data of `record` (lengths in `big_endian` order) and returns the
// problem, or "" after storing the normalised data in `record.data`.
std::string check_template_data(ImaRecord& record, std::span<const uint8_t> data, bool big_endian) {
  const auto specs = template_fields(record.template_name);
  const size_t limit = specs.empty() ? data.size() : specs.size();
  std::string problem;
  const auto fields = split_fields(data, big_endian, limit, problem);
  if (!problem.empty()) return problem;
  if (!specs.empty() && fields.size() != specs.size())
    return fmt::format("{} template data has {} fields, expected {}", record.template_name,
                       fields.size(), specs.size());
  if (fields_end(fields) != data.size())
    return fmt::format("{} template data: {} bytes after the last field", record.template_name,
                       data.size() - fields_end(fields));
  const bool violation =
      std::all_of(record.digest.begin(), record.digest.end(), [](uint8_t b) { return b == 0; });
  for (size_t i = 0; i < specs.size(); ++i) {
    const FieldSpec& spec = *specs[i];
    const auto field = data.subspan(fields[i].offset, fields[i].size);
    std::string bad;
    if (field.empty()) {
      if (!spec.may_be_empty) bad = "is empty";
    } else if (spec.kind == FieldKind::kDigestWithAlgo) {
      bad = check_digest_with_algo(field, violation);
    } else if (spec.kind == FieldKind::kString && field.back() != 0) {
      bad = "does not end with NUL";
    }
    if (!bad.empty()) return fmt::format("template data: field {} ({}) {}", i, spec.id, bad);
  }
  record.data = reorder_lengths(data, fields, false);
  return "";
}

// Reads the record at `offset`; records may not extend past `end`. Returns the offset after it.
size_t parse_record(std::span<const uint8_t> bytes, size_t offset, size_t end, bool big_endian,
                    size_t index, const std::string& name, ImaRecord& record) {
  auto fail = [&](const std::string& problem) {
    throw InputError(
        fmt::format("{}: record {} at offset {:#x}: {}", name, index, offset, problem));
  };
  if (end - offset < kRecordFixedSize)
    fail(fmt::format("truncated: {} bytes left, the record header needs {}", end - offset,
                     kRecordFixedSize));
  record.pcr = load_u32(bytes, offset, big_endian);
  if (record.pcr >= kPcrCount) fail(fmt::format("PCR {} is out of range (0-23)", record.pcr));
  std::copy_n(bytes.begin() + offset + 4, record.digest.size(), record.digest.begin());
  const uint32_t name_length = load_u32(bytes, offset + 24, big_endian);
  size_t pos = offset + kRecordFixedSize;
  if (name_length == 0) fail("template name length 0");
  if (name_length > kMaxNameLength)
    fail(fmt::format("template name length {} exceeds {}", name_length, kMaxNameLength));
  if (name_length > end - pos)
    fail(fmt::format("truncated: template name of {} bytes, {} left", name_length, end - pos));
  record.template_name.assign(bytes.begin() + pos, bytes.begin() + pos + name_length);
  for (const char c : record.template_name)
    if (c <= ' ' || c > '~')
      fail(fmt::format("template name has a non-printable byte {:#04x}", static_cast<uint8_t>(c)));
  pos += name_length;

  if (is_legacy(record.template_name)) {
    // The legacy template has no data length: a bare digest, then [u32 length] event name.
    if (end - pos < kLegacyDigestSize + 4)
      fail(fmt::format("truncated: ima template data needs {} bytes, {} left",
                       kLegacyDigestSize + 4, end - pos));
    const uint32_t event_length = load_u32(bytes, pos + kLegacyDigestSize, big_endian);
    const size_t event_at = pos + kLegacyDigestSize + 4;
    if (event_length > kMaxNameLength)
      fail(fmt::format("ima template event name length {} exceeds {}", event_length,
                       kMaxNameLength));
    if (event_length > end - event_at)
      fail(fmt::format("truncated: ima template event name of {} bytes, {} left", event_length,
                       end - event_at));
    const auto event = bytes.subspan(event_at, event_length);
    if (std::find(event.begin(), event.end(), uint8_t{0}) != event.end())
      fail("ima template event name contains a NUL byte");
    record.data.assign(bytes.begin() + pos, bytes.begin() + event_at + event_length);
    put_uint(record.data, kLegacyDigestSize, event_length, 4, false);
    return event_at + event_length;
  }

  if (end - pos < 4) fail(fmt::format("truncated: template data length, {} bytes left", end - pos));
  const uint32_t data_length = load_u32(bytes, pos, big_endian);
  pos += 4;
  if (data_length > end - pos)
    fail(fmt::format("template data length {} runs past the end ({} bytes left)", data_length,
                     end - pos));
  const std::string problem =
      check_template_data(record, bytes.subspan(pos, data_length), big_endian);
  if (!problem.empty()) fail(problem);
  return pos + data_length;
}

bool plausible_start(std::span<const uint8_t> bytes, bool big_endian) {
  const uint32_t pcr = load_u32(bytes, 0, big_endian);
  const uint32_t name_length = load_u32(bytes, 24, big_endian);
  return pcr < kPcrCount && name_length >= 1 && name_length <= kMaxNameLength;
}

std::string show_string(std::span<const uint8_t> bytes) {
  const auto nul = std::find(bytes.begin(), bytes.end(), uint8_t{0});
  return std::string(bytes.begin(), nul);
}

}  // namespace

ImaList parse_ima_list(std::span<const uint8_t> bytes, const std::string& name,
                       std::optional<bool> big_endian) {
  ImaList list;
  if (bytes.empty()) return list;
  if (!big_endian && bytes.size() >= kRecordFixedSize) {
    const bool le = plausible_start(bytes, false), be = plausible_start(bytes, true);
    if (le == be)
      throw InputError(fmt::format(
          "{}: cannot tell the byte order: the first record's PCR and template name length are "
          "plausible in {} order",
          name, le ? "either" : "neither"));
    big_endian = be;
  }
  size_t offset = 0;
  while (offset < bytes.size()) {
    ImaRecord record;
    offset = parse_record(bytes, offset, bytes.size(), big_endian.value_or(false),
                          list.records.size(), name, record);
    list.records.push_back(std::move(record));
  }
  return list;
}

std::vector<uint8_t> build_ima_kexec_buffer(const ImaList& list, bool big_endian,
                                            uint64_t extra_bytes) {
  std::vector<uint8_t> out(kImaKexecHeaderSize);
  for (size_t i = 0; i < list.records.size(); ++i) {
    const ImaRecord& r = list.records[i];
    auto fail = [&](const std::string& problem) {
      throw InputError(fmt::format("IMA list: record {} ({}): {}", i, r.template_name, problem));
    };
    if (is_legacy(r.template_name))
      fail("the kernel does not restore the legacy \"ima\" template after kexec");
    if (r.template_name.empty() || r.template_name.size() > kMaxRestorableNameLength)
      fail(fmt::format("template name of {} bytes; the kernel restores names of 1 to {} bytes",
                       r.template_name.size(), kMaxRestorableNameLength));
    if (r.data.size() > UINT32_MAX) fail("template data larger than 4 GiB");
    std::string problem;
    const auto fields = split_fields(r.data, false, r.data.size(), problem);
    if (!problem.empty() || fields_end(fields) != r.data.size())
      fail("template data is not a sequence of [u32 length][bytes] fields");
    append_uint(out, r.pcr, 4, big_endian);
    out.insert(out.end(), r.digest.begin(), r.digest.end());
    append_uint(out, r.template_name.size(), 4, big_endian);
    out.insert(out.end(), r.template_name.begin(), r.template_name.end());
    append_uint(out, r.data.size(), 4, big_endian);
    const auto data = reorder_lengths(r.data, fields, big_endian);
    out.insert(out.end(), data.begin(), data.end());
  }
  put_uint(out, 0, 1, 2, big_endian);  // version
  put_uint(out, 8, out.size(), 8, big_endian);
  put_uint(out, 16, list.records.size(), 8, big_endian);
  // The buffer is one segment: room past that limit could never be loaded, and a sum that
  // wraps would silently shrink the buffer instead.
  if (extra_bytes > kMaxSegmentBytes - std::min<uint64_t>(out.size(), kMaxSegmentBytes))
    throw InputError(fmt::format(
        "IMA buffer: {:#x} bytes of records and {:#x} extra exceed one segment ({:#x} bytes)",
        out.size(), extra_bytes, kMaxSegmentBytes));
  out.resize(out.size() + extra_bytes);
  return out;
}

ImaList parse_ima_kexec_buffer(std::span<const uint8_t> bytes, bool big_endian,
                               const std::string& name) {
  auto fail_header = [&](const std::string& problem) {
    throw InputError(fmt::format("{}: IMA header: {}", name, problem));
  };
  if (bytes.size() < kImaKexecHeaderSize)
    fail_header(
        fmt::format("truncated: {} bytes, the header needs {}", bytes.size(), kImaKexecHeaderSize));
  const auto version = load_uint(bytes, 0, 2, big_endian);
  const uint64_t buffer_size = load_uint(bytes, 8, 8, big_endian);
  const uint64_t count = load_uint(bytes, 16, 8, big_endian);
  if (version != 1) fail_header(fmt::format("version {}, expected 1", version));
  if (buffer_size < kImaKexecHeaderSize)
    fail_header(fmt::format("buffer_size {:#x} is smaller than the {}-byte header", buffer_size,
                            kImaKexecHeaderSize));
  if (buffer_size > bytes.size())
    fail_header(
        fmt::format("buffer_size {:#x} exceeds the {:#x} bytes given", buffer_size, bytes.size()));
  const size_t end = static_cast<size_t>(buffer_size);
  ImaList list;
  size_t offset = kImaKexecHeaderSize;
  for (uint64_t i = 0; i < count; ++i) {
    if (offset == end)
      throw InputError(fmt::format(
          "{}: record {} at offset {:#x}: missing: the header counts {} records, buffer_size "
          "ends here",
          name, i, offset, count));
    ImaRecord record;
    offset = parse_record(bytes, offset, end, big_endian, i, name, record);
    list.records.push_back(std::move(record));
  }
  if (offset != end)
    fail_header(fmt::format("the {} counted records end at {:#x}, not at buffer_size {:#x}", count,
                            offset, buffer_size));
  return list;
}

std::string format_ima_ascii(const ImaList& list) {
  std::string out;
  for (size_t i = 0; i < list.records.size(); ++i) {
    const ImaRecord& r = list.records[i];
    auto fail = [&](const std::string& problem) {
      throw InputError(fmt::format("IMA list: record {} ({}): {}", i, r.template_name, problem));
    };
    out += fmt::format("{:2d} {} {}", r.pcr, to_hex(r.digest), r.template_name);
    const auto data = std::span<const uint8_t>(r.data);
    if (is_legacy(r.template_name)) {
      if (data.size() < kLegacyDigestSize + 4) fail("ima template data too short");
      out += " " + to_hex(data.first(kLegacyDigestSize));
      out += " " + show_string(data.subspan(kLegacyDigestSize + 4));
      out += "\n";
      continue;
    }
    const auto specs = template_fields(r.template_name);
    std::string problem;
    const auto fields = split_fields(data, false, data.size(), problem);
    if (!problem.empty() || fields_end(fields) != data.size() ||
        (!specs.empty() && specs.size() != fields.size()))
      fail("template data does not match the template");
    for (size_t f = 0; f < fields.size(); ++f) {
      out += " ";
      const auto field = data.subspan(fields[f].offset, fields[f].size);
      if (field.empty()) continue;
      const FieldKind kind = specs.empty() ? FieldKind::kHex : specs[f]->kind;
      if (kind == FieldKind::kDigestWithAlgo) {
        // As the kernel: the text up to the NUL ("sha256:"), then the digest after it.
        const auto colon = std::find(field.begin(), field.end(), uint8_t{':'});
        if (colon == field.end() || colon + 1 == field.end() || colon[1] != 0)
          fail("digest field has no \"<algo>:\\0\" prefix");
        out += show_string(field);
        out += to_hex(std::span(colon + 2, field.end()));
      } else if (kind == FieldKind::kString) {
        out += show_string(field);
      } else {
        out += to_hex(field);
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace styx::host
