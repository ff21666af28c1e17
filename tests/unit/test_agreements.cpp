// Agreements as the dealer admin manages them: what a valid one needs, a new immutable version
// on each change of wording, archiving, and the cap on active ones. Their use in an offer is in
// test_offers.cpp.

#include "support.hpp"

#include "agreements.hpp"

#include <doctest/doctest.h>

using namespace relais;
using namespace relais::test;

namespace {

bool has_field(const Error& e, const std::string& field, const std::string& code) {
    for (const auto& f : e.fields)
        if (f.field == field && f.code == code) return true;
    return false;
}

AgreementPatch terms(const char* title_fr, const char* text_fr) {
    AgreementPatch p;
    p.title_fr = std::string(title_fr);
    p.text_fr = std::string(text_fr);
    return p;
}

std::int64_t count(World& w, const std::string& sql) {
    auto n = w.db->read([&](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare(sql));
        TRY(s.step());
        return s.int64(0);
    });
    REQUIRE(n.ok());
    return *n;
}

}  // namespace

TEST_CASE("an agreement needs a title and a text in at least one language, both in each language given") {
    World w;
    AgreementService agreements(*w.db, w.clock);

    auto empty = agreements.create({}, w.actor);
    REQUIRE_FALSE(empty.ok());
    CHECK(has_field(empty.error(), "title", "required"));

    AgreementPatch half = terms("Conditions générales", "");
    half.title_en = std::string("General terms");
    auto missing = agreements.create(half, w.actor);
    REQUIRE_FALSE(missing.ok());
    CHECK(has_field(missing.error(), "text.fr", "required"));
    CHECK(has_field(missing.error(), "text.en", "required"));

    AgreementPatch bad = terms("Deux\nlignes", std::string(kAgreementTextMax + 1, 'x').c_str());
    auto wrong = agreements.create(bad, w.actor);
    REQUIRE_FALSE(wrong.ok());
    CHECK(has_field(wrong.error(), "title.fr", "one_line"));
    CHECK(has_field(wrong.error(), "text.fr", "too_long"));
    CHECK(count(w, "SELECT count(*) FROM agreements") == 0);  // nothing half-written

    auto ok = agreements.create(terms("  Conditions générales  ", "Article 1\r\nArticle 2"), w.actor);
    REQUIRE(ok.ok());
    CHECK(ok->current.version == 1);
    CHECK(ok->current.mandatory);  // mandatory unless said otherwise
    CHECK(ok->active);
    CHECK(ok->current.title.fr == "Conditions générales");
    CHECK(ok->current.text.fr == "Article 1\nArticle 2");
    CHECK(ok->current.created_by == "Test");
    CHECK(ok->current.title.in("en") == "Conditions générales");  // the other language when missing
}

TEST_CASE("each change of wording or of mandatory makes a new version, the old ones stay as they were") {
    World w;
    AgreementService agreements(*w.db, w.clock);
    auto a = agreements.create(terms("Conditions générales", "Version d'origine"), w.actor);
    REQUIRE(a.ok());

    w.clock.advance_ms(60'000);
    auto same = agreements.update(a->id, terms("Conditions générales", "Version d'origine"), w.actor);
    REQUIRE(same.ok());
    CHECK(same->current.version == 1);  // nothing changed, nothing written

    AgreementPatch reworded;
    reworded.text_fr = std::string("Version corrigée");
    reworded.title_en = std::string("General terms");
    reworded.text_en = std::string("Corrected version");
    auto v2 = agreements.update(a->id, reworded, w.actor);
    REQUIRE(v2.ok());
    CHECK(v2->current.version == 2);
    CHECK(v2->current.text.fr == "Version corrigée");
    CHECK(v2->current.title.en == "General terms");
    REQUIRE(v2->history.size() == 2);
    CHECK(v2->history[1].version == 1);
    CHECK(v2->history[1].text.fr == "Version d'origine");
    CHECK(v2->history[1].title.en.empty());

    AgreementPatch optional;
    optional.mandatory = false;
    auto v3 = agreements.update(a->id, optional, w.actor);
    REQUIRE(v3.ok());
    CHECK(v3->current.version == 3);
    CHECK_FALSE(v3->current.mandatory);

    // Archiving is not a new wording.
    AgreementPatch archive;
    archive.active = false;
    auto archived = agreements.update(a->id, archive, w.actor);
    REQUIRE(archived.ok());
    CHECK_FALSE(archived->active);
    CHECK(archived->current.version == 3);

    // The versions cannot be changed behind the service's back either.
    auto tamper = w.db->write(
        [](Connection& c) { return c.exec("UPDATE agreement_versions SET text_fr = 'autre' WHERE version = 1"); });
    CHECK_FALSE(tamper.ok());
    auto erase = w.db->write([](Connection& c) { return c.exec("DELETE FROM agreement_versions"); });
    CHECK_FALSE(erase.ok());
    CHECK(count(w, "SELECT count(*) FROM agreement_versions") == 3);

    // Every change is on record (not attached to any repair order).
    CHECK(count(w, "SELECT count(*) FROM events WHERE ro_id IS NULL AND type = 'agreement.created'") == 1);
    CHECK(count(w, "SELECT count(*) FROM events WHERE ro_id IS NULL AND type = 'agreement.updated'") == 3);

    auto unknown = agreements.update(a->id + 100, optional, w.actor);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().kind == ErrorKind::not_found);
}

TEST_CASE("active agreements are listed first and capped, archived ones can come back while there is room") {
    World w;
    AgreementService agreements(*w.db, w.clock);
    std::vector<Id> ids;
    for (std::size_t i = 0; i < kActiveAgreementsMax; ++i) {
        auto a = agreements.create(terms(("Condition " + std::to_string(i)).c_str(), "Texte"), w.actor);
        REQUIRE(a.ok());
        ids.push_back(a->id);
    }
    auto over = agreements.create(terms("Une de trop", "Texte"), w.actor);
    REQUIRE_FALSE(over.ok());
    CHECK(has_field(over.error(), "active", "too_many_agreements"));

    AgreementPatch archive;
    archive.active = false;
    REQUIRE(agreements.update(ids[0], archive, w.actor).ok());
    auto list = agreements.list();
    REQUIRE(list.ok());
    REQUIRE(list->size() == kActiveAgreementsMax);
    CHECK(list->back().id == ids[0]);  // the archived one last
    CHECK_FALSE(list->back().active);

    REQUIRE(agreements.create(terms("Nouvelle", "Texte"), w.actor).ok());  // room again
    AgreementPatch restore;
    restore.active = true;
    auto back = agreements.update(ids[0], restore, w.actor);
    REQUIRE_FALSE(back.ok());
    CHECK(has_field(back.error(), "active", "too_many_agreements"));
}
