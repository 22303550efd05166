// SPDX-License-Identifier: GPL-2.0-only
// Errors that reach the user as one line: exit status 2 for bad input, 1 for a mismatch.
#pragma once

#include <stdexcept>
#include <string>

namespace styx::host {

/// Bad input: the message names the input (file, option) and the problem, in one line.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A segment's bytes do not match the digest the image records; the message names the segment.
class DigestMismatch : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace styx::host
