#include "messages.hpp"

#include "text.hpp"

#include <algorithm>

namespace relais {

const Result<LanguageTexts>& error_texts() {
    static const Result<LanguageTexts> texts = load_language_texts(embedded_error_texts());
    return texts;
}

std::string render_message(std::string_view code, const Params& params, std::string_view lang) {
    if (!error_texts().ok()) return std::string(code);
    const TextCatalog& c = error_texts()->in(lang == "fr" ? "fr" : "en");
    const std::string* text = nullptr;
    // A more specific sentence for one parameter value ("not_found.party", "email_invalid.domain").
    for (const auto& [name, value] : params) {
        if (name == "what" || name == "reason") {
            if (const std::string* specific = c.find(std::string(code) + "." + value)) text = specific;
        }
    }
    if (!text) text = c.find(code);
    if (!text) return std::string(code);
    // The values by placeholder: the first parameter of that name, words of the table for a type
    // or a role; a placeholder that no parameter fills stays as written (a caller's slip shows,
    // and an error is still answered).
    const std::vector<std::string> names = placeholders_of(*text);  // `values` points into it
    TextValues values;
    for (const std::string& name : names) {
        const auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
        if (it == params.end()) {
            values.emplace_back(name, "<%" + name + ">");
            continue;
        }
        std::string shown = it->second;
        if (name == "expected" || name == "role") {
            if (const std::string* word = c.find((name == "expected" ? "type." : "role.") + shown)) shown = *word;
        }
        values.emplace_back(name, std::move(shown));
    }
    // Every placeholder has a value above: filling cannot fail.
    std::string out = fill_text(*text, values).value();
    if (lang == "fr") {
        // French puts a space before : ; ? ! that must never start a line: make it a no-break space.
        for (const char* mark : {" :", " ;", " ?", " !"}) {
            const std::string nbsp = std::string("\u00a0") + mark[1];
            for (std::size_t pos = out.find(mark); pos != std::string::npos; pos = out.find(mark, pos + nbsp.size())) {
                out.replace(pos, 2, nbsp);
            }
        }
    }
    return out;
}

std::string choose_language(std::string_view user_choice, const std::string* accept_language,
                            std::string_view dealer_language) {
    if (user_choice == "fr" || user_choice == "en") return std::string(user_choice);
    if (accept_language) {
        // Browsers list languages by preference: the first of ours that appears wins.
        const std::string al = ascii_lower(*accept_language);
        std::size_t start = 0;
        while (start < al.size()) {
            std::size_t end = al.find(',', start);
            if (end == std::string::npos) end = al.size();
            const std::string_view item = trim(std::string_view(al).substr(start, end - start));
            if (item.rfind("fr", 0) == 0) return "fr";
            if (item.rfind("en", 0) == 0) return "en";
            start = end + 1;
        }
    }
    return dealer_language == "en" ? "en" : "fr";
}

std::string_view plural(std::string_view lang, long long n, std::string_view one, std::string_view other) {
    if (lang == "fr") return n == 0 || n == 1 ? one : other;
    return n == 1 ? one : other;
}

}  // namespace relais
