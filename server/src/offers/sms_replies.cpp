#include "sms_replies.hpp"

#include "offer_links.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "ro_service.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace relais {

using nlohmann::json;

namespace {

// Longer than any answer with its thanks: a longer text is never one.
constexpr std::size_t kLongestAnswer = 64;

struct Keyword {
    std::vector<std::string_view> words;
    SmsReply reply;
};

// The words, folded (lower case, no accents), each answer in French and English.
const std::array<Keyword, 6> kKeywords = {{{{"oui"}, SmsReply::yes},
                                           {{"yes"}, SmsReply::yes},
                                           {{"non"}, SmsReply::no},
                                           {{"no"}, SmsReply::no},
                                           {{"appelez", "moi"}, SmsReply::call_me},
                                           {{"call", "me"}, SmsReply::call_me}}};

// What may follow the keyword, and nothing else.
const std::array<std::vector<std::string_view>, 4> kThanks = {{{}, {"merci"}, {"thanks"}, {"thank", "you"}}};

bool is_ascii_alnum(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }

// The folded text's words, split on ASCII spaces and punctuation; none when it holds a question
// mark or anything outside ASCII once folded (an emoji, a letter of another script, « »).
std::optional<std::vector<std::string>> words_of(std::string_view text) {
    const std::string folded = fold_for_search(text);
    std::vector<std::string> words;
    std::string word;
    for (char ch : folded) {
        if (ch == '?' || static_cast<unsigned char>(ch) >= 0x80) return std::nullopt;
        if (is_ascii_alnum(ch)) {
            word += ch;
            continue;
        }
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

bool waiting_for_answer(OfferState s) {
    return s == OfferState::sent || s == OfferState::received || s == OfferState::seen;
}

}  // namespace

std::optional<SmsReply> parse_sms_reply(std::string_view text) {
    if (text.size() > kLongestAnswer) return std::nullopt;
    const auto words = words_of(text);
    if (!words) return std::nullopt;
    for (const Keyword& k : kKeywords) {
        for (const auto& thanks : kThanks) {
            if (words->size() != k.words.size() + thanks.size()) continue;
            if (std::equal(k.words.begin(), k.words.end(), words->begin()) &&
                std::equal(thanks.begin(), thanks.end(), words->begin() + static_cast<long>(k.words.size())))
                return k.reply;
        }
    }
    return std::nullopt;
}

std::map<Id, Decision> sms_reply_decisions(SmsReply reply, const OfferSnapshot& snapshot) {
    std::map<Id, Decision> out;
    for (const OfferItem& item : snapshot.items) {
        if (item.informational()) continue;
        switch (reply) {
            case SmsReply::yes: out[item.intervention_id] = Decision::accept; break;
            case SmsReply::call_me: out[item.intervention_id] = Decision::contact_me; break;
            case SmsReply::no:
                out[item.intervention_id] =
                    item.kind == InterventionKind::optional ? Decision::decline : Decision::accept;
                break;
        }
    }
    return out;
}

bool sms_replies_possible(const Config& config, const Offer& offer) {
    if (!config.reminders.sms_replies) return false;
    const auto& items = offer.snapshot.items;
    const auto& agreements = offer.snapshot.agreements;
    return std::any_of(items.begin(), items.end(), [](const OfferItem& i) { return !i.informational(); }) &&
           std::none_of(agreements.begin(), agreements.end(), [](const OfferAgreement& a) { return a.mandatory; });
}

Result<bool> apply_sms_reply(Connection& c, const Config& config, Random& random, const InboundReply& reply,
                             UnixMs now) {
    if (!config.reminders.sms_replies || !reply.complete) return false;
    const std::optional<SmsReply> answer = parse_sms_reply(reply.text);
    if (!answer) return false;
    TRY_ASSIGN(const auto offer, load_offer(c, reply.offer_id));
    if (!offer || !waiting_for_answer(offer->state) || !sms_replies_possible(config, *offer)) return false;
    const auto recipient =
        std::find_if(offer->recipients.begin(), offer->recipients.end(), [&](const OfferRecipient& r) {
            return r.id == reply.recipient_id && r.channel == Channel::sms && r.address == reply.from;
        });
    if (recipient == offer->recipients.end()) return false;
    TRY_ASSIGN(const auto ro, RepairOrderService::read(c, offer->ro_id));
    if (!ro) return false;
    // A number that said STOP gets no acknowledgement, so its answer is the advisor's to take.
    TRY_ASSIGN(const bool stopped, recipient_opted_out(c, *ro, recipient->contact_point_id, recipient->address));
    if (stopped) return false;

    const std::map<Id, Decision> decisions = sms_reply_decisions(*answer, offer->snapshot);
    TRY(offer_links::record_decisions(c, offer->id, decisions, now));
    json answers = json::object();
    for (const auto& [id, d] : decisions) answers[std::to_string(id)] = to_string(d);
    // The customer, named as the customer's page names them (the recipient the offer went to).
    const Actor customer{Actor::Kind::customer, 0, recipient->name.empty() ? reply.from : recipient->name};
    TRY_ASSIGN(const auto entered, offer_state::move(c,
                                                     {.offer_id = offer->id,
                                                      .to = OfferState::confirmed,
                                                      .at = now,
                                                      .by = customer,
                                                      .event_type = "offer.confirmed"},
                                                     json{{"by", "sms"},
                                                          {"from", reply.from},
                                                          {"reply", reply.text},
                                                          {"inbound_id", reply.inbound_id},
                                                          {"decisions", answers},
                                                          {"agreements", json::array()}}));
    if (entered.empty()) return internal_error("offer " + std::to_string(offer->id) + " could not be confirmed");

    Offer localized = *offer;
    localized.language = recipient->language;
    // NON with nothing the car came in for keeps no work at all: said so, not "only the work booked".
    const bool work_kept =
        std::any_of(decisions.begin(), decisions.end(), [](const auto& d) { return d.second == Decision::accept; });
    TRY(queue_linked_message(
        c, random, config,
        {.offer = *offer,
         .recipient = *recipient,
         .purpose = "sms_decision_ack",
         .now = now,
         .link_expires_at = now + kLinkValidityMs,
         .due_at = std::nullopt},
        [&](const std::string& url) { return sms_reply_ack(config, localized, *answer, work_kept, url); }));
    return true;
}

}  // namespace relais
