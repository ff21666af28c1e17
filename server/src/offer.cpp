#include "offer.hpp"

#include <array>

namespace relais {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(std::string_view s, const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

constexpr std::array<std::string_view, 11> kStates = {"draft",      "scheduled", "sent",     "received",
                                                      "seen",       "confirmed", "locked",   "failed",
                                                      "superseded", "expired",   "cancelled"};
constexpr std::array<std::string_view, 2> kChannels = {"sms", "email"};
constexpr std::array<std::string_view, 3> kDecisions = {"accept", "decline", "contact_me"};
constexpr std::array<std::string_view, 6> kOutbox = {"pending",   "sending", "sent",
                                                     "delivered", "failed",  "quarantined"};

}  // namespace

std::string_view to_string(OfferState v) { return kStates[static_cast<std::size_t>(v)]; }
std::string_view to_string(Channel v) { return kChannels[static_cast<std::size_t>(v)]; }
std::string_view to_string(Decision v) { return kDecisions[static_cast<std::size_t>(v)]; }
std::string_view to_string(OutboxState v) { return kOutbox[static_cast<std::size_t>(v)]; }
std::optional<OfferState> parse_offer_state(std::string_view s) { return lookup<OfferState>(s, kStates); }
std::optional<Channel> parse_channel(std::string_view s) { return lookup<Channel>(s, kChannels); }
std::optional<Decision> parse_decision(std::string_view s) { return lookup<Decision>(s, kDecisions); }
std::optional<OutboxState> parse_outbox_state(std::string_view s) { return lookup<OutboxState>(s, kOutbox); }

bool is_open(OfferState s) {
    return s == OfferState::draft || s == OfferState::scheduled || s == OfferState::sent || s == OfferState::received ||
           s == OfferState::seen;
}

Cents OfferSnapshot::total_incl() const {
    Cents total = 0;
    for (const auto& i : items) total += i.price_incl;
    return total;
}

}  // namespace relais
