#include "validation.hpp"

#include <doctest/doctest.h>

using namespace relais;

namespace {

bool has_problem(const Problems& problems, const std::string& field, const std::string& code) {
    for (const auto& p : problems) {
        if (p.field == field && p.code == code) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("vehicle: plate upper-cased, VIN checked") {
    Vehicle v;
    Problems problems;
    VehiclePatch p;
    p.plate = "  ab-123  cd ";
    p.vin = "vf3 abcdefgh123456";
    p.mileage_km = std::optional<std::int64_t>(45210);
    apply_vehicle_patch(v, p, "vehicle.", problems);
    CHECK(problems.empty());
    CHECK(v.plate == "AB-123 CD");
    CHECK(v.vin == "VF3ABCDEFGH123456");
    CHECK(v.mileage_km == 45210);

    VehiclePatch bad;
    bad.vin = "VF3ABC";
    bad.plate = "AB#123";
    bad.mileage_km = std::optional<std::int64_t>(-5);
    apply_vehicle_patch(v, bad, "vehicle.", problems);
    CHECK(has_problem(problems, "vehicle.vin", "vin_length"));
    CHECK(has_problem(problems, "vehicle.plate", "plate_characters"));
    CHECK(has_problem(problems, "vehicle.mileage_km", "out_of_range"));
    CHECK(v.vin == "VF3ABCDEFGH123456");  // unchanged by the rejected patch

    Problems more;
    VehiclePatch letters;
    letters.vin = "VF3ABCDEFGH12345O";  // O is never in a VIN
    apply_vehicle_patch(v, letters, "vehicle.", more);
    CHECK(has_problem(more, "vehicle.vin", "vin_characters"));
}

TEST_CASE("party: name required by kind, roles required, contacts normalised") {
    auto phones = make_phone_numbers("FR");
    const ValidationContext ctx{*phones, 2000};
    Party party;
    PartyPatch p;
    p.kind = PartyKind::person;
    p.first_name = "Hélène";
    p.last_name = " Lefèvre ";
    p.roles = std::vector<PartyRole>{PartyRole::owner, PartyRole::driver, PartyRole::driver};
    ContactPointPatch phone;
    phone.kind = ContactKind::phone;
    phone.value = "06 12 34 56 78";
    ContactPointPatch mail;
    mail.kind = ContactKind::email;
    mail.usage = ContactUsage::professional;
    mail.value = "Helene@Garage.FR";
    p.contact_points = std::vector<ContactPointPatch>{phone, mail};
    Problems problems;
    apply_party_patch(party, p, true, ctx, "parties[0].", problems);
    CHECK(problems.empty());
    CHECK(party.last_name == "Lefèvre");
    CHECK(party.roles == std::vector<PartyRole>{PartyRole::driver, PartyRole::owner});
    REQUIRE(party.contact_points.size() == 2);
    CHECK(party.contact_points[0].value == "+33612345678");
    CHECK(party.contact_points[1].value == "Helene@garage.fr");
    CHECK(party.contact_points[1].usage == ContactUsage::professional);

    Party company;
    PartyPatch c;
    c.kind = PartyKind::company;
    c.first_name = "Jean";
    Problems cp;
    apply_party_patch(company, c, true, ctx, "parties[1].", cp);
    CHECK(has_problem(cp, "parties[1].company_name", "required"));
    CHECK(has_problem(cp, "parties[1].roles", "roles_required"));
}

TEST_CASE("party: bad contacts are reported with their index and value") {
    auto phones = make_phone_numbers("FR");
    const ValidationContext ctx{*phones, 2000};
    Party party;
    PartyPatch p;
    p.last_name = "Dupont";
    p.roles = std::vector<PartyRole>{PartyRole::driver};
    ContactPointPatch a;
    a.kind = ContactKind::phone;
    a.value = "06 12";
    ContactPointPatch b;
    b.kind = ContactKind::email;
    b.value = "dupont.fr";
    ContactPointPatch c;
    c.kind = ContactKind::phone;
    c.value = "0612345678";
    ContactPointPatch d;
    d.kind = ContactKind::phone;
    d.value = "+33 6 12 34 56 78";
    p.contact_points = std::vector<ContactPointPatch>{a, b, c, d};
    Problems problems;
    apply_party_patch(party, p, true, ctx, "parties[0].", problems);
    CHECK(has_problem(problems, "parties[0].contact_points[0].value", "phone_too_short"));
    CHECK(has_problem(problems, "parties[0].contact_points[1].value", "email_invalid"));
    CHECK(has_problem(problems, "parties[0].contact_points[3].value", "duplicate_contact"));
    CHECK(problems.size() == 3);
    CHECK(problems[0].params.back().second == "06 12");
}

TEST_CASE("a role is held by one party per repair order") {
    Party a, b;
    a.roles = {PartyRole::driver, PartyRole::owner};
    b.roles = {PartyRole::owner};
    Problems problems;
    check_unique_roles({a, b}, "", problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].field == "parties[1].roles");
    CHECK(problems[0].code == "role_taken");
}

TEST_CASE("intervention prices: one side given, the other computed") {
    auto phones = make_phone_numbers("FR");
    const ValidationContext ctx{*phones, 2000};
    Intervention it;
    InterventionPatch p;
    p.label = "Plaquettes de frein avant";
    p.price_excl = 14500;
    Problems problems;
    apply_intervention_patch(it, p, true, ctx, "", problems);
    CHECK(problems.empty());
    CHECK(it.price_incl == 17400);
    CHECK(it.vat_bp == 2000);

    InterventionPatch incl;
    incl.price_incl = 12000;
    apply_intervention_patch(it, incl, false, ctx, "", problems);
    CHECK(it.price_excl == 10000);

    InterventionPatch rate;  // a new rate keeps the workshop's price excl. VAT
    rate.vat_bp = 1000;
    apply_intervention_patch(it, rate, false, ctx, "", problems);
    CHECK(it.price_excl == 10000);
    CHECK(it.price_incl == 11000);
    CHECK(problems.empty());
}

TEST_CASE("intervention prices: a pair that disagrees is refused, nothing changes") {
    auto phones = make_phone_numbers("FR");
    const ValidationContext ctx{*phones, 2000};
    Intervention it;
    it.label = "x";
    it.price_excl = 100;
    it.price_incl = 120;
    it.vat_bp = 2000;
    InterventionPatch p;
    p.price_excl = 14500;
    p.price_incl = 15000;
    Problems problems;
    apply_intervention_patch(it, p, false, ctx, "interventions[0].", problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].field == "interventions[0].price_incl_cents");
    CHECK(problems[0].code == "price_mismatch");
    CHECK(it.price_excl == 100);
    CHECK(it.price_incl == 120);
}

TEST_CASE("intervention: label required, limits enforced") {
    auto phones = make_phone_numbers("FR");
    const ValidationContext ctx{*phones, 2000};
    Intervention it;
    InterventionPatch p;
    p.mechanic_note = std::string(4001, 'x');
    p.price_excl = -1;
    Problems problems;
    apply_intervention_patch(it, p, true, ctx, "", problems);
    CHECK(has_problem(problems, "label", "required"));
    CHECK(has_problem(problems, "mechanic_note", "too_long"));
    CHECK(has_problem(problems, "price_excl_cents", "out_of_range"));

    Problems multi;
    InterventionPatch label;
    label.label = "two\nlines";
    label.mechanic_note = "line one\nline two";
    apply_intervention_patch(it, label, false, ctx, "", multi);
    CHECK(has_problem(multi, "label", "one_line"));
    CHECK(it.mechanic_note == "line one\nline two");

    InterventionPatch crlf;
    crlf.mechanic_note = "a\r\nb\rc\n\r\n";
    apply_intervention_patch(it, crlf, false, ctx, "", multi);
    CHECK(it.mechanic_note == "a\nb\nc");
}

TEST_CASE("repair order header") {
    RepairOrder ro;
    RepairOrderPatch p;
    p.number = "  OR-1  ";
    p.status = RoStatus::ready;
    p.note = "Client en attente\nRappeler avant 17 h";
    p.promised_at = std::optional<UnixMs>(1'795'000'000'000LL);
    Problems problems;
    apply_repair_order_patch(ro, p, true, "", problems);
    CHECK(problems.empty());
    CHECK(ro.number == "OR-1");
    CHECK(ro.status == RoStatus::ready);

    RepairOrderPatch bad;
    bad.number = "";
    bad.promised_at = std::optional<UnixMs>(1'795'000'000LL);  // seconds, not milliseconds
    bad.parties = std::vector<PartyPatch>{};
    apply_repair_order_patch(ro, bad, false, "", problems);
    CHECK(has_problem(problems, "number", "required"));
    CHECK(has_problem(problems, "promised_at", "invalid_date"));
    CHECK(has_problem(problems, "parties", "use_sub_resource"));
}
