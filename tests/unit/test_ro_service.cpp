#include "ro_store.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace relais;
using namespace relais::test;

namespace {

PartyPatch person(const char* first, const char* last, std::vector<PartyRole> roles, const char* phone = nullptr) {
    PartyPatch p;
    p.first_name = std::string(first);
    p.last_name = std::string(last);
    p.roles = roles;
    if (phone) {
        ContactPointPatch cp;
        cp.kind = ContactKind::phone;
        cp.value = std::string(phone);
        p.contact_points = std::vector<ContactPointPatch>{cp};
    }
    return p;
}

InterventionPatch item(const char* label, Cents excl) {
    InterventionPatch p;
    p.label = std::string(label);
    p.price_excl = excl;
    return p;
}

RepairOrderPatch ro_patch(const char* plate, PartyPatch party) {
    RepairOrderPatch p;
    VehiclePatch v;
    v.plate = std::string(plate);
    p.vehicle = v;
    p.parties = std::vector<PartyPatch>{std::move(party)};
    return p;
}

bool has_field(const Error& e, const std::string& field, const std::string& code) {
    return std::any_of(e.fields.begin(), e.fields.end(),
                       [&](const FieldError& f) { return f.field == field && f.code == code; });
}

std::vector<std::string> numbers(const RepairOrderPage& page) {
    std::vector<std::string> out;
    for (const auto& s : page.items) out.push_back(s.number);
    return out;
}

}  // namespace

TEST_CASE("create a repair order with its vehicle, parties and interventions") {
    World w;
    RepairOrderPatch p =
        ro_patch("ab-123-cd", person("Hélène", "Lefèvre", {PartyRole::driver, PartyRole::owner}, "06 12 34 56 78"));
    p.interventions = std::vector<InterventionPatch>{item("Vidange", 8900), item("Plaquettes", 14500)};
    auto ro = w.ros->create(p, w.actor);
    REQUIRE(ro.ok());
    CHECK(ro->number == "OR-2026-00001");
    CHECK(ro->version == 1);
    CHECK(ro->vehicle.plate == "AB-123-CD");
    REQUIRE(ro->parties.size() == 1);
    CHECK(ro->parties[0].contact_points[0].value == "+33612345678");
    REQUIRE(ro->interventions.size() == 2);
    CHECK(ro->interventions[1].price_incl == 17400);
    CHECK(ro->interventions[1].position == 2);
    CHECK(ro->created_at == w.clock.now());

    auto events = w.ros->timeline(ro->id);
    REQUIRE(events->size() == 1);
    CHECK((*events)[0].type == "repair_order.created");
    CHECK((*events)[0].actor.name == "Test");
}

TEST_CASE("RO numbers: assigned in sequence, or given and unique") {
    World w;
    CHECK(w.ros->create(with_plate(), w.actor)->number == "OR-2026-00001");
    RepairOrderPatch given = with_plate();
    given.number = "OR-2026-00002";  // a DMS used our format
    CHECK(w.ros->create(given, w.actor).ok());
    CHECK(w.ros->create(with_plate(), w.actor)->number == "OR-2026-00003");  // skips the taken one
    RepairOrderPatch dup = with_plate();
    dup.number = "or-2026-00002";
    auto r = w.ros->create(dup, w.actor);
    REQUIRE_FALSE(r.ok());
    CHECK(has_field(r.error(), "number", "number_taken"));
}

TEST_CASE("create: every problem is reported, nothing is written") {
    World w;
    RepairOrderPatch p = ro_patch("AB-123-CD", person("", "", {}, "06 12"));
    VehiclePatch v;
    v.vin = "short";
    p.vehicle = v;
    p.advisor_id = std::optional<Id>(999);
    p.interventions = std::vector<InterventionPatch>{item("", 10)};
    auto r = w.ros->create(p, w.actor);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "validation_failed");
    CHECK(has_field(r.error(), "vehicle.vin", "vin_length"));
    CHECK(has_field(r.error(), "parties[0].roles", "roles_required"));
    CHECK(has_field(r.error(), "parties[0].last_name", "required"));
    CHECK(has_field(r.error(), "parties[0].contact_points[0].value", "phone_too_short"));
    CHECK(has_field(r.error(), "interventions[0].label", "required"));
    CHECK(has_field(r.error(), "advisor_id", "unknown_user"));
    CHECK(w.ros->list({})->total == 0);
}

