#pragma once
// One way to turn the enums that are stored or sent as words into those words and back. Each
// such enum declares its names once, beside it:
//
//     template <>
//     struct EnumNames<Severity> {
//         static constexpr NameTable<Severity, 3> table{
//             {{Severity::red, "red"}, {Severity::orange, "orange"}, {Severity::green, "green"}}};
//     };
//
// and gets to_string(v), parse_enum<E>(word) and enum_choices<E>(). The table, not the order of
// declaration, ties each value to its word: reordering an enum changes nothing stored.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace relais {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

/// Specialised for each named enum with `static constexpr NameTable<E, N> table`.
template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires {
    EnumNames<E>::table;
};

/// The value's word; "?" for a value missing from the table (a bug the tests catch).
template <NamedEnum E>
constexpr std::string_view to_string(E v) {
    for (const auto& [value, name] : EnumNames<E>::table)
        if (value == v) return name;
    return "?";
}

/// The value named exactly `word` (lower case, as in the table), or nullopt.
template <NamedEnum E>
constexpr std::optional<E> parse_enum(std::string_view word) {
    for (const auto& [value, name] : EnumNames<E>::table)
        if (name == word) return value;
    return std::nullopt;
}

/// The words, comma-separated, for error messages ("red, orange, green").
template <NamedEnum E>
std::string enum_choices() {
    std::string out;
    for (const auto& [value, name] : EnumNames<E>::table) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

}  // namespace relais
