#pragma once
// Message templates (issue 15): the messages a dealer admin may reword, per kind and language,
// over the shipped texts (customer_texts.hpp and, for the advisor's notification and digest,
// staff_texts.hpp; config/texts). A kind is made of customer texts
// (its parts: an email's subject, heading, body…). Every save is a new version, numbered from 1;
// going back to the shipped texts is a version too. A message records the version it was
// written from (OutboxMessage::template_ref). Checked at save (check_template): an unknown or
// malformed placeholder, an email body over 4,000 characters, an SMS that carries the offer's
// page without `<%link>` (an email always carries it: its button, which no template removes).

#include "db.hpp"
#include "ids.hpp"
#include "message_edits.hpp"
#include "outbox_message.hpp"
#include "result.hpp"
#include "text_catalog.hpp"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

struct TemplateKindSpec {
    std::string_view name;  // "offer_sms"
    Channel channel = Channel::sms;
    std::vector<std::string_view> parts;         // the customer texts it is made of, in order
    std::vector<std::string_view> placeholders;  // what each of its parts may name
    bool needs_link = false;                     // an SMS whose whole point is the link
    bool staff = false;                          // a staff text (staff_texts.hpp): each part names what its spec lists
};

/// Every kind an admin may edit, in the order the workspace lists them.
std::span<const TemplateKindSpec> template_kinds();
const TemplateKindSpec* find_template_kind(std::string_view name);
/// The kind a customer text belongs to; nullptr for the shared ones (the greeting, the button).
const TemplateKindSpec* template_kind_of_text(std::string_view text_name);

inline constexpr std::size_t kMaxEmailBodyChars = 4000;  // a body part, in characters
inline constexpr std::size_t kMaxEmailLineChars = 300;   // a subject, heading, preheader…
inline constexpr std::size_t kMaxSmsTemplateChars = 1000;

/// A version's texts, by part name.
using TemplateParts = std::map<std::string, std::string, std::less<>>;

/// What is wrong with `parts` as a version of `kind`, each problem on "parts.<name>": a part
/// missing or unknown, a malformed or unknown placeholder, too long, `<%link>` missing.
Problems check_template(const TemplateKindSpec& kind, const TemplateParts& parts);

/// Whether a body part (limited to kMaxEmailBodyChars, several lines) rather than a one-line part.
bool is_body_part(std::string_view part);

/// The placeholders `part` of `kind` may name: the kind's, or for a staff kind its text's own.
std::vector<std::string_view> placeholders_of_part(const TemplateKindSpec& kind, std::string_view part);

struct TemplateVersion {
    std::string kind;
    std::string language;
    int version = 0;      // 0: the shipped texts, never edited
    bool shipped = true;  // its texts are the shipped ones (version 0, or back to them)
    TemplateParts parts;  // the texts in force, the shipped ones filled in
    UnixMs created_at = 0;
    std::string created_by;
    bool edited_for_send = false;  // an advisor's wording of one send over this version
};

/// "offer_sms/fr/3": what a message records of the version it was written from; "+edited" after
/// it when the advisor reworded that one send.
std::string template_ref(std::string_view kind, std::string_view language, int version, bool edited = false);

/// The shipped texts of `kind` in `language` ("en", else French).
TemplateParts shipped_parts(const TemplateKindSpec& kind, std::string_view language);

/// The texts in force when messages are written, read once in the caller's transaction.
class TemplateTexts {
public:
    TemplateTexts() = default;  // the shipped texts only
    static Result<TemplateTexts> load(Connection& c);

    /// Customer text `name` as the dealership has it now, filled with `values` (values its text
    /// does not name are ignored; one it names but is not given is an error).
    Result<std::string> text(std::string_view name, std::string_view language, const TextValues& values) const;
    /// Staff text `name` as the dealership has it now; as staff_text() does, a text that cannot
    /// be filled gives its shipped one, and that failing, its name (never an empty sentence).
    std::string staff(std::string_view name, std::string_view language, const TextValues& values) const;
    /// The version of `kind` in `language` that text() uses ("" for a kind that is not one).
    std::string ref(std::string_view kind, std::string_view language) const;
    /// Uses `v` for its kind and language (a preview of unsaved texts, one send's wording).
    void put(TemplateVersion v);
    /// The version text() uses for `kind` in `language` (version 0 when never saved).
    TemplateVersion in_force(std::string_view kind, std::string_view language) const;

private:
    const TemplateVersion* edited(std::string_view kind, std::string_view language) const;
    std::vector<TemplateVersion> edited_;  // the kinds saved at least once: their latest version
};

/// The problems of `edits` over `texts` in `language` ("message.sms", "message.email_subject",
/// "message.email_body"), as check_template finds them.
Problems check_edits(const TemplateTexts& texts, const MessageEdits& edits, std::string_view language);

/// `texts` with `edits` over the offer's SMS and email, in both languages (the advisor writes
/// one message, whatever each recipient's language); their refs end in "+edited".
void apply_edits(TemplateTexts& texts, const MessageEdits& edits);

namespace template_store {

/// The version in force: the latest, or version 0.
Result<TemplateVersion> current(Connection& c, const TemplateKindSpec& kind, std::string_view language);
/// Every saved version, newest first (not version 0).
Result<std::vector<TemplateVersion>> history(Connection& c, const TemplateKindSpec& kind, std::string_view language);
/// Writes the next version: `parts`, or back to the shipped texts when nullopt. `parts` must
/// have passed check_template.
Result<TemplateVersion> save(Connection& c, const TemplateKindSpec& kind, std::string_view language,
                             const std::optional<TemplateParts>& parts, UnixMs now, std::optional<Id> user_id,
                             const std::string& user_name);

}  // namespace template_store

}  // namespace relais
