// SPDX-License-Identifier: GPL-2.0-only
// x86_64 entry shim for booting Styx images in qemu-system-x86_64.
//
// qemu's multiboot loader (-kernel shim.elf) starts this in 32-bit protected mode with paging off,
// eax = 0x2badb002 and ebx = the multiboot information. The command line (-append) holds the
// 64-bit entry address of the Styx image (its purgatory) in hex, e.g. "-append 0x3fef6000"; qemu
// prefixes it with the file name, so the last word counts. The image itself is loaded with
// `-device loader,file=IMAGE`. The shim identity-maps the first 4 GiB with 2 MiB pages, enables
// PAE and long mode, loads a flat 64-bit GDT (__BOOT_CS = 0x10, __BOOT_DS = 0x18 as Linux uses)
// and jumps to the entry, as kexec enters a purgatory. It prints one line on COM1 first. On a
// bad command line it prints why and triple-faults (with -no-reboot qemu then exits).
//
// Memory: linked at SHIM_BASE (see shim.ld, tests/e2e/README.md); code, page tables and stack stay
// below __shim_end; qemu adds the command line in the next page and the multiboot information
// at 0x9000-0x95ff.

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0
#define MB_BOOT_MAGIC 0x2badb002
#define MBI_FLAG_CMDLINE (1 << 2)
#define COM1 0x3f8

  .section .multiboot, "a"
  .balign 4
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

  .text
  .code32
  .globl _start
_start:
  cli
  cld
  mov $stack_top, %esp
  cmp $MB_BOOT_MAGIC, %eax
  jne bad_magic
  testl $MBI_FLAG_CMDLINE, (%ebx)
  jz bad_cmdline
  mov 16(%ebx), %esi

  // Find the last word of the command line.
  mov %esi, %edi          // start of the current word
1:lodsb
  test %al, %al
  jz 2f
  cmp $' ', %al
  ja 1b
  mov %esi, %edi          // the next word starts after this blank
  jmp 1b
2:mov %edi, %esi

  // Parse it as hex, "0x" optional, at most 8 digits (the entry must be in the identity map).
  cmpw $0x7830, (%esi)    // "0x"
  jne 3f
  add $2, %esi
3:xor %edx, %edx
  xor %ecx, %ecx          // digits seen
4:lodsb
  test %al, %al
  jz 6f
  cmp $' ', %al
  jbe 6f
  sub $'0', %al
  cmp $9, %al
  jbe 5f
  or $0x20, %al           // letters to lower case
  sub $('a' - '0' - 10), %al
  cmp $10, %al
  jb bad_cmdline
  cmp $15, %al
  ja bad_cmdline
5:shl $4, %edx
  movzbl %al, %eax
  or %eax, %edx
  inc %ecx
  cmp $8, %ecx
  ja bad_cmdline
  jmp 4b
6:test %ecx, %ecx
  jz bad_cmdline
  mov %edx, entry

  mov $msg_enter, %esi
  call puts
  mov entry, %eax
  call puthex
  mov $msg_nl, %esi
  call puts

  // Page tables: PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages.
  mov $pml4, %edi
  mov $((pd_end - pml4) / 4), %ecx
  xor %eax, %eax
  rep stosl
  movl $(pdpt + 3), pml4
  mov $pdpt, %edi
  mov $(pd + 3), %eax
  mov $4, %ecx
7:mov %eax, (%edi)
  add $4096, %eax
  add $8, %edi
  loop 7b
  mov $pd, %edi
  mov $0x83, %eax         // present, writable, 2 MiB page
  xor %edx, %edx          // bits 32-63 of the address
  mov $2048, %ecx
8:mov %eax, (%edi)
  mov %edx, 4(%edi)
  add $0x200000, %eax
  adc $0, %edx
  add $8, %edi
  loop 8b

  mov %cr4, %eax
  or $(1 << 5), %eax      // PAE
  mov %eax, %cr4
  mov $pml4, %eax
  mov %eax, %cr3
  mov $0xc0000080, %ecx   // EFER
  rdmsr
  or $(1 << 8), %eax      // LME
  wrmsr
  mov %cr0, %eax
  or $0x80000001, %eax    // PG, PE
  mov %eax, %cr0
  lgdt gdt_desc
  ljmp $0x10, $long_mode

  .code64
long_mode:
  mov $0x18, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  mov %eax, %fs
  mov %eax, %gs
  mov entry(%rip), %eax   // zero-extends
  xor %ebx, %ebx
  xor %ecx, %ecx
  xor %edx, %edx
  xor %esi, %esi
  xor %edi, %edi
  xor %ebp, %ebp
  jmp *%rax

  .code32
bad_magic:
  mov $msg_magic, %esi
  jmp die
bad_cmdline:
  mov $msg_cmdline, %esi
die:
  call puts
  lidt null_idt           // no IDT: the next exception triple-faults, and qemu resets or exits
  int3
  hlt

// puts: print the NUL-terminated string at esi on COM1.
puts:
  lodsb
  test %al, %al
  jz 2f
  mov %al, %ah
  mov $(COM1 + 5), %dx    // wait for an empty transmitter
1:in %dx, %al
  test $0x20, %al
  jz 1b
  mov $COM1, %dx
  mov %ah, %al
  out %al, %dx
  jmp puts
2:ret

// puthex: print eax as 0x followed by 8 hex digits.
puthex:
  mov %eax, %ebx
  mov $msg_0x, %esi
  call puts
  mov $8, %ecx
1:rol $4, %ebx
  mov %ebx, %eax
  and $15, %eax
  movb hexdigits(%eax), %al
  mov %al, digit
  mov $digit, %esi
  push %ecx
  call puts
  pop %ecx
  loop 1b
  ret

  .section .rodata
  .balign 8
gdt:
  .quad 0
  .quad 0
  .quad 0x00af9a000000ffff   // 0x10: 64-bit code
  .quad 0x00cf92000000ffff   // 0x18: flat data
gdt_end:
gdt_desc:
  .word gdt_end - gdt - 1
  .long gdt
null_idt:
  .word 0
  .long 0
hexdigits: .ascii "0123456789abcdef"
msg_enter: .asciz "e2e-shim: long mode, jumping to "
msg_0x: .asciz "0x"
msg_nl: .asciz "\r\n"
msg_magic: .asciz "e2e-shim: not started by a multiboot loader\r\n"
msg_cmdline: .asciz "e2e-shim: the command line must end with the image entry in hex (-append 0x...)\r\n"

  .data
  .balign 4
entry: .long 0
digit: .byte 0, 0

  .bss
  .balign 4096
pml4: .skip 4096
pdpt: .skip 4096
pd: .skip 4 * 4096
pd_end:
stack: .skip 4096
stack_top:

  .section .note.GNU-stack, "", @progbits
