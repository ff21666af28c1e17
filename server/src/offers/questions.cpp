#include "questions.hpp"

#include "due_rows.hpp"
#include "field_checks.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "offer_store.hpp"
#include "opening_hours.hpp"
#include "ro_service.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace relais {

using nlohmann::json;

namespace {

constexpr int kAnswersPerPass = 50;
// A message that could not be queued (an error) is tried again so much later.
constexpr UnixMs kAnswersAfterFailure = 10 * 60'000;
constexpr UnixMs kQuestionHour = 3'600'000;

constexpr const char* kColumns =
    "SELECT id, offer_id, ro_id, intervention_id, author, body, at, by_name, told_at FROM offer_questions ";

Result<std::vector<ItemQuestion>> read_entries(Statement& q) {
    std::vector<ItemQuestion> out;
    for (;;) {
        TRY_ASSIGN(const bool row, q.step());
        if (!row) break;
        ItemQuestion e;
        e.id = q.int64(0);
        e.offer_id = q.int64(1);
        e.ro_id = q.int64(2);
        e.intervention_id = q.int64(3);
        e.author = parse_enum<QuestionAuthor>(q.text(4)).value_or(QuestionAuthor::customer);
        e.text = q.text(5);
        e.at = q.int64(6);
        e.by_name = q.text(7);
        e.told_at = q.optional_int64(8);
        out.push_back(std::move(e));
    }
    return out;
}

const OfferItem* item_of(const Offer& offer, Id intervention_id) {
    for (const OfferItem& i : offer.snapshot.items)
        if (i.intervention_id == intervention_id) return &i;
    return nullptr;
}

Result<Id> insert(Connection& c, const ItemQuestion& e, std::optional<Id> recipient_id, std::optional<Id> by_user) {
    TRY_ASSIGN(auto s, c.prepare("INSERT INTO offer_questions (offer_id, ro_id, intervention_id, author, body, at, "
                                 "recipient_id, by_user_id, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind(1, e.offer_id).bind(2, e.ro_id).bind(3, e.intervention_id).bind(4, to_string(e.author));
    s.bind(5, e.text).bind(6, e.at).bind(7, recipient_id).bind(8, by_user).bind(9, e.by_name);
    TRY(s.run());
    return c.last_insert_id();
}

// Questions asked through the offer's links since `since`, and the oldest of them.
Result<std::pair<std::int64_t, UnixMs>> asked_since(Connection& c, Id offer_id, UnixMs since) {
    TRY_ASSIGN(auto s, c.prepare("SELECT count(*), min(at) FROM offer_questions WHERE offer_id = ? AND author = "
                                 "'customer' AND at > ?"));
    s.bind(1, offer_id).bind(2, since);
    TRY(s.step());
    return std::pair<std::int64_t, UnixMs>{s.int64(0), s.optional_int64(1).value_or(since)};
}

}  // namespace

namespace questions {

bool check_text(std::string& text, const std::string& field, Problems& problems) {
    // Checked in characters below; a body far over the limit is refused before it is walked.
    if (text.size() > kMaxQuestionChars * 4) {
        problems.push_back({field, "too_long", {{"max", std::to_string(kMaxQuestionChars)}}});
        return false;
    }
    return check_text_field(text, field, kMaxQuestionChars, true, true, problems);
}

Result<ItemQuestion> ask(Connection& c, const Offer& offer, const OfferRecipient* recipient, Id intervention_id,
                         const std::string& text, UnixMs now, const json& extra) {
    const OfferItem* item = item_of(offer, intervention_id);
    if (!item) return validation_error({{"intervention_id", "unknown_item", {}}});
    // The limits, per offer (all its links): a link cannot flood the advisor.
    for (const auto& [window, max] :
         {std::pair{kQuestionHour, kQuestionsPerHour}, std::pair{24 * kQuestionHour, kQuestionsPerDay}}) {
        TRY_ASSIGN(const auto asked, asked_since(c, offer.id, now - window));
        if (asked.first < max) continue;
        Error e = make_error(ErrorKind::throttled, "too_many_questions");
        e.retry_after_s = static_cast<int>(std::max<UnixMs>(1, asked.second + window - now + 999) / 1000);
        return e;
    }
    ItemQuestion e;
    e.offer_id = offer.id;
    e.ro_id = offer.ro_id;
    e.intervention_id = intervention_id;
    e.author = QuestionAuthor::customer;
    e.text = text;
    e.at = now;
    e.by_name = recipient ? recipient->name : "";
    TRY_ASSIGN(e.id, insert(c, e, recipient ? std::optional<Id>(recipient->id) : std::nullopt, std::nullopt));
    json data = extra.is_object() ? extra : json::object();
    data["offer_id"] = offer.id;
    data["version"] = offer.version;
    data["intervention_id"] = intervention_id;
    data["label"] = item->label;
    data["text"] = text;
    TRY(timeline::record(c, offer.ro_id, now, Actor{Actor::Kind::customer, 0, e.by_name}, "item.question_asked", data));
    return e;
}

Result<std::vector<ItemQuestion>> of_repair_order(Connection& c, Id ro_id) {
    TRY_ASSIGN(auto q, c.prepare(std::string(kColumns) + "WHERE ro_id = ? ORDER BY id"));
    q.bind(1, ro_id);
    return read_entries(q);
}

}  // namespace questions

QuestionService::QuestionService(QuestionServiceDeps deps) : d_(deps) {}

Result<std::vector<ItemQuestion>> QuestionService::list(Id ro_id) {
    return d_.db.read([&](Connection& c) { return questions::of_repair_order(c, ro_id); });
}

Result<ItemQuestion> QuestionService::answer(Id ro_id, Id intervention_id, std::string text, const Actor& actor) {
    Problems problems;
    if (!questions::check_text(text, "text", problems)) return validation_error(problems);
    const UnixMs now = d_.clock.now();
    auto result = d_.db.write([&](Connection& c) -> Result<ItemQuestion> {
        TRY_ASSIGN(auto ro, RepairOrderService::read(c, ro_id));
        if (!ro) return not_found_error("repair_order");
        TRY_ASSIGN(auto last, c.prepare("SELECT offer_id FROM offer_questions WHERE ro_id = ? AND intervention_id = ? "
                                        "AND author = 'customer' ORDER BY id DESC LIMIT 1"));
        last.bind(1, ro_id).bind(2, intervention_id);
        TRY_ASSIGN(const bool asked, last.step());
        if (!asked) return make_error(ErrorKind::conflict, "no_question");
        Id offer_id = last.int64(0);
        // Told through the RO's live version when a newer one went out since the question (its
        // page shows the item's thread; the old link only says that a newer version exists).
        TRY_ASSIGN(auto live, c.prepare("SELECT id FROM offers WHERE ro_id = ? AND state IN ('sent', 'received', "
                                        "'seen', 'confirmed', 'locked') ORDER BY version DESC LIMIT 1"));
        live.bind(1, ro_id);
        TRY_ASSIGN(const bool has_live, live.step());
        if (has_live && live.int64(0) != offer_id) {
            TRY_ASSIGN(auto newer, offer_store::load(c, live.int64(0)));
            if (newer && item_of(*newer, intervention_id)) offer_id = newer->id;
        }
        TRY_ASSIGN(auto offer, offer_store::load(c, offer_id));
        if (!offer) return internal_error("a question on a missing offer");
        const OfferItem* item = item_of(*offer, intervention_id);
        ItemQuestion e;
        e.offer_id = offer->id;
        e.ro_id = ro_id;
        e.intervention_id = intervention_id;
        e.author = QuestionAuthor::advisor;
        e.text = text;
        e.at = now;
        e.by_name = actor.name;
        const auto by_user = actor.kind == Actor::Kind::user ? std::optional<Id>(actor.id) : std::nullopt;
        TRY_ASSIGN(e.id, insert(c, e, std::nullopt, by_user));
        TRY(timeline::record(c, ro_id, now, actor, "item.question_answered",
                             {{"offer_id", offer->id},
                              {"version", offer->version},
                              {"intervention_id", intervention_id},
                              {"label", item ? item->label : ""},
                              {"text", text}}));
        // The message waits kAnswerQuiet after the last answer, never more than kAnswerCap after
        // the first one it carries (a later opening may still move it).
        TRY_ASSIGN(auto due,
                   c.prepare("INSERT INTO offer_answer_messages (offer_id, first_at, due_at) VALUES (?, ?, ?) "
                             "ON CONFLICT (offer_id) DO UPDATE SET due_at = max(offer_answer_messages.due_at, "
                             "min(excluded.due_at, offer_answer_messages.first_at + ?))"));
        due.bind(1, offer->id).bind(2, now).bind(3, now + kAnswerQuiet).bind(4, kAnswerCap);
        TRY(due.run());
        return e;
    });
    if (result && changed_hook_) changed_hook_();
    return result;
}

Result<bool> QuestionService::run_one(Id offer_id, UnixMs now) {
    return d_.db.write([&](Connection& c) -> Result<bool> {
        TRY_ASSIGN(auto due, c.prepare("SELECT due_at FROM offer_answer_messages WHERE offer_id = ?"));
        due.bind(1, offer_id);
        TRY_ASSIGN(const bool pending, due.step());
        if (!pending || due.int64(0) > now) return false;  // sent or moved since it was found due
        const auto done = [&]() -> Result<void> {
            TRY_ASSIGN(auto told, c.prepare("UPDATE offer_questions SET told_at = ? WHERE offer_id = ? AND author = "
                                            "'advisor' AND told_at IS NULL"));
            told.bind(1, now).bind(2, offer_id);
            TRY(told.run());
            TRY_ASSIGN(auto del, c.prepare("DELETE FROM offer_answer_messages WHERE offer_id = ?"));
            del.bind(1, offer_id);
            return del.run();
        };
        const OpeningHours& hours = d_.config.hours.opening;
        if (!is_open(hours, d_.zone, now)) {
            // An automatic message, like a reminder: it waits for the workshop to open.
            TRY_ASSIGN(auto later, c.prepare("UPDATE offer_answer_messages SET due_at = ? WHERE offer_id = ?"));
            later.bind(1, next_opening(hours, d_.zone, now)).bind(2, offer_id);
            TRY(later.run());
            return false;
        }
        TRY_ASSIGN(auto offer, offer_store::load(c, offer_id));
        std::optional<RepairOrder> ro;
        if (offer) {
            TRY_ASSIGN(ro, RepairOrderService::read(c, offer->ro_id));
        }
        if (!offer || !ro) {
            TRY(done());
            return false;
        }
        TRY_ASSIGN(const auto thread, questions::of_repair_order(c, offer->ro_id));
        // The answers not told yet, per item in the order answered, each with the question before it.
        std::vector<AnsweredItem> items;
        std::map<Id, std::size_t> index;
        std::set<Id> askers;
        std::string advisor;
        for (const ItemQuestion& e : thread) {
            if (e.offer_id != offer_id || e.author != QuestionAuthor::advisor || e.told_at) continue;
            advisor = e.by_name;
            auto [it, fresh] = index.emplace(e.intervention_id, items.size());
            if (fresh) {
                AnsweredItem a;
                const OfferItem* item = item_of(*offer, e.intervention_id);
                a.label = item ? item->label : "";
                for (const ItemQuestion& q : thread)
                    if (q.id < e.id && q.intervention_id == e.intervention_id && q.author == QuestionAuthor::customer)
                        a.question = q.text;
                items.push_back(std::move(a));
            }
            AnsweredItem& a = items[it->second];
            a.answer += (a.answer.empty() ? "" : "\n") + e.text;
        }
        if (items.empty()) {
            TRY(done());
            return false;
        }
        // Told to whoever asked on this offer (their channel and address), else to every recipient.
        TRY_ASSIGN(auto who, c.prepare("SELECT DISTINCT recipient_id FROM offer_questions WHERE offer_id = ? AND "
                                       "author = 'customer' AND recipient_id IS NOT NULL"));
        who.bind(1, offer_id);
        for (;;) {
            TRY_ASSIGN(const bool row, who.step());
            if (!row) break;
            askers.insert(who.int64(0));
        }
        json sent_to = json::array();
        for (const OfferRecipient& rcp : offer->recipients) {
            if (!askers.empty() && !askers.contains(rcp.id)) continue;
            TRY_ASSIGN(const bool stopped, recipient_opted_out(c, *ro, rcp.contact_point_id, rcp.address));
            if (stopped) continue;
            Offer as_seen = *offer;
            as_seen.language = rcp.language;
            TRY(queue_linked_message(c, d_.random, d_.config,
                                     {.offer = *offer,
                                      .recipient = rcp,
                                      .purpose = "answers",
                                      .now = now,
                                      .link_expires_at = offer->expires_at,
                                      .due_at = std::nullopt},
                                     [&](const std::string& url) {
                                         return rcp.channel == Channel::sms
                                                    ? answers_sms(d_.config, as_seen, items, url)
                                                    : answers_email(d_.config, as_seen, addressee(rcp), advisor, items,
                                                                    url);
                                     }));
            sent_to.push_back({{"channel", to_string(rcp.channel)}, {"address", rcp.address}, {"name", rcp.name}});
        }
        TRY(done());
        if (sent_to.empty()) return false;
        TRY(timeline::record(c, offer->ro_id, now, appliance_actor(), "item.answers_queued",
                             {{"offer_id", offer->id},
                              {"version", offer->version},
                              {"items", static_cast<std::int64_t>(items.size())},
                              {"recipients", sent_to}}));
        return true;
    });
}

Result<std::optional<UnixMs>> QuestionService::run_due() {
    const UnixMs now = d_.clock.now();
    const DuePass pass = run_due_rows(d_.db,
                                      {.table = "offer_answer_messages",
                                       .key = "offer_id",
                                       .per_pass = kAnswersPerPass,
                                       .retry_after = kAnswersAfterFailure},
                                      now, [&](std::int64_t offer) { return run_one(offer, now); });
    if (pass.queued && queued_hook_) queued_hook_();
    if (pass.error) return *pass.error;
    return pass.next;
}

Result<std::optional<UnixMs>> QuestionService::next_due() { return earliest_due_row(d_.db, "offer_answer_messages"); }

}  // namespace relais
