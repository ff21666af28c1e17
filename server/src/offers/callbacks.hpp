#pragma once
// The advisor's callbacks (issue 15): each item a customer answered "contact me" on an offer
// they confirmed (the RO's live version: confirmed or locked), with what came of calling them
// back, kept in offer_callbacks. `not_reached` keeps it on the open list (attempts counted),
// `done` takes it off; each outcome is a `callback.done` / `callback.not_reached` event.

#include "clock.hpp"
#include "db.hpp"
#include "enum_names.hpp"
#include "offer.hpp"
#include "timeline.hpp"

#include <optional>
#include <string>
#include <vector>

namespace relais {

enum class CallbackOutcome { done, not_reached };
template <>
struct EnumNames<CallbackOutcome> {
    static constexpr NameTable<CallbackOutcome, 2> table{
        {{CallbackOutcome::done, "done"}, {CallbackOutcome::not_reached, "not_reached"}}};
};

enum class CallbackFilter { open, all };
template <>
struct EnumNames<CallbackFilter> {
    static constexpr NameTable<CallbackFilter, 2> table{{{CallbackFilter::open, "open"}, {CallbackFilter::all, "all"}}};
};

/// A number to call: the offer's SMS recipients first, then the RO main party's phones.
struct CallbackPhone {
    std::string e164;
    std::string source;  // "sms_recipient" or "contact_point"
};

struct Callback {
    Id offer_id = 0;
    int offer_version = 1;
    Id intervention_id = 0;
    Id ro_id = 0;
    std::string ro_number;
    Vehicle vehicle;  // as sent
    std::string customer_name;
    std::vector<CallbackPhone> phones;
    std::string label;
    Severity severity = Severity::orange;
    Cents price_incl = 0;
    UnixMs asked_at = 0;  // when the customer answered "contact me"
    std::optional<CallbackOutcome> outcome;
    int attempts = 0;  // calls that did not reach the customer
    std::string note;  // the last outcome's
    std::optional<UnixMs> last_at;
    std::string last_by;
    std::optional<UserRef> advisor;  // the RO's, now
};

inline constexpr std::size_t kMaxCallbackNote = 500;

/// Thread-safe. `db` and `clock` must outlive the service.
class CallbackService {
public:
    CallbackService(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

    /// The callbacks, oldest answer first: `open` those not done, `all` every one; only the
    /// ROs of `advisor_id` when given.
    Result<std::vector<Callback>> list(CallbackFilter filter, std::optional<Id> advisor_id = std::nullopt);
    /// Records the outcome of a call. 404 (`callback`) if the pair is no callback; 422 on an
    /// outcome other than done / not_reached or a note over kMaxCallbackNote characters.
    Result<Callback> record(Id offer_id, Id intervention_id, const std::string& outcome, std::string note,
                            const Actor& actor);

private:
    Database& db_;
    const Clock& clock_;
};

}  // namespace relais
