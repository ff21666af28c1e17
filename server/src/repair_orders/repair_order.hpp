#pragma once
// The repair order and what hangs off it (DESIGN.md §1): vehicle, parties in roles with their
// contact points, interventions. Plain data: no I/O, no JSON, no SQL.
// `*Patch` types carry what a client asked to change: an unset optional means "leave as is".

#include "clock.hpp"
#include "enum_names.hpp"
#include "ids.hpp"
#include "money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

enum class RoStatus { open, in_progress, ready, closed, cancelled };
enum class PartyRole { driver, owner, contractor, leasing_company };
enum class PartyKind { person, company };
enum class ContactKind { email, phone };
enum class ContactUsage { personal, professional };
enum class InterventionKind { initial, optional };
enum class Severity { red, orange, green };

inline constexpr std::size_t kRoStatusCount = 5;

template <>
struct EnumNames<RoStatus> {
    static constexpr NameTable<RoStatus, kRoStatusCount> table{{{RoStatus::open, "open"},
                                                                {RoStatus::in_progress, "in_progress"},
                                                                {RoStatus::ready, "ready"},
                                                                {RoStatus::closed, "closed"},
                                                                {RoStatus::cancelled, "cancelled"}}};
};
template <>
struct EnumNames<PartyRole> {
    static constexpr NameTable<PartyRole, 4> table{{{PartyRole::driver, "driver"},
                                                    {PartyRole::owner, "owner"},
                                                    {PartyRole::contractor, "contractor"},
                                                    {PartyRole::leasing_company, "leasing_company"}}};
};
template <>
struct EnumNames<PartyKind> {
    static constexpr NameTable<PartyKind, 2> table{{{PartyKind::person, "person"}, {PartyKind::company, "company"}}};
};
template <>
struct EnumNames<ContactKind> {
    static constexpr NameTable<ContactKind, 2> table{{{ContactKind::email, "email"}, {ContactKind::phone, "phone"}}};
};
template <>
struct EnumNames<ContactUsage> {
    static constexpr NameTable<ContactUsage, 2> table{
        {{ContactUsage::personal, "personal"}, {ContactUsage::professional, "professional"}}};
};
template <>
struct EnumNames<InterventionKind> {
    static constexpr NameTable<InterventionKind, 2> table{
        {{InterventionKind::initial, "initial"}, {InterventionKind::optional, "optional"}}};
};
template <>
struct EnumNames<Severity> {
    static constexpr NameTable<Severity, 3> table{
        {{Severity::red, "red"}, {Severity::orange, "orange"}, {Severity::green, "green"}}};
};

/// A new intervention's severity when none is given: red for initial work, orange for optional.
Severity default_severity(InterventionKind kind);

struct Vehicle {
    std::string plate;  // upper case, as printed on the plate ("AB-123-CD")
    std::string vin;    // 17 characters or empty
    std::string make;
    std::string model;
    std::optional<std::int64_t> mileage_km;
};

struct ContactPoint {
    Id id = 0;
    ContactKind kind = ContactKind::phone;
    ContactUsage usage = ContactUsage::personal;
    std::string value;  // E.164 for phones, normalised address for email
    bool opted_out = false;
};

struct Party {
    Id id = 0;
    std::vector<PartyRole> roles;  // at least one; a role is held by one party per RO
    PartyKind kind = PartyKind::person;
    std::string title;  // "M.", "Mme", free text
    std::string first_name;
    std::string last_name;
    std::string company_name;
    std::string preferred_name;  // how they like to be addressed ("Jean", "M. Dupont"); "": the full name
    std::string language;        // "fr", "en" or "" (the dealership's)
    bool opted_out = false;
    std::vector<ContactPoint> contact_points;

    /// "Jean Dupont", "Transports Martin", "Transports Martin (Jean Dupont)".
    std::string display_name() const;
};

struct Intervention {
    Id id = 0;
    int position = 0;  // 1-based order on the RO
    std::string label;
    std::string mechanic_note;
    Cents price_excl = 0;
    Cents price_incl = 0;
    VatBp vat_bp = 0;
    InterventionKind kind = InterventionKind::initial;
    Severity severity = Severity::orange;
    bool shown = true;               // shown to the customer in offers
    std::optional<bool> authorized;  // the advisor's thumbs up / down; unset: not decided
};

struct UserRef {
    Id id = 0;
    std::string username;
    std::string display_name;
};

struct RepairOrder {
    Id id = 0;
    std::string number;
    RoStatus status = RoStatus::open;
    std::optional<UserRef> advisor;
    std::optional<UnixMs> promised_at;
    std::string note;  // the advisor's internal note
    Vehicle vehicle;
    std::vector<Party> parties;
    std::vector<Intervention> interventions;
    std::int64_t version = 1;  // bumped by every change, for optimistic concurrency
    UnixMs created_at = 0;
    UnixMs updated_at = 0;
    /// Deleted by an advisor before anything was sent: kept with its history (status
    /// cancelled, read-only), out of the list and search.
    std::optional<UnixMs> deleted_at;
    std::optional<UserRef> deleted_by;
    bool needs_attention = false;  // see RepairOrderQuery::attention

