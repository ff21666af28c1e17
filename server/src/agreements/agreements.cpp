#include "agreements.hpp"

#include "clock.hpp"
#include "field_checks.hpp"
#include "json_text.hpp"

#include <nlohmann/json.hpp>

namespace relais {

using nlohmann::json;

namespace {

constexpr const char* kVersionColumns =
    "version, mandatory, title_fr, title_en, text_fr, text_en, created_at, created_by";

AgreementVersion read_version(const Statement& s, int first) {
    AgreementVersion v;
    v.version = static_cast<int>(s.int64(first));
    v.mandatory = s.int64(first + 1) != 0;
    v.title = {s.text(first + 2), s.text(first + 3)};
    v.text = {s.text(first + 4), s.text(first + 5)};
    v.created_at = s.int64(first + 6);
    v.created_by = s.text(first + 7);
    return v;
}

// Agreements with their current version; `id` set: that one only.
Result<std::vector<Agreement>> load(Connection& c, std::optional<Id> id) {
    TRY_ASSIGN(auto s, c.prepare(std::string("SELECT a.id, a.active, a.created_at, v.") +
                                 "version, v.mandatory, v.title_fr, v.title_en, v.text_fr, v.text_en, v.created_at, "
                                 "v.created_by FROM agreements a JOIN agreement_versions v ON v.agreement_id = a.id "
                                 "AND v.version = (SELECT max(version) FROM agreement_versions WHERE agreement_id = "
                                 "a.id) WHERE ?1 IS NULL OR a.id = ?1 ORDER BY a.active DESC, a.id"));
    s.bind(1, id);
    std::vector<Agreement> out;
    while (true) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        Agreement a;
        a.id = s.int64(0);
        a.active = s.int64(1) != 0;
        a.created_at = s.int64(2);
        a.current = read_version(s, 3);
        out.push_back(std::move(a));
    }
    return out;
}

// Checks the wording of `v` once `patch` is applied; each language given needs both parts.
void apply(AgreementVersion& v, const AgreementPatch& patch, Problems& problems) {
    set_text(v.title.fr, patch.title_fr, "title.fr", kAgreementTitleMax, false, false, problems);
    set_text(v.title.en, patch.title_en, "title.en", kAgreementTitleMax, false, false, problems);
    set_text(v.text.fr, patch.text_fr, "text.fr", kAgreementTextMax, true, false, problems);
    set_text(v.text.en, patch.text_en, "text.en", kAgreementTextMax, true, false, problems);
    if (patch.mandatory) v.mandatory = *patch.mandatory;
    if (!problems.empty()) return;
    for (const auto& [lang, title, text] :
         {std::tuple{"fr", &v.title.fr, &v.text.fr}, std::tuple{"en", &v.title.en, &v.text.en}}) {
        if (title->empty() && !text->empty()) problems.push_back({std::string("title.") + lang, "required", {}});
        if (!title->empty() && text->empty()) problems.push_back({std::string("text.") + lang, "required", {}});
    }
    if (v.title.fr.empty() && v.title.en.empty()) problems.push_back({"title", "required", {}});
}

Result<void> insert_version(Connection& c, Id agreement_id, const AgreementVersion& v) {
    TRY_ASSIGN(auto s, c.prepare(std::string("INSERT INTO agreement_versions (agreement_id, ") + kVersionColumns +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind(1, agreement_id)
        .bind(2, v.version)
        .bind(3, v.mandatory)
        .bind(4, v.title.fr)
        .bind(5, v.title.en)
        .bind(6, v.text.fr)
        .bind(7, v.text.en)
        .bind(8, v.created_at)
        .bind(9, v.created_by);
    return s.run();
}

Result<std::int64_t> count_active(Connection& c) {
    TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM agreements WHERE active = 1"));
    TRY(s.step());
    return s.int64(0);
}

Result<void> record(Connection& c, const Actor& actor, UnixMs now, const char* type, Id id, const Agreement& a) {
    TRY(timeline::record(c, std::nullopt, now, actor, type,
                         json{{"agreement_id", id},
                              {"version", a.current.version},
                              {"mandatory", a.current.mandatory},
                              {"active", a.active},
                              {"title", a.current.title.in("fr")}}));
    return {};
}

Problems too_many_active() {
    return {{"active", "too_many_agreements", {{"max", std::to_string(kActiveAgreementsMax)}}}};
}

}  // namespace

AgreementService::AgreementService(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

Result<std::vector<Agreement>> AgreementService::list() {
    return db_.read([](Connection& c) { return load(c, std::nullopt); });
}

Result<Agreement> AgreementService::get(Id id) {
    return db_.read([&](Connection& c) -> Result<Agreement> {
        TRY_ASSIGN(auto found, load(c, id));
        if (found.empty()) return not_found_error("agreement");
        Agreement a = std::move(found.front());
        TRY_ASSIGN(auto s, c.prepare(std::string("SELECT ") + kVersionColumns +
                                     " FROM agreement_versions WHERE agreement_id = ? ORDER BY version DESC"));
        s.bind(1, id);
        while (true) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            a.history.push_back(read_version(s, 0));
        }
        return a;
    });
}

Result<Agreement> AgreementService::create(const AgreementPatch& patch, const Actor& actor) {
    const UnixMs now = clock_.now();
    Agreement a;
    a.active = patch.active.value_or(true);
    a.created_at = now;
    a.current.created_at = now;
    a.current.created_by = actor.name;
    Problems problems;
    apply(a.current, patch, problems);
    if (!problems.empty()) return validation_error(problems);
    auto created = db_.write([&](Connection& c) -> Result<Id> {
        if (a.active) {
            TRY_ASSIGN(auto active, count_active(c));
            if (active >= static_cast<std::int64_t>(kActiveAgreementsMax)) return validation_error(too_many_active());
        }
        TRY_ASSIGN(auto s, c.prepare("INSERT INTO agreements (active, created_at) VALUES (?, ?)"));
        s.bind(1, a.active).bind(2, now);
        TRY(s.run());
        const Id id = c.last_insert_id();
        TRY(insert_version(c, id, a.current));
        TRY(record(c, actor, now, "agreement.created", id, a));
        return id;
    });
    if (!created) return std::move(created).error();
    return get(*created);
}

Result<Agreement> AgreementService::update(Id id, const AgreementPatch& patch, const Actor& actor) {
    const UnixMs now = clock_.now();
    auto r = db_.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto found, load(c, id));
        if (found.empty()) return not_found_error("agreement");
        Agreement a = std::move(found.front());
        AgreementVersion next = a.current;
        Problems problems;
        apply(next, patch, problems);
        if (!problems.empty()) return validation_error(problems);
        const bool reworded = next.mandatory != a.current.mandatory || next.title.fr != a.current.title.fr ||
                              next.title.en != a.current.title.en || next.text.fr != a.current.text.fr ||
                              next.text.en != a.current.text.en;
        const bool reactivated = patch.active && *patch.active && !a.active;
        const bool toggled = patch.active && *patch.active != a.active;
        if (!reworded && !toggled) return {};
        if (reactivated) {
            TRY_ASSIGN(auto active, count_active(c));
            if (active >= static_cast<std::int64_t>(kActiveAgreementsMax)) return validation_error(too_many_active());
        }
        if (toggled) {
            TRY_ASSIGN(auto s, c.prepare("UPDATE agreements SET active = ? WHERE id = ?"));
            s.bind(1, *patch.active).bind(2, id);
            TRY(s.run());
            a.active = *patch.active;
        }
        if (reworded) {
            next.version = a.current.version + 1;
            next.created_at = now;
            next.created_by = actor.name;
            TRY(insert_version(c, id, next));
            a.current = next;
        }
        return record(c, actor, now, "agreement.updated", id, a);
    });
    if (!r) return std::move(r).error();
    return get(id);
}

namespace agreement_store {

Result<std::vector<OfferAgreement>> current(Connection& conn) {
    TRY_ASSIGN(auto all, load(conn, std::nullopt));
    std::vector<OfferAgreement> out;
    for (const Agreement& a : all)
        if (a.active) out.push_back({a.id, a.current.version, a.current.mandatory, a.current.title, a.current.text});
    return out;
}

}  // namespace agreement_store
}  // namespace relais