TEST_CASE("a repair order needs a plate, a VIN or a customer") {
    World w;
    auto empty = w.ros->create(RepairOrderPatch{}, w.actor);  // not with_plate()
    REQUIRE_FALSE(empty.ok());
    CHECK(has_field(empty.error(), "vehicle.plate", "plate_or_customer_required"));
    RepairOrderPatch blank_plate;
    VehiclePatch v;
    v.plate = std::string("   ");
    v.make = std::string("Renault");
    blank_plate.vehicle = v;
    CHECK_FALSE(w.ros->create(blank_plate, w.actor).ok());
    auto listed = w.ros->list(RepairOrderQuery{});
    REQUIRE(listed.ok());
    CHECK(listed->total == 0);  // nothing written

    RepairOrderPatch vin_only;
    VehiclePatch nv;
    nv.vin = std::string("VF1RFB00X12345678");
    vin_only.vehicle = nv;
    CHECK(w.ros->create(vin_only, w.actor).ok());  // a new car has no plate yet
    RepairOrderPatch customer_only;
    customer_only.parties = std::vector<PartyPatch>{person("Paul", "Durand", {PartyRole::driver}, "06 12 34 56 78")};
    CHECK(w.ros->create(customer_only, w.actor).ok());
    // In an import, the item is named.
    auto imported = w.ros->import({{RepairOrderPatch{}, 0}}, w.actor);
    REQUIRE_FALSE(imported.ok());
    CHECK(has_field(imported.error(), "items[0].vehicle.plate", "plate_or_customer_required"));
}

TEST_CASE("update: changes are recorded, version bumps, stale versions refused") {
    World w;
    const User marie = w.add_user("marie");
    auto ro = w.ros->create(ro_patch("AB-123-CD", person("Jean", "Dupont", {PartyRole::driver})), w.actor);
    RepairOrderPatch p;
    p.status = RoStatus::in_progress;
    p.advisor_id = std::optional<Id>(marie.id);
    auto updated = w.ros->update(ro->id, p, std::optional<std::int64_t>(1), w.actor);
    REQUIRE(updated.ok());
    CHECK(updated->version == 2);
    CHECK(updated->status == RoStatus::in_progress);
    CHECK(updated->advisor->username == "marie");

    auto stale = w.ros->update(ro->id, p, std::optional<std::int64_t>(1), w.actor);
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().kind == ErrorKind::precondition_failed);

    auto events = w.ros->timeline(ro->id);
    REQUIRE(events->size() == 2);
    CHECK((*events)[1].type == "repair_order.updated");
    CHECK((*events)[1].data.find("\"status\":{\"from\":\"open\",\"to\":\"in_progress\"}") != std::string::npos);

    // A patch that changes nothing writes nothing.
    auto same = w.ros->update(ro->id, p, std::nullopt, w.actor);
    CHECK(same->version == 2);
    CHECK(w.ros->timeline(ro->id)->size() == 2);

    // Times in the timeline are RFC 3339, like everywhere in the API.
    RepairOrderPatch when;
    when.promised_at = std::optional<UnixMs>(*parse_date_time("2026-11-24T16:30:00Z", *w.zone));
    REQUIRE(w.ros->update(ro->id, when, std::nullopt, w.actor).ok());
    CHECK(w.ros->timeline(ro->id)->back().data.find("\"to\":\"2026-11-24T16:30:00Z\"") != std::string::npos);
}

TEST_CASE("unknown ids are not found") {
    World w;
    CHECK(w.ros->get(42).error().kind == ErrorKind::not_found);
    CHECK(w.ros->update(42, {}, std::nullopt, w.actor).error().kind == ErrorKind::not_found);
    auto ro = w.ros->create(with_plate(), w.actor);
    CHECK(w.ros->update_party(ro->id, 99, {}, std::nullopt, w.actor).error().params.front().second == "party");
    CHECK(w.ros->remove_intervention(ro->id, 99, std::nullopt, w.actor).error().kind == ErrorKind::not_found);
}

