// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <sstream>

#include "arch-info.h"
#include "cli-docs.h"
#include "cmd-ima-replay.h"
#include "cmd-ima.h"
#include "commands.h"
#include "error.h"
#include "kexec-compat.h"
#include "parse.h"
#include "subcommands.h"

namespace styx::cli {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// CLI11 reports an unknown subcommand as "A subcommand is required" (or as an unexpected
// argument); name it instead, with the nearest command. Empty when `args` name known commands.
std::string unknown_command(const CLI::App& app, const std::vector<std::string>& args,
                            const std::string& prefix) {
  if (args.empty() || args[0].starts_with("-")) return "";
  const auto subs = app.get_subcommands([](const CLI::App*) { return true; });
  if (subs.empty()) return "";
  std::string nearest;
  size_t best = SIZE_MAX;
  for (const CLI::App* sub : subs) {
    if (sub->get_name() == args[0])
      return sub->get_require_subcommand_min() > 0
                 ? unknown_command(*sub, {args.begin() + 1, args.end()}, prefix + args[0] + " ")
                 : "";
    if (const size_t d = edit_distance(args[0], sub->get_name()); d < best) {
      best = d;
      nearest = sub->get_name();
    }
  }
  return "unknown command '" + prefix + args[0] + "' (did you mean '" + prefix + nearest + "'?)";
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Styx: a verified crossing between two kernels.\n"
      "Builds kexec images whose purgatory checks the SHA-256 of every segment, names a "
      "corrupt one on the console, and only then starts the next kernel.",
      "styx"};
  app.set_version_flag("--version", "styx " STYX_VERSION);
  app.require_subcommand(1);
  const std::string isas = host::arch_names();
  std::string resets, kernel_types, registers, dt_isas;
  for (const host::ArchInfo* a : host::all_arches()) {
    const std::string name(a->name);
    for (std::string_view t : a->kexec_types)
      kernel_types += (kernel_types.empty() ? "" : ", ") + std::string(t);
    std::string regs;
    for (std::string_view r : a->boot_registers)
      regs += (regs.empty() ? "" : ", ") + std::string(r);
    if (!regs.empty()) registers += (registers.empty() ? "" : "; ") + name + ": " + regs;
    if (a->plan_boot && a->boot_data_role == Role::kDtb)
      dt_isas += (dt_isas.empty() ? "" : ", ") + name;
  }

  BuildOptions build;
  auto* b = app.add_subcommand(
      "build",
      "Build a kexec image: a Linux boot (--kernel ...) or segments at fixed addresses "
      "(--segment ... --entry ...)");
  b->add_option("--arch", build.arch, "Target ISA: " + isas + " (or aarch64, amd64, ...)")
      ->required();
  b->add_option("--kernel", build.kernel,
                "Linux kernel in the ISA's format (kexec-tools' names: " + kernel_types + ")");
  b->add_option("--initrd", build.initrd, "Initial ramdisk for the kernel");
  b->add_option("--cmdline,--append", build.cmdline, "Kernel command line");
  b->add_option("--dtb", build.dtb,
                "Device tree (required with --kernel on " + dt_isas + "; also the memory map)");
  b->add_option("--ima-list", build.ima_list,
                "IMA measurement list to carry (securityfs binary_runtime_measurements)");
  b->add_flag("--ima-canonical", build.ima_canonical,
              "The list is in the canonical little-endian format (default: detect)");
  b->add_option("--ima-extra", build.ima_extra,
                "Extra room after the carried IMA list, for measurements taken later")
      ->capture_default_str();
  b->add_option("--segment", build.segments,
                "ROLE=FILE@ADDR (role: kernel, initrd, dtb, bootparams, ima, data); repeatable");
  b->add_option("--entry", build.entry, "Address of the next kernel's first instruction");
  b->add_option("--boot-arg", build.boot_args,
                "REG=VALUE boot register for the next kernel (" + registers + ")");
  b->add_option("--mem", build.mem,
                "START:SIZE of usable RAM; repeatable (with --kernel on " + dt_isas +
                    ": default from the dtb)");
  b->add_option("--console", build.console,
                "earlycon-style console: uart8250,io,0x3f8 | uart8250,mmio,ADDR | "
                "uart8250,mmio32,ADDR | pl011,ADDR | none (default: the ISA's usual UART)");
  b->add_option("--on-failure", build.on_failure, "What the purgatory does after a failure")
      ->check(CLI::IsMember({"halt", "reset"}));
  for (const host::ArchInfo* a : host::all_arches())
    if (!a->reset_methods.empty())
      resets += (resets.empty() ? "" : "; ") + host::reset_method_names(*a) + " (" +
                std::string(a->name) + ")";
  b->add_option("--reset-method", build.reset_method,
                "How the purgatory resets with --on-failure reset (default: the first of the "
                "ISA's): " +
                    resets);
  b->add_option("--purgatory-addr", build.purgatory_addr,
                "Load the purgatory here (default: the highest free RAM)");
  b->add_option("--log-size", build.log_size, "Bytes of memory log after the purgatory")
      ->capture_default_str();
  b->add_option("--sha256", build.sha256,
                "SHA-256 code in the purgatory: auto (hardware where that CPU has it) or generic")
      ->check(CLI::IsMember({"auto", "generic"}))
      ->capture_default_str();
  b->add_option("-o,--output", build.output, "Image file to write")->required();

