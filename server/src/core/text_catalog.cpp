#include "text_catalog.hpp"

#include <algorithm>

namespace relais {
namespace {

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

bool is_text_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return is_name_char(c) || c == '.'; });
}

// The placeholder that starts at `at` ("<%name>"): its name, or empty when malformed.
std::string_view placeholder_at(std::string_view text, std::size_t at) {
    std::size_t end = at + 2;
    while (end < text.size() && is_name_char(text[end])) ++end;
    if (end == at + 2 || end >= text.size() || text[end] != '>') return {};
    return text.substr(at + 2, end - at - 2);
}

Error malformed(std::string_view origin, std::size_t line, std::string_view what) {
    Error e = make_error(ErrorKind::internal, "texts_malformed");
    e.detail = std::string(origin) + ":" + std::to_string(line) + ": " + std::string(what);
    return e;
}

}  // namespace

Result<void> TextCatalog::add(std::string_view source, std::string_view origin) {
    std::string name;
    std::vector<std::string_view> lines;
    auto finish = [&]() -> Result<void> {
        if (name.empty()) return {};
        while (!lines.empty() && lines.back().empty()) lines.pop_back();
        std::size_t first = 0;
        while (first < lines.size() && lines[first].empty()) ++first;
        std::string text;
        for (std::size_t i = first; i < lines.size(); ++i) {
            if (i > first) text += '\n';
            text += lines[i];
        }
        texts_.emplace(name, std::move(text));
        lines.clear();
        return {};
    };
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < source.size()) {
        std::size_t nl = source.find('\n', pos);
        std::string_view line = source.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? source.size() : nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') return malformed(origin, line_no, "carriage return");
        if (!line.empty() && line.front() == '#') continue;
        if (!line.empty() && line.front() == '[') {
            if (line.back() != ']' || !is_text_name(line.substr(1, line.size() - 2)))
                return malformed(origin, line_no, "a header is [name]: a-z, 0-9, '_' and '.'");
            TRY(finish());
            name = std::string(line.substr(1, line.size() - 2));
            if (texts_.contains(name)) return malformed(origin, line_no, "[" + name + "] given twice");
            continue;
        }
        if (name.empty()) {
            if (!line.empty()) return malformed(origin, line_no, "text before the first [name]");
            continue;
        }
        for (std::size_t at = line.find("<%"); at != std::string_view::npos; at = line.find("<%", at + 2))
            if (placeholder_at(line, at).empty())
                return malformed(origin, line_no, "a placeholder is <%name>: a-z, 0-9 and '_'");
        lines.push_back(line);
    }
    return finish();
}

const std::string* TextCatalog::find(std::string_view name) const {
    const auto it = texts_.find(name);
    return it == texts_.end() ? nullptr : &it->second;
}

Result<LanguageTexts> load_language_texts(std::span<const EmbeddedFile> files) {
    LanguageTexts out;
    for (const EmbeddedFile& f : files) {
        TextCatalog* catalog = f.path.starts_with("fr/") ? &out.fr : f.path.starts_with("en/") ? &out.en : nullptr;
        if (!catalog) return malformed(f.path, 0, "not under fr/ or en/");
        TRY(catalog->add(f.bytes, f.path));
    }
    return out;
}

std::vector<std::string> placeholders_of(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t at = text.find("<%"); at != std::string_view::npos; at = text.find("<%", at + 2)) {
        const std::string_view name = placeholder_at(text, at);
        if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
    }
    return out;
}

Result<std::string> fill_text(std::string_view text, const TextValues& values) {
    std::string out;
    std::size_t i = 0;
    for (std::size_t at = text.find("<%"); at != std::string_view::npos; at = text.find("<%", i)) {
        const std::string_view name = placeholder_at(text, at);
        out += text.substr(i, at - i);
        if (name.empty()) {  // not a placeholder: kept as written
            out += "<%";
            i = at + 2;
            continue;
        }
        const auto it = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
        if (it == values.end())
            return make_error(ErrorKind::internal, "text_value_missing", {{"name", std::string(name)}});
        out += it->second;
        i = at + name.size() + 3;
    }
    out += text.substr(i);
    return out;
}

}  // namespace relais