TEST_CASE("parties: add, change roles, roles stay unique, remove") {
    World w;
    auto ro = w.ros->create(ro_patch("AB-123-CD", person("Jean", "Dupont", {PartyRole::driver})), w.actor);
    PartyPatch company;
    company.kind = PartyKind::company;
    company.company_name = "Transports Vallée";
    company.roles = std::vector<PartyRole>{PartyRole::owner, PartyRole::contractor};
    auto added = w.ros->add_party(ro->id, company, std::nullopt, w.actor);
    REQUIRE(added.ok());
    CHECK(added->ro_version == 2);

    PartyPatch steal;
    steal.roles = std::vector<PartyRole>{PartyRole::driver};
    auto clash = w.ros->update_party(ro->id, added->item.id, steal, std::nullopt, w.actor);
    REQUIRE_FALSE(clash.ok());
    CHECK(has_field(clash.error(), "roles", "role_taken"));

    PartyPatch lease;
    lease.roles = std::vector<PartyRole>{PartyRole::owner, PartyRole::leasing_company};
    REQUIRE(w.ros->update_party(ro->id, added->item.id, lease, std::nullopt, w.actor).ok());
    auto loaded = w.ros->get(ro->id);
    CHECK(loaded->parties[1].roles == std::vector<PartyRole>{PartyRole::owner, PartyRole::leasing_company});
    CHECK(loaded->parties[1].display_name() == "Transports Vallée");

    auto version = w.ros->remove_party(ro->id, added->item.id, std::nullopt, w.actor);
    REQUIRE(version.ok());
    CHECK(w.ros->get(ro->id)->parties.size() == 1);
    CHECK(*version == w.ros->get(ro->id)->version);
}

TEST_CASE("contact points: add, opt out, duplicates refused, remove") {
    World w;
    auto ro =
        w.ros->create(ro_patch("AB-123-CD", person("Jean", "Dupont", {PartyRole::driver}, "0612345678")), w.actor);
    const Id party = ro->parties[0].id;
    ContactPointPatch dup;
    dup.kind = ContactKind::phone;
    dup.value = "+33 6 12 34 56 78";
    auto r = w.ros->add_contact_point(ro->id, party, dup, std::nullopt, w.actor);
    REQUIRE_FALSE(r.ok());
    CHECK(has_field(r.error(), "value", "duplicate_contact"));

    ContactPointPatch mail;
    mail.kind = ContactKind::email;
    mail.usage = ContactUsage::professional;
    mail.value = "jean.dupont@transports.fr";
    auto added = w.ros->add_contact_point(ro->id, party, mail, std::nullopt, w.actor);
    REQUIRE(added.ok());
    ContactPointPatch out;
    out.opted_out = true;
    auto changed = w.ros->update_contact_point(ro->id, party, added->item.id, out, std::nullopt, w.actor);
    REQUIRE(changed.ok());
    CHECK(changed->item.opted_out);
    CHECK(w.ros->get(ro->id)->parties[0].contact_points[1].opted_out);
    REQUIRE(w.ros->remove_contact_point(ro->id, party, added->item.id, std::nullopt, w.actor).ok());
    CHECK(w.ros->get(ro->id)->parties[0].contact_points.size() == 1);
}

TEST_CASE("a number that answered STOP is opted out on every repair order, its email left as it was") {
    World w;
    auto first =
        w.ros->create(ro_patch("AB-123-CD", person("Jean", "Dupont", {PartyRole::driver}, "0612345678")), w.actor);
    auto second =
        w.ros->create(ro_patch("EF-456-GH", person("Jean", "Dupont", {PartyRole::owner}, "06 12 34 56 78")), w.actor);
    auto other =
        w.ros->create(ro_patch("IJ-789-KL", person("Anne", "Morel", {PartyRole::driver}, "0699999999")), w.actor);
    REQUIRE((first.ok() && second.ok() && other.ok()));
    REQUIRE(w.db->write([](Connection& c) { return mark_number_opted_out(c, "+33612345678"); }).ok());
    CHECK(w.ros->get(first->id)->parties[0].contact_points[0].opted_out);
    CHECK(w.ros->get(second->id)->parties[0].contact_points[0].opted_out);
    CHECK_FALSE(w.ros->get(other->id)->parties[0].contact_points[0].opted_out);
}

