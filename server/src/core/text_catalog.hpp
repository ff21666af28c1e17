#pragma once
// Texts as data (issue 14): the sentences Relais writes, kept per language in files under
// config/texts/<lang>/ and embedded into the binary at build time (cmake/EmbedFiles.cmake), so
// the appliance reads no file for them. The format (config/texts/README.md):
//
//   # a comment line
//   [offer_sms]
//   <%dealer_name> : le devis de votre <%vehicle> est disponible. Répondez ici : <%link>
//
// A text is the lines after its `[name]` header up to the next header, joined with "\n", blank
// lines at its start and end dropped. A placeholder is `<%name>` (letters, digits, `_`), the
// syntax of the templates of issue 15. Pure parsing and filling: no I/O, no escaping (the email
// layout escapes whole paragraphs, values included, when it writes HTML).

#include "result.hpp"

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relais {

/// A file the build embedded: its path under its folder ("fr/errors.txt") and its bytes.
struct EmbeddedFile {
    std::string_view path;
    std::string_view bytes;
};

/// A text the code uses, with the values it gives it: a text may name only those placeholders
/// (each family of texts lists its own: customer_texts, staff_texts).
struct TextSpec {
    std::string_view name;
    std::vector<std::string_view> placeholders;
};

/// The values of a text's placeholders, by name.
using TextValues = std::vector<std::pair<std::string_view, std::string>>;

/// One language's texts, by name.
class TextCatalog {
public:
    /// Adds the texts of one file; `origin` names it in errors. A name given twice (in this
    /// file or an earlier one), a line before the first header, a malformed header or
    /// placeholder is an error (`texts_malformed`, detail "origin:line: what").
    Result<void> add(std::string_view source, std::string_view origin);

    /// nullptr when there is no such text.
    const std::string* find(std::string_view name) const;
    const std::map<std::string, std::string, std::less<>>& texts() const { return texts_; }

private:
    std::map<std::string, std::string, std::less<>> texts_;
};

/// The texts of both languages; anything but "en" reads as French, the dealership's default.
struct LanguageTexts {
    TextCatalog fr, en;
    const TextCatalog& in(std::string_view language) const { return language == "en" ? en : fr; }
};

/// Reads embedded files named "<lang>/<file>.txt" into `fr` and `en` (other languages refused).
Result<LanguageTexts> load_language_texts(std::span<const EmbeddedFile> files);

/// The placeholders a text names, each once, in the order they first appear.
std::vector<std::string> placeholders_of(std::string_view text);

/// `text` with every `<%name>` replaced by its value. A placeholder with no value is an error
/// (`text_value_missing`, the name in `params`), never an empty string.
Result<std::string> fill_text(std::string_view text, const TextValues& values);

}  // namespace relais
