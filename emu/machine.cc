// SPDX-License-Identifier: GPL-2.0-only
#include "machine.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "hex.h"

namespace styx::emu {

void check(uc_err err, const char* call) {
  if (err != UC_ERR_OK) throw std::runtime_error(std::string(call) + ": " + uc_strerror(err));
}

namespace {

// What a trampoline receives as user data: the callback and the Machine to report exceptions to.
template <class Fn>
struct Bound {
  Machine* machine;
  Fn fn;
};

// Unicorn calls C function pointers; each trampoline forwards to the bound std::function and
// keeps exceptions from unwinding through Unicorn.
template <class Fn, class... Args>
auto invoke(void* user_data, Args... args) -> decltype(std::declval<Fn>()(args...)) {
  auto* bound = static_cast<Bound<Fn>*>(user_data);
  try {
    return bound->fn(args...);
  } catch (...) {
    bound->machine->fail(std::current_exception());
    return decltype(bound->fn(args...))();
  }
}

void code_trampoline(uc_engine*, uint64_t address, uint32_t size, void* user_data) {
  invoke<Machine::CodeHook>(user_data, address, size);
}

void interrupt_trampoline(uc_engine*, uint32_t intno, void* user_data) {
  invoke<Machine::InterruptHook>(user_data, intno);
}

bool invalid_memory_trampoline(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t,
                               void* user_data) {
  invoke<Machine::InvalidMemoryHook>(user_data, type, address, size);
  return false;  // not handled: the access faults and start() reports it
}

uint32_t port_in_trampoline(uc_engine*, uint32_t port, int size, void* user_data) {
  return invoke<Machine::PortInHook>(user_data, port, size);
}

void port_out_trampoline(uc_engine*, uint32_t port, int size, uint32_t value, void* user_data) {
  invoke<Machine::PortOutHook>(user_data, port, size, value);
}

uint64_t mmio_read_trampoline(uc_engine*, uint64_t offset, unsigned size, void* user_data) {
  return invoke<Machine::MmioRead>(user_data, offset, size);
}

void mmio_write_trampoline(uc_engine*, uint64_t offset, unsigned size, uint64_t value,
                           void* user_data) {
  invoke<Machine::MmioWrite>(user_data, offset, size, value);
}

}  // namespace

Machine::Machine(uc_arch arch, uc_mode mode) {
  check(uc_open(arch, mode, &uc_), "uc_open");
}

Machine::~Machine() {
  // Hooks and mappings die with the engine; the callbacks they point to are freed afterwards.
  if (uc_) uc_close(uc_);
}

template <class Fn>
void* Machine::keep(Fn fn) {
  auto bound = std::make_shared<Bound<Fn>>(Bound<Fn>{this, std::move(fn)});
  callbacks_.push_back(bound);
  return bound.get();
}

void Machine::add_hook(int type, void* callback, void* user_data, uint64_t begin, uint64_t end,
                       int insn) {
  uc_hook handle;
  if (type == UC_HOOK_INSN) {
    check(uc_hook_add(uc_, &handle, type, callback, user_data, begin, end, insn), "uc_hook_add");
  } else {
    check(uc_hook_add(uc_, &handle, type, callback, user_data, begin, end), "uc_hook_add");
  }
}

void Machine::map_ram(uint64_t begin, uint64_t end) {
  check(uc_mem_map(uc_, begin, end - begin, UC_PROT_ALL),
        ("uc_mem_map(" + hex(begin) + ", " + hex(end - begin) + ")").c_str());
  mapped_.push_back({begin, end});
}

void Machine::map_mmio(uint64_t base, uint64_t size, MmioRead read, MmioWrite write) {
  void* read_data = keep(std::move(read));
  void* write_data = keep(std::move(write));
  check(uc_mmio_map(uc_, base, size, mmio_read_trampoline, read_data, mmio_write_trampoline,
                    write_data),
        ("uc_mmio_map(" + hex(base) + ", " + hex(size) + ")").c_str());
  mapped_.push_back({base, base + size});
}

bool Machine::is_mapped(uint64_t begin, uint64_t end) const {
  for (const MemRange& range : mapped_) {
    if (begin < range.end && range.begin < end) return true;
  }
  return false;
}

void Machine::write(uint64_t address, std::span<const uint8_t> bytes) {
  check(uc_mem_write(uc_, address, bytes.data(), bytes.size()),
        ("uc_mem_write(" + hex(address) + ", " + std::to_string(bytes.size()) + " bytes)").c_str());
}

std::vector<uint8_t> Machine::read(uint64_t address, size_t size) {
  std::vector<uint8_t> bytes(size);
  check(uc_mem_read(uc_, address, bytes.data(), size),
        ("uc_mem_read(" + hex(address) + ", " + std::to_string(size) + " bytes)").c_str());
  return bytes;
}

uint64_t Machine::reg_read(int reg) {
  uint64_t value = 0;
  check(uc_reg_read(uc_, reg, &value), "uc_reg_read");
  return value;
}

void Machine::reg_write(int reg, uint64_t value) {
  check(uc_reg_write(uc_, reg, &value), "uc_reg_write");
}

void Machine::on_block(CodeHook hook, uint64_t begin, uint64_t end) {
  add_hook(UC_HOOK_BLOCK, reinterpret_cast<void*>(code_trampoline), keep(std::move(hook)), begin,
           end);
}

void Machine::on_code(CodeHook hook, uint64_t begin, uint64_t end) {
  add_hook(UC_HOOK_CODE, reinterpret_cast<void*>(code_trampoline), keep(std::move(hook)), begin,
           end);
}

void Machine::on_interrupt(InterruptHook hook) {
  add_hook(UC_HOOK_INTR, reinterpret_cast<void*>(interrupt_trampoline), keep(std::move(hook)), 1,
           0);
}

void Machine::on_invalid_memory(InvalidMemoryHook hook) {
  add_hook(UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(invalid_memory_trampoline),
           keep(std::move(hook)), 1, 0);
}

void Machine::on_port_in(int insn, PortInHook hook) {
  add_hook(UC_HOOK_INSN, reinterpret_cast<void*>(port_in_trampoline), keep(std::move(hook)), 1, 0,
           insn);
}

void Machine::on_port_out(int insn, PortOutHook hook) {
  add_hook(UC_HOOK_INSN, reinterpret_cast<void*>(port_out_trampoline), keep(std::move(hook)), 1, 0,
           insn);
}

uc_err Machine::start(uint64_t begin, uint64_t until) {
  hook_error_ = nullptr;
  // No instruction count: a count makes Unicorn instrument every instruction.
  uc_err err = uc_emu_start(uc_, begin, until, 0, 0);
  if (hook_error_) std::rethrow_exception(hook_error_);
  return err;
}

void Machine::stop() {
  check(uc_emu_stop(uc_), "uc_emu_stop");
}

void Machine::fail(std::exception_ptr error) {
  if (!hook_error_) hook_error_ = std::move(error);
  uc_emu_stop(uc_);  // unchecked: we are already reporting an error
}

}  // namespace styx::emu