TEST_CASE("interventions: add at a position, move, change price, remove, positions stay 1..n") {
    World w;
    RepairOrderPatch p = with_plate();
    p.interventions = std::vector<InterventionPatch>{item("A", 100), item("B", 200), item("C", 300)};
    auto ro = w.ros->create(p, w.actor);
    const auto labels = [&] {
        std::string s;
        const RepairOrder current = *w.ros->get(ro->id);
        for (const auto& it : current.interventions) s += it.label + std::to_string(it.position);
        return s;
    };
    CHECK(labels() == "A1B2C3");
    InterventionPatch first = item("Z", 50);
    first.position = 1;
    auto added = w.ros->add_intervention(ro->id, first, std::nullopt, w.actor);
    REQUIRE(added.ok());
    CHECK(added->item.position == 1);
    CHECK(labels() == "Z1A2B3C4");

    InterventionPatch move;
    move.position = 4;
    REQUIRE(w.ros->update_intervention(ro->id, added->item.id, move, std::nullopt, w.actor).ok());
    CHECK(labels() == "A1B2C3Z4");

    InterventionPatch price;
    price.price_incl = 1200;
    auto priced = w.ros->update_intervention(ro->id, ro->interventions[1].id, price, std::nullopt, w.actor);
    REQUIRE(priced.ok());
    CHECK(priced->item.price_excl == 1000);

    REQUIRE(w.ros->remove_intervention(ro->id, ro->interventions[0].id, std::nullopt, w.actor).ok());
    CHECK(labels() == "B1C2Z3");

    auto events = w.ros->timeline(ro->id);
    std::vector<std::string> types;
    for (const auto& e : *events) types.push_back(e.type);
    CHECK(types == std::vector<std::string>{"repair_order.created", "intervention.added", "intervention.updated",
                                            "intervention.updated", "intervention.removed"});
}

TEST_CASE("the list shows derived columns: customer, count and shown total") {
    World w;
    RepairOrderPatch p = ro_patch("AB-123-CD", person("Jean", "Dupont", {PartyRole::owner}));
    InterventionPatch hidden = item("Hidden", 1000);
    hidden.shown = false;
    p.interventions = std::vector<InterventionPatch>{item("Shown", 14500), hidden};
    auto ro = w.ros->create(p, w.actor);
    PartyPatch driver = person("Léa", "Martin", {PartyRole::driver});
    REQUIRE(w.ros->add_party(ro->id, driver, std::nullopt, w.actor).ok());
    auto page = w.ros->list({});
    REQUIRE(page->items.size() == 1);
    const auto& s = page->items[0];
    CHECK(s.customer_name == "Léa Martin");  // the driver comes first
    CHECK(s.intervention_count == 2);
    CHECK(s.total_incl == 17400);
    CHECK(s.plate == "AB-123-CD");
    CHECK(s.version == 2);
}

TEST_CASE("search: plate, number, names without accents or case, phone, short words") {
    World w;
    auto a = w.ros->create(ro_patch("AB-123-CD", person("Hélène", "Lefèvre", {PartyRole::driver}, "06 12 34 56 78")),
                           w.actor);
    auto b =
        w.ros->create(ro_patch("EF-456-GH", person("Jean", "Dupont", {PartyRole::driver}, "07 98 76 54 32")), w.actor);
    RepairOrderPatch cp = ro_patch("JK-789-LM", person("Zoé", "Muller", {PartyRole::driver}));
    cp.number = "DMS-77";
    auto c = w.ros->create(cp, w.actor);
    const auto search = [&](const char* text) {
        RepairOrderQuery q;
        q.text = text;
        return numbers(*w.ros->list(q));
    };
    CHECK(search("LEFEVRE") == std::vector<std::string>{a->number});
    CHECK(search("hélène lefèvre") == std::vector<std::string>{a->number});
    CHECK(search("lefevre helene") == std::vector<std::string>{a->number});
    CHECK(search("ab123cd") == std::vector<std::string>{a->number});
    CHECK(search("ab-123") == std::vector<std::string>{a->number});
    CHECK(search("AB 123 CD") == std::vector<std::string>{a->number});
    CHECK(search("06 12 34 56 78") == std::vector<std::string>{a->number});
    CHECK(search("+33798765432") == std::vector<std::string>{b->number});
    CHECK(search("dms-77") == std::vector<std::string>{c->number});
    CHECK(search("zo") == std::vector<std::string>{c->number});
    CHECK(search("dup") == std::vector<std::string>{b->number});
    CHECK(search("upon") == std::vector<std::string>{b->number});  // 3+ letters: anywhere
    CHECK(search("du") == std::vector<std::string>{b->number});    // 2 letters: a word's start
    CHECK(search("po").empty());
    CHECK(search("z") == std::vector<std::string>{c->number});
    CHECK(search("jk 789") == std::vector<std::string>{c->number});
    CHECK(search("nobody").empty());
    CHECK(search("OR-2026").size() == 2);
    // Changing a name changes what is found.
    PartyPatch rename;
    rename.last_name = "Durand";
    REQUIRE(w.ros->update_party(b->id, b->parties[0].id, rename, std::nullopt, w.actor).ok());
    CHECK(search("dupont").empty());
    CHECK(search("durand") == std::vector<std::string>{b->number});
}

