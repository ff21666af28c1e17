#pragma once
// Agreements ("conditions", DESIGN.md §1): terms a dealer admin writes once and the customer
// must (mandatory) or may (optional) accept before confirming an offer (seed 004). Wording and
// "mandatory" are versioned: every change makes a new, immutable version; an offer freezes the
// versions current when it is sent, and the customer's acceptance is recorded against those.
// Archiving an agreement keeps its versions (old offers still name them) but leaves it out of
// the next offers.

#include "agreement_terms.hpp"
#include "db.hpp"
#include "timeline.hpp"

#include <optional>
#include <vector>

namespace relais {

class Clock;

struct AgreementVersion {
    int version = 1;
    bool mandatory = true;
    LocalText title, text;
    UnixMs created_at = 0;
    std::string created_by;
};

struct Agreement {
    Id id = 0;
    bool active = true;
    AgreementVersion current;
    std::vector<AgreementVersion> history;  // newest first; filled by get() only
    UnixMs created_at = 0;
};

/// What a client asked for; unset members are left as they are.
struct AgreementPatch {
    std::optional<std::string> title_fr, title_en, text_fr, text_en;
    std::optional<bool> mandatory, active;
};

inline constexpr std::size_t kAgreementTitleMax = 120;
inline constexpr std::size_t kAgreementTextMax = 10'000;
inline constexpr std::size_t kActiveAgreementsMax = 10;  // the customer page stays short

/// Thread-safe (the Database serialises writes). Arguments must outlive the service.
class AgreementService {
public:
    AgreementService(Database& db, const Clock& clock);

    /// Every agreement, active ones first, each with its current version.
    Result<std::vector<Agreement>> list();
    /// One agreement with all its versions.
    Result<Agreement> get(Id id);
    /// A title and a text are needed in at least one language, and each language given needs
    /// both. Recorded as "agreement.created" (no repair order).
    Result<Agreement> create(const AgreementPatch& patch, const Actor& actor);
    /// A change of wording or of `mandatory` makes a new version; `active` alone does not.
    /// Nothing changed: nothing written.
    Result<Agreement> update(Id id, const AgreementPatch& patch, const Actor& actor);

private:
    Database& db_;
    const Clock& clock_;
};

namespace agreement_store {
/// The current version of each active agreement, oldest agreement first: what an offer freezes.
Result<std::vector<OfferAgreement>> current(Connection& conn);
}  // namespace agreement_store

}  // namespace relais
