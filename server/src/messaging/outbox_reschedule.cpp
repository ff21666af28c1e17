// A scheduled message's due time moved (outbox.hpp, outbox_store::reschedule): beside the
// outbox rather than in outbox.cpp, which holds the dispatcher and is at its size limit.
#include "outbox.hpp"

namespace relais::outbox_store {

Result<int> reschedule(Connection& c, Id offer_id, UnixMs due_at) {
    TRY_ASSIGN(auto q, c.prepare("UPDATE outbox SET next_attempt_at = ? WHERE offer_id = ? AND state = 'pending' AND "
                                 "attempts = 0"));
    q.bind(1, due_at).bind(2, offer_id);
    TRY(q.run());
    return c.changes();
}

}  // namespace relais::outbox_store