  std::string image;
  bool json = false;
  auto* i = app.add_subcommand("inspect", "Show an image's segments, digests, entry and settings");
  i->add_option("image", image, "Styx image")->required();
  i->add_flag("--json", json, kJsonHelp);

  auto* v = app.add_subcommand(
      "verify", "Recompute every digest on the host (exit 0 match, 1 mismatch, 2 bad input)");
  v->add_option("image", image, "Styx image")->required();
  v->add_flag("--json", json, kJsonHelp);

  std::string ima_path;
  bool ima_canonical = false;
  auto* ima = app.add_subcommand("ima", "IMA measurement lists");
  ima->require_subcommand(1);
  auto* ima_show = ima->add_subcommand(
      "show",
      "Print a measurement list (a binary_runtime_measurements file, or the list a Styx "
      "image carries) as ascii_runtime_measurements does");
  ima_show->add_option("list", ima_path, "binary_runtime_measurements file or Styx image")
      ->required();
  ima_show->add_flag("--ima-canonical", ima_canonical,
                     "The file is in the canonical little-endian format (default: detect)");

  std::string docs_what, docs_dir;
  auto* docs = app.add_subcommand("docs",
                                  "Write the manual pages (man DIR) or a bash or zsh "
                                  "completion script (bash, zsh) to standard output");
  docs->group("");  // for the build and packagers, not a command users look for
  docs->add_option("what", docs_what, "man, bash or zsh")->required();
  docs->add_option("dir", docs_dir, "Directory for the manual pages");

  Subcommands commands;
  add_emulator_commands(app, commands, out);
  add_kexec_commands(app, commands, out);
  add_ima_replay_command(*ima, commands, out);

  app.add_subcommand("kexec",
                     "kexec-tools' command line (-l, -e, -u, -f, -S ...; see styx kexec --help), "
                     "also run when styx is invoked as `kexec`");
  // kexec-tools' options are getopt's, not CLI11's: everything after `kexec` goes there as is.
  if (!args.empty() && args[0] == "kexec")
    return run_kexec_compat({args.begin() + 1, args.end()}, out, err);

  if (const std::string unknown = unknown_command(app, args, ""); !unknown.empty()) {
    err << "styx: " << unknown << " (see styx --help)\n";
    return kExitBadInput;
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    const auto subs = app.get_subcommands();
    out << (subs.empty() ? app.help() : subs.back()->help());
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << "styx " STYX_VERSION "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "styx: " << e.what() << " (see styx --help)\n";
    return kExitBadInput;
  }

  try {
    if (docs->parsed()) return write_docs(app, docs_what, docs_dir, out);
    if (b->parsed()) return cmd_build(build, out);
    if (i->parsed()) return cmd_inspect(image, json, out);
    if (v->parsed()) return cmd_verify(image, json, out);
    if (ima_show->parsed()) return cmd_ima_show(ima_path, ima_canonical, out);
    for (const Subcommand& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const host::DigestMismatch& e) {
    err << "styx: " << e.what() << "\n";
    return kExitFailure;
  } catch (const host::InputError& e) {
    err << "styx: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "styx: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitBadInput;
}

}  // namespace styx::cli
