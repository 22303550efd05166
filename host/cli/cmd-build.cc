// SPDX-License-Identifier: GPL-2.0-only
// `styx build`: segments at fixed addresses in, a kexec image out.
#include <ostream>

#include "boot.h"
#include "builder.h"
#include "commands.h"
#include "console-spec.h"
#include "embedded-purgatory.h"
#include "error.h"
#include "file-io.h"
#include "ima.h"
#include "image-limits.h"
#include "parse.h"

namespace styx::cli {
namespace {

using host::InputError;

uint64_t number(const std::string& text, const std::string& what) {
  const auto v = host::parse_number(text);
  if (!v) throw InputError(what + ": '" + text + "' is not a number");
  return *v;
}

// ROLE=FILE@ADDR split at '=' and the last '@'; nullopt when it is not of that form.
std::optional<std::pair<size_t, size_t>> segment_split(const std::string& spec) {
  const size_t eq = spec.find('=');
  const size_t at = spec.rfind('@');
  if (eq == std::string::npos || at == std::string::npos || at < eq) return std::nullopt;
  return std::pair{eq, at};
}

host::SegmentInput parse_segment(const std::string& spec) {
  const auto split = segment_split(spec);
  if (!split) throw InputError("--segment '" + spec + "': expected ROLE=FILE@ADDR");
  const auto [eq, at] = *split;
  host::SegmentInput s;
  const std::string role = spec.substr(0, eq);
  if (!host::parse_role(role, s.role))
    throw InputError("--segment '" + spec + "': unknown role '" + role +
                     "' (kernel, initrd, dtb, bootparams, ima, data)");
  s.name = spec.substr(eq + 1, at - eq - 1);
  if (s.name.empty()) throw InputError("--segment '" + spec + "': no file named");
  s.addr = number(spec.substr(at + 1), "--segment '" + spec + "' address");
  s.file = host::open_region(s.name);
  return s;
}

host::MemRange parse_mem(const std::string& spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) throw InputError("--mem '" + spec + "': expected START:SIZE");
  return {number(spec.substr(0, colon), "--mem '" + spec + "' start"),
          number(spec.substr(colon + 1), "--mem '" + spec + "' size")};
}

uint64_t ima_extra(const std::string& text) {
  const uint64_t extra = number(text, "--ima-extra");
  if (extra > host::kMaxSegmentBytes)
    throw InputError("--ima-extra '" + text + "': at most " + host::hex(host::kMaxSegmentBytes) +
                     " (the IMA buffer is one segment)");
  return extra;
}

ResetMethod parse_reset_method(const std::string& name, const host::ArchInfo& arch) {
  for (ResetMethod m : arch.reset_methods)
    if (host::reset_method_name(m) == name) return m;
  throw InputError("--reset-method '" + name + "': " + std::string(arch.name) + " resets with " +
                   host::reset_method_names(arch));
}

// Whole pages only: the emulator maps and kexec loads pages, so a range that starts or ends
// inside one describes memory nothing can use. Suggests the pages inside it.
void check_mem_alignment(const std::string& spec, const host::MemRange& r,
                         const host::ArchInfo& arch) {
  const uint64_t page = arch.page_size;
  if (r.start % page == 0 && r.size % page == 0) return;
  std::string why =
      "--mem '" + spec +
      "': " + (r.start % page ? "start " + host::hex(r.start) : "size " + host::hex(r.size)) +
      " is not a multiple of " + host::hex(page) + ", " + std::string(arch.name) + "'s page size";
  const uint64_t first = r.start + (page - r.start % page) % page;
  const uint64_t end = r.start + r.size;  // readers refuse wrapping ranges later
  if (end > first && (end - end % page) > first)
    why += " (the whole pages inside it: " + host::hex(first) + ":" +
           host::hex(end - end % page - first) + ")";
  throw InputError(why);
}

}  // namespace

