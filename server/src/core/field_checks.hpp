#pragma once
// Checking a text a client sent for a field, the same way everywhere (repair orders, offers'
// notes, agreements): trimmed, one kind of line end, no control or bidi characters, a length in
// characters. Problems are collected with the field's name, for the client to hear about all.

#include "result.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace relais {

/// Trims a text field and checks it, adding a problem named `field` when it is wrong: control
/// characters (a one-line field takes no newline; a multi-line one has its CR and CRLF made LF),
/// empty when `required`, longer than `max` characters. Returns false on a problem.
bool check_text_field(std::string& value, const std::string& field, std::size_t max, bool multiline, bool required,
                      Problems& problems);

/// check_text_field() on `value` when it is set, and `target` takes it when it passes.
void set_text(std::string& target, const std::optional<std::string>& value, const std::string& field, std::size_t max,
              bool multiline, bool required, Problems& problems);

}  // namespace relais
