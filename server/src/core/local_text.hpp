#pragma once
// A text written in French and/or English by the dealership (an agreement's title and text).

#include <string>
#include <string_view>

namespace relais {

/// At least one of the two is set (see `in`).
struct LocalText {
    std::string fr, en;
    /// The text in `language`, else in the other language.
    const std::string& in(std::string_view language) const {
        if (language == "en") return en.empty() ? fr : en;
        return fr.empty() ? en : fr;
    }
};

}  // namespace relais
