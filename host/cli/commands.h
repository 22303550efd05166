// SPDX-License-Identifier: GPL-2.0-only
// One function per `styx` subcommand; each returns the exit status.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"

namespace styx::cli {

struct BuildOptions {
  std::string arch;
  // Either a Linux boot...
  std::optional<std::string> kernel;
  std::optional<std::string> initrd;
  std::optional<std::string> cmdline;
  std::optional<std::string> dtb;
  std::optional<std::string> ima_list;
  bool ima_canonical = false;
  std::string ima_extra = "0";
  // ...or segments at fixed addresses.
  std::vector<std::string> segments;  ///< ROLE=FILE@ADDR
  std::optional<std::string> entry;
  std::vector<std::string> boot_args;  ///< REG=VALUE
  std::vector<std::string> mem;        ///< START:SIZE
  std::optional<std::string> console;
  std::string on_failure = "halt";
  std::optional<std::string> reset_method;
  std::optional<std::string> purgatory_addr;
  std::string log_size = "4096";
  std::string sha256 = "auto";  ///< auto | generic
  std::string output;
};
int cmd_build(const BuildOptions& options, std::ostream& out);

int cmd_inspect(const std::string& image, bool json, std::ostream& out);
int cmd_verify(const std::string& image, bool json, std::ostream& out);

struct RunOptions {
  std::string image;
  std::vector<std::string> flips;  ///< SEG:BYTE:BIT
  std::optional<uint64_t> max_instructions;
  bool json = false;
};
int cmd_run(const RunOptions& options, std::ostream& out);

int cmd_demo(const std::optional<std::string>& arch, std::ostream& out);

}  // namespace styx::cli
