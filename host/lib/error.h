// Errors that reach the user as one line and exit status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace styx::host {

/// Bad input: the message names the input (file, option) and the problem, in one line.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace styx::host