TEST_CASE("filters: status, advisor, unassigned, date ranges, pagination, sort") {
    World w;
    const User marie = w.add_user("marie");
    const UnixMs day = 24 * 3600'000LL;
    for (int i = 0; i < 7; ++i) {
        RepairOrderPatch p = with_plate();
        p.status = i % 2 ? RoStatus::ready : RoStatus::open;
        if (i < 3) p.advisor_id = std::optional<Id>(marie.id);
        p.promised_at = std::optional<UnixMs>(w.clock.now() + (10 - 2 * i) * day);
        REQUIRE(w.ros->create(p, w.actor).ok());
        w.clock.advance_ms(day);
    }
    RepairOrderQuery q;
    q.statuses = {RoStatus::ready};
    CHECK(w.ros->list(q)->total == 3);
    q = {};
    q.statuses = {RoStatus::ready, RoStatus::open};
    CHECK(w.ros->list(q)->total == 7);
    q = {};
    q.advisor_id = marie.id;
    CHECK(w.ros->list(q)->total == 3);
    q = {};
    q.unassigned = true;
    CHECK(w.ros->list(q)->total == 4);

    const UnixMs first = w.clock.now() - 7 * day;
    q = {};
    q.from = first + day;    // from the 2nd RO's creation
    q.to = first + 3 * day;  // to before the 4th
    CHECK(numbers(*w.ros->list(q)) == std::vector<std::string>{"OR-2026-00003", "OR-2026-00002"});

    q = {};
    q.date_field = RepairOrderQuery::DateField::promised;
    q.from = first + 8 * day;  // RO n is promised for t0 + (11 - n) days
    q.to = first + 10 * day;
    CHECK(numbers(*w.ros->list(q)) == std::vector<std::string>{"OR-2026-00003", "OR-2026-00002"});
    q.to.reset();
    RepairOrderPatch undated;
    undated.promised_at = std::optional<UnixMs>();
    REQUIRE(w.ros->update(2, undated, std::nullopt, w.actor).ok());
    // No promised date is not "after" a date.
    CHECK(numbers(*w.ros->list(q)) == std::vector<std::string>{"OR-2026-00003", "OR-2026-00001"});

    q = {};
    q.per_page = 3;
    q.page = 3;
    auto page = w.ros->list(q);
    CHECK(page->total == 7);
    CHECK(numbers(*page) == std::vector<std::string>{"OR-2026-00001"});  // newest first

    q = {};
    q.sort = RepairOrderQuery::Sort::promised;
    q.per_page = 7;
    const auto by_promise = numbers(*w.ros->list(q));
    CHECK(by_promise.front() == "OR-2026-00007");
    CHECK(by_promise.back() == "OR-2026-00002");  // undated last
    q.per_page = 2;
    q.sort = RepairOrderQuery::Sort::oldest;
    CHECK(numbers(*w.ros->list(q)) == std::vector<std::string>{"OR-2026-00001", "OR-2026-00002"});
}

TEST_CASE("status totals kept by triggers match a real count") {
    World w;
    for (int i = 0; i < 6; ++i) REQUIRE(w.ros->create(with_plate(), w.actor).ok());
    RepairOrderPatch ready;
    ready.status = RoStatus::ready;
    REQUIRE(w.ros->update(2, ready, std::nullopt, w.actor).ok());
    REQUIRE(w.ros->update(3, ready, std::nullopt, w.actor).ok());
    REQUIRE(w.ros->update(3, ready, std::nullopt, w.actor).ok());  // no change: counted once
    RepairOrderPatch closed;
    closed.status = RoStatus::closed;
    REQUIRE(w.ros->update(2, closed, std::nullopt, w.actor).ok());
    const auto total = [&](std::vector<RoStatus> statuses) {
        RepairOrderQuery q;
        q.statuses = statuses;
        return w.ros->list(q)->total;
    };
    CHECK(total({}) == 6);
    CHECK(total({RoStatus::open}) == 4);
    CHECK(total({RoStatus::ready}) == 1);
    CHECK(total({RoStatus::closed, RoStatus::ready}) == 2);
    CHECK(total({RoStatus::cancelled}) == 0);
    // The same totals as a count with another filter forcing the general path.
    RepairOrderQuery q;
    q.statuses = {RoStatus::open};
    q.from = 0;
    CHECK(w.ros->list(q)->total == 4);
}

