// SPDX-License-Identifier: GPL-2.0-only
#include "format.h"

namespace styx {
namespace {

void put_unsigned(Sink& sink, unsigned long long value, unsigned base, int width, char pad,
                  bool negative = false) {
  char digits[24];
  int n = 0;
  do {
    const unsigned d = static_cast<unsigned>(value % base);
    digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    value /= base;
  } while (value);
  // As printf: spaces go before the sign, zeros after it, and the sign counts in the width.
  const int used = n + (negative ? 1 : 0);
  if (pad == ' ')
    for (int i = used; i < width; ++i) sink.put(' ');
  if (negative) sink.put('-');
  if (pad == '0')
    for (int i = used; i < width; ++i) sink.put('0');
  while (n) sink.put(digits[--n]);
}

}  // namespace

void vformat(Sink& sink, const char* fmt, va_list args) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      sink.put(*fmt);
      continue;
    }
    ++fmt;
    char pad = ' ';
    if (*fmt == '0') {
      pad = '0';
      ++fmt;
    }
    int width = 0;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    int longs = 0;
    while (*fmt == 'l') {
      ++longs;
      ++fmt;
    }
    switch (*fmt) {
      case '%': sink.put('%'); break;
      case 'c': sink.put(static_cast<char>(va_arg(args, int))); break;
      case 's': {
        const char* s = va_arg(args, const char*);
        if (!s) s = "(null)";
        int len = 0;
        while (s[len]) ++len;
        for (int i = len; i < width; ++i) sink.put(' ');
        while (*s) sink.put(*s++);
        break;
      }
      case 'd': {
        long long v = longs == 0   ? va_arg(args, int)
                      : longs == 1 ? va_arg(args, long)
                                   : va_arg(args, long long);
        unsigned long long magnitude = static_cast<unsigned long long>(v);
        if (v < 0) magnitude = 0ull - magnitude;
        put_unsigned(sink, magnitude, 10, width, pad, v < 0);
        break;
      }
      case 'u':
      case 'x': {
        unsigned long long v = longs == 0   ? va_arg(args, unsigned)
                               : longs == 1 ? va_arg(args, unsigned long)
                                            : va_arg(args, unsigned long long);
        put_unsigned(sink, v, *fmt == 'x' ? 16 : 10, width, pad);
        break;
      }
      case '\0': return;
      default: sink.put('?'); break;
    }
  }
}

void format(Sink& sink, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vformat(sink, fmt, args);
  va_end(args);
}

void format_hex_bytes(Sink& sink, const uint8_t* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < size; ++i) {
    sink.put(kHex[bytes[i] >> 4]);
    sink.put(kHex[bytes[i] & 15]);
  }
}

}  // namespace styx