    /// The party the workshop talks to first: driver, else owner, contractor, leasing company.
    const Party* main_party() const;
};

/// One row of the repair-order list: what the list page and search results show.
struct RepairOrderSummary {
    Id id = 0;
    std::string number;
    RoStatus status = RoStatus::open;
    std::optional<UserRef> advisor;
    std::optional<UnixMs> promised_at;
    std::string plate;
    std::string make;
    std::string model;
    std::string customer_name;
    int intervention_count = 0;
    Cents total_incl = 0;  // interventions shown to the customer
    std::int64_t version = 1;
    UnixMs created_at = 0;
    UnixMs updated_at = 0;
    std::string offer_state;  // the latest offer version's state ("sent", "seen", ...); empty: none
    int offer_version = 0;
    int unread_replies = 0;        // SMS the customer sent back that no advisor has marked read
    bool no_answer = false;        // the latest offer's fifth reminder went unanswered: call the customer
    int to_follow_up = 0;          // red or orange items declined on the answered offer: to plan later
    bool needs_attention = false;  // see RepairOrderQuery::attention
};

// ---- what clients ask to change -------------------------------------------------------

template <class T>
using Maybe = std::optional<T>;  // unset: leave as is

struct VehiclePatch {
    Maybe<std::string> plate, vin, make, model;
    Maybe<std::optional<std::int64_t>> mileage_km;  // set to nullopt: clear
};

struct ContactPointPatch {
    Maybe<ContactKind> kind;
    Maybe<ContactUsage> usage;
    Maybe<std::string> value;
    Maybe<bool> opted_out;
};

struct PartyPatch {
    Maybe<std::vector<PartyRole>> roles;
    Maybe<PartyKind> kind;
    Maybe<std::string> title, first_name, last_name, company_name, preferred_name, language;
    Maybe<bool> opted_out;
    Maybe<std::vector<ContactPointPatch>> contact_points;  // only when creating the party
};

struct InterventionPatch {
    Maybe<std::string> label, mechanic_note;
    Maybe<Cents> price_excl, price_incl;
    Maybe<VatBp> vat_bp;
    Maybe<InterventionKind> kind;
    Maybe<Severity> severity;
    Maybe<bool> shown;
    Maybe<std::optional<bool>> authorized;
    Maybe<int> position;
};

struct RepairOrderPatch {
    Maybe<std::string> number;
    Maybe<RoStatus> status;
    Maybe<std::optional<Id>> advisor_id;
    Maybe<std::optional<UnixMs>> promised_at;
    Maybe<std::string> note;
    Maybe<VehiclePatch> vehicle;
    Maybe<std::vector<PartyPatch>> parties;               // only when creating the RO
    Maybe<std::vector<InterventionPatch>> interventions;  // only when creating the RO
};

/// List and search parameters of GET /api/v1/repair-orders.

struct RepairOrderQuery {
    std::string text;                // search: plate, RO number, customer name, VIN, make, model, phone, email
    std::vector<RoStatus> statuses;  // empty: all; each at most once (kRoStatusCount at most)
    std::optional<Id> advisor_id;
    bool unassigned = false;  // only ROs with no advisor
    /// Only ROs "to handle": the customer confirmed, asked to be called, or wrote back, or a
    /// message failed, since an advisor last marked the RO handled (unread replies until read).
    bool attention = false;
    enum class DateField { created, promised } date_field = DateField::created;
    std::optional<UnixMs> from;  // inclusive
    std::optional<UnixMs> to;    // exclusive
    enum class Sort { newest, oldest, promised, number } sort = Sort::newest;
    int page = 1;
    int per_page = 50;
};
/// As GET /api/v1/repair-orders reads them (?date=, ?sort=).
template <>
struct EnumNames<RepairOrderQuery::DateField> {
    static constexpr NameTable<RepairOrderQuery::DateField, 2> table{
        {{RepairOrderQuery::DateField::created, "created"}, {RepairOrderQuery::DateField::promised, "promised"}}};
};
template <>
struct EnumNames<RepairOrderQuery::Sort> {
    static constexpr NameTable<RepairOrderQuery::Sort, 4> table{{{RepairOrderQuery::Sort::newest, "newest"},
                                                                 {RepairOrderQuery::Sort::oldest, "oldest"},
                                                                 {RepairOrderQuery::Sort::promised, "promised"},
                                                                 {RepairOrderQuery::Sort::number, "number"}}};
};

struct RepairOrderPage {
    std::vector<RepairOrderSummary> items;
    std::int64_t total = 0;
    int page = 1;
    int per_page = 50;
};

}  // namespace relais