TEST_CASE("import writes many ROs in one go, or none") {
    World w;
    std::vector<RepairOrderService::ImportItem> items(3, {with_plate(), 0});
    items[0].created_at = w.clock.now() - 1000;
    items[1].created_at = w.clock.now() - 500;
    items[2].created_at = w.clock.now();
    items[2].patch.number = std::string("DMS-1");
    auto ids = w.ros->import(items, w.actor);
    REQUIRE(ids.ok());
    CHECK(ids->size() == 3);
    CHECK(w.ros->get((*ids)[0])->created_at == w.clock.now() - 1000);

    std::vector<RepairOrderService::ImportItem> bad(2, {with_plate(), 0});
    bad[1].patch.number = std::string("DMS-1");  // taken
    auto r = w.ros->import(bad, w.actor);
    REQUIRE_FALSE(r.ok());
    CHECK(has_field(r.error(), "items[1].number", "number_taken"));
    CHECK(w.ros->list({})->total == 3);
}

TEST_CASE("reposition keeps positions 1..n") {
    std::vector<Intervention> items(4);
    for (int i = 0; i < 4; ++i)
        items[static_cast<std::size_t>(i)].id = i + 1, items[static_cast<std::size_t>(i)].position = i + 1;
    reposition(items, 4, 1);
    CHECK(items[0].id == 4);
    reposition(items, 4, 99);  // clamped to the end
    CHECK(items[3].id == 4);
    for (int i = 0; i < 4; ++i) CHECK(items[static_cast<std::size_t>(i)].position == i + 1);
}

TEST_CASE("search finds the make and model, and documents made before are rebuilt once") {
    World w;
    RepairOrderPatch p = with_plate("GH-555-JK");
    p.vehicle->make = std::string("Renault");
    p.vehicle->model = std::string("Clio V");
    auto ro = w.ros->create(p, w.actor);
    REQUIRE(ro.ok());
    auto found = [&](const char* text) {
        RepairOrderQuery q;
        q.text = text;
        auto page = w.ros->list(q);
        REQUIRE(page.ok());
        return page->total;
    };
    CHECK(found("clio") == 1);
    CHECK(found("RENAULT") == 1);
    CHECK(found("peugeot") == 0);

    // A document written by an older version (no make, no model) is rebuilt at the next start.
    auto rebuilt = w.db->write([&](Connection& c) -> Result<int> {
        TRY(ro_store::update_search_document(c, ro->id, "or-2026-00001 | gh-555-jk"));
        TRY(c.exec("UPDATE counters SET value = 1 WHERE name = 'search_document_version'"));
        return ro_store::refresh_search_documents(c);
    });
    REQUIRE(rebuilt.ok());
    CHECK(*rebuilt == 1);
    CHECK(found("clio") == 1);
    auto again = w.db->write([](Connection& c) { return ro_store::refresh_search_documents(c); });
    REQUIRE(again.ok());
    CHECK(*again == 0);
}

TEST_CASE("a new intervention's severity follows its kind unless one is given") {
    World w;
    auto ro = w.ros->create(with_plate(), w.actor);
    REQUIRE(ro.ok());
    const auto add = [&](InterventionKind kind, std::optional<Severity> severity) {
        InterventionPatch p;
        p.label = std::string("Travail");
        p.kind = kind;
        if (severity) p.severity = *severity;
        auto added = w.ros->add_intervention(ro->id, p, std::nullopt, w.actor);
        REQUIRE(added.ok());
        return added->item.severity;
    };
    CHECK(add(InterventionKind::initial, std::nullopt) == Severity::red);
    CHECK(add(InterventionKind::optional, std::nullopt) == Severity::orange);
    CHECK(add(InterventionKind::initial, Severity::green) == Severity::green);
    // A change of kind later leaves the severity the advisor sees alone.
    auto items = w.ros->get(ro->id)->interventions;
    InterventionPatch to_optional;
    to_optional.kind = InterventionKind::optional;
    auto changed = w.ros->update_intervention(ro->id, items.front().id, to_optional, std::nullopt, w.actor);
    REQUIRE(changed.ok());
    CHECK(changed->item.severity == Severity::red);
}
