// `styx load`, `styx unload`, `styx exec`: Styx images on a running Linux system.
#pragma once

#include <functional>
#include <memory>

#include "kexec-kernel.h"

namespace styx::cli {

/// Where the kexec system calls go; tests install a recording stand-in. Default: the real ones.
using KexecKernelFactory = std::function<std::unique_ptr<host::KexecKernel>()>;
void set_kexec_kernel_factory(KexecKernelFactory factory);

}  // namespace styx::cli
