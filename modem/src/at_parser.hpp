#pragma once
// Bytes from a modem → lines. Lines end with CR, LF or both (modems differ); empty lines are
// dropped. The "> " prompt that follows AT+CMGS has no line end, so the unfinished line is
// kept visible (pending()) for the channel to recognise it. Lines come out as valid UTF-8:
// bytes that are not, and control characters, are escaped (escape_untrusted). Pure, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais::modem {

class AtLineParser {
public:
    /// Complete lines in `bytes` (and any earlier partial line), without their line ends.
    std::vector<std::string> feed(std::string_view bytes);
    /// What came after the last line end.
    const std::string& pending() const { return partial_; }
    void clear_pending() { partial_.clear(); }
    void reset() { partial_.clear(); }

    /// A line longer than this without a line end is noise: it is dropped.
    static constexpr std::size_t max_line = 4096;

private:
    std::string partial_;
};

/// A numeric AT parameter ("3", " 12 "): a non-negative decimal of at most 9 digits,
/// surrounding blanks ignored; nothing for anything else.
std::optional<int> parse_at_number(std::string_view s);
/// The comma-separated fields of an answer ("1,,\"a,b\"" → {"1", "", "\"a,b\""}), trimmed,
/// quotes kept and commas inside them not splitting.
std::vector<std::string> at_fields(std::string_view s);
/// "\"SM\"" → "SM"; anything else unchanged.
std::string at_unquote(std::string s);

}  // namespace relais::modem
