#pragma once
// Questions on an offer's items (issue 15, seed 000): on the customer's page each item has "ask a
// question"; the question is an `item.question_asked` event (so the advisor is notified, through
// notifications/) and an entry of the item's thread in offer_questions; the advisor's answers are
// entries too (`item.question_answered`), shown on the customer's page as soon as written. The
// customer is *told* of answers by one message per offer, about kAnswerQuiet after the last answer
// of a burst (at most kAnswerCap after the first), in opening hours, through the outbox to the
// recipients who asked, never to one who opted out. When that message is due is in
// offer_answer_messages, moved in the transaction that answers; the message is queued in the
// transaction that removes the row, so a restart neither loses nor doubles it. One scheduler job
// in memory (kAnswerJob) is armed at the earliest due one, as the digests' is.

#include "config.hpp"
#include "db.hpp"
#include "enum_names.hpp"
#include "offer.hpp"
#include "timeline.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

class Clock;
class Random;
class TimeZone;

enum class QuestionAuthor { customer, advisor };
template <>
struct EnumNames<QuestionAuthor> {
    static constexpr NameTable<QuestionAuthor, 2> table{
        {{QuestionAuthor::customer, "customer"}, {QuestionAuthor::advisor, "advisor"}}};
};

/// One entry of an item's thread: a customer's question or an advisor's answer.
struct ItemQuestion {
    Id id = 0;
    Id offer_id = 0;
    Id ro_id = 0;
    Id intervention_id = 0;
    QuestionAuthor author = QuestionAuthor::customer;
    std::string text;
    UnixMs at = 0;
    std::string by_name;            // the advisor's name; the recipient's for a customer
    std::optional<UnixMs> told_at;  // an answer: when the message telling the customer was queued
};

/// The longest question or answer, in characters.
inline constexpr std::size_t kMaxQuestionChars = 1000;
/// Questions one offer's links may ask: a link cannot flood the advisor.
inline constexpr int kQuestionsPerHour = 10;
inline constexpr int kQuestionsPerDay = 30;
/// Time between the last answer of a burst and the message, and the longest an answer waits.
inline constexpr UnixMs kAnswerQuiet = 10 * 60'000;
inline constexpr UnixMs kAnswerCap = 60 * 60'000;
inline constexpr std::string_view kAnswerJob = "offers.answers";

namespace questions {

/// Trims and checks a question's or answer's text (required, at most kMaxQuestionChars, several
/// lines); a problem names `field`.
bool check_text(std::string& text, const std::string& field, Problems& problems);

/// In the caller's transaction (the customer's page, on a link it checked): records `text` (checked
/// by check_text) on the item, with its event (`extra`: where the customer was). 422 unknown_item
/// (field `intervention_id`) for an item not in the offer; 429 too_many_questions past the limits.
Result<ItemQuestion> ask(Connection& conn, const Offer& offer, const OfferRecipient* recipient, Id intervention_id,
                         const std::string& text, UnixMs now, const nlohmann::json& extra);

/// Every entry of the RO's threads, oldest first (all its offers: an item keeps its thread when a
/// new version is sent).
Result<std::vector<ItemQuestion>> of_repair_order(Connection& conn, Id ro_id);

}  // namespace questions

struct QuestionServiceDeps {
    Database& db;
    const Config& config;  // opening hours, the dealership's name, the links' base URL
    Random& random;        // the messages' links
    const Clock& clock;
    const TimeZone& zone;
};

/// Thread-safe. Everything in `deps` must outlive the service.
class QuestionService {
public:
    explicit QuestionService(QuestionServiceDeps deps);

    /// The RO's threads (of_repair_order).
    Result<std::vector<ItemQuestion>> list(Id ro_id);
    /// The advisor's answer on the RO's item, to the offer its last question was asked on (or the
    /// RO's live version, newer, that still has the item: the message links to it); the
    /// message is due kAnswerQuiet from now (the burst's cap kept). 404 `repair_order`; 409
    /// no_question when nobody asked about the item; 422 on the text.
    Result<ItemQuestion> answer(Id ro_id, Id intervention_id, std::string text, const Actor& actor);

    /// Queues every answer message due now. Returns when the next one is due (now when more were
    /// due than a pass takes). One that fails is tried again later, the others go on.
    Result<std::optional<UnixMs>> run_due();
    /// The earliest due message.
    Result<std::optional<UnixMs>> next_due();

    /// Called after every commit that moved a due time (the wiring re-arms the job). Set once.
    void on_changed(std::function<void()> hook) { changed_hook_ = std::move(hook); }
    /// Called after a pass that queued a message (the outbox wakes). Set once, before use.
    void on_queued(std::function<void()> hook) { queued_hook_ = std::move(hook); }

private:
    Result<bool> run_one(Id offer_id, UnixMs now);

    QuestionServiceDeps d_;
    std::function<void()> changed_hook_;
    std::function<void()> queued_hook_;
};

}  // namespace relais