namespace {

// --kernel: the ISA's boot protocol lays out kernel, initrd, boot data and IMA buffer.
void plan_linux_boot(const BuildOptions& o, host::BuildRequest& req) {
  const host::ArchInfo& arch = *req.arch;
  if (!o.segments.empty() || o.entry || !o.boot_args.empty())
    throw InputError(
        "--kernel builds its own segments, entry and boot registers: drop --segment, "
        "--entry and --boot-arg");
  if (!arch.plan_boot)
    throw InputError("--kernel: booting Linux is not supported on " + std::string(arch.name) +
                     " yet (use --segment)");
  host::BootInputs in;
  in.kernel = host::read_blob(*o.kernel);
  // The initrd goes into the image unchanged: streamed from its file, never held in memory.
  if (o.initrd) in.initrd = host::open_blob(*o.initrd);
  in.cmdline = o.cmdline.value_or("");
  if (o.dtb) in.dtb = host::read_blob(*o.dtb);
  if (o.ima_list) {
    const host::NamedBlob raw = host::read_blob(*o.ima_list);
    const host::ImaList list = host::parse_ima_list(
        raw.data, raw.name, o.ima_canonical ? std::optional<bool>(false) : std::nullopt);
    in.ima = host::NamedBlob{
        raw.name, host::build_ima_kexec_buffer(list, arch.big_endian, ima_extra(o.ima_extra))};
  }
  in.ram = req.ram;
  in.console = req.console;
  host::apply_boot_plan(arch.plan_boot(in), req);
}

void plan_segments(const BuildOptions& o, host::BuildRequest& req) {
  const std::pair<const char*, bool> boot_only[] = {{"--initrd", o.initrd.has_value()},
                                                    {"--cmdline", o.cmdline.has_value()},
                                                    {"--dtb", o.dtb.has_value()},
                                                    {"--ima-list", o.ima_list.has_value()}};
  for (const auto& [option, given] : boot_only)
    if (given) throw InputError(std::string(option) + " goes with --kernel");
  if (o.segments.empty())
    throw InputError("give --kernel, or --segment ROLE=FILE@ADDR with --entry");
  if (!o.entry) throw InputError("--segment needs --entry ADDR");
  if (req.ram.empty()) throw InputError("--segment needs --mem START:SIZE");
  if (o.segments.size() > kMaxSegments)
    throw InputError("too many segments: " + std::to_string(o.segments.size()) + ", at most " +
                     std::to_string(kMaxSegments));
  for (const auto& s : o.segments) req.segments.push_back(parse_segment(s));
  req.entry = number(*o.entry, "--entry");
  for (const auto& a : o.boot_args) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos) throw InputError("--boot-arg '" + a + "': expected REG=VALUE");
    req.boot_args.emplace_back(a.substr(0, eq), number(a.substr(eq + 1), "--boot-arg '" + a + "'"));
  }
}

}  // namespace

int cmd_build(const BuildOptions& o, std::ostream& out) {
  // Before any work: an -o naming an input would replace it, a device or FIFO would be replaced.
  std::vector<std::string> inputs;
  for (const auto& file : {o.kernel, o.initrd, o.dtb, o.ima_list})
    if (file) inputs.push_back(*file);
  for (const auto& spec : o.segments)
    if (const auto split = segment_split(spec))
      inputs.push_back(spec.substr(split->first + 1, split->second - split->first - 1));
  host::check_output_path(o.output, inputs);

  host::BuildRequest req;
  req.arch = host::find_arch(o.arch);
  if (!req.arch)
    throw InputError("--arch '" + o.arch + "': unknown ISA (known: " + host::arch_names() + ")");
  for (const auto& m : o.mem) {
    req.ram.push_back(parse_mem(m));
    check_mem_alignment(m, req.ram.back(), *req.arch);
  }
  if (o.console) req.console = host::parse_console(*o.console);
  req.policy = o.on_failure == "reset" ? FailurePolicy::kReset : FailurePolicy::kHalt;
  if (o.reset_method) req.reset_method = parse_reset_method(*o.reset_method, *req.arch);
  if (o.purgatory_addr) req.purgatory_addr = number(*o.purgatory_addr, "--purgatory-addr");
  req.log_size = number(o.log_size, "--log-size");
  if (o.sha256 == "generic") req.sha256_routine = Sha256Routine::kGeneric;
  if (o.kernel) {
    plan_linux_boot(o, req);
  } else {
    plan_segments(o, req);
  }

  const auto purgatory = host::embedded_purgatory(req.arch->name);
  if (purgatory.empty())
    throw InputError("this styx was built without a " + std::string(req.arch->name) + " purgatory");
  // Each input is read once: hashed as it is written, the purgatory linked once all are.
  host::PlannedImage planned = host::plan_image(std::move(req), purgatory);
  host::write_image(o.output, planned.image, [&](std::span<const host::Digest> digests) {
    host::link_image(planned, digests);
  });
  const host::Image& image = planned.image;
  out << "styx: wrote " << o.output << ": " << image.segments.size() << " segments, purgatory at "
      << host::hex(image.purgatory_addr) << ", entry " << host::hex(image.handoff.entry) << "\n";
  return kExitOk;
}

}  // namespace styx::cli
