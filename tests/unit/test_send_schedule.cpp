// Sends scheduled relative to the RO's promised time (offers/send_schedule.hpp), on a fake clock
// in Europe/Paris with the default opening hours: the time computed at send, the refusals, the
// send following a change of the promised time (earlier, later, into the past, removed), the
// opening hours, the reminders' start and the links' 30 days moving with it, and nothing moving
// once the message has left (a real outbox carrying email to a maildir).
#include "email_channel.hpp"
#include "loop_timer.hpp"
#include "maildir.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "outbox.hpp"
#include "reminder_store.hpp"
#include "reminders.hpp"
#include "scheduler.hpp"
#include "send_schedule.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace relais;
using namespace relais::test;

namespace {

constexpr UnixMs kHour = 3'600'000;

struct ScheduleWorld : World {
    Config config;
    std::unique_ptr<TimeZone> paris = make_system_time_zone("Europe/Paris");
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<ReminderService> reminders;
    RepairOrder ro;
    Id email_cp = 0;
    int followed = 0;  // the promised-time listener's after-commit calls (the outbox woken)

    ScheduleWorld() {
        config.dealer.name = "Garage Demo";
        config.http.public_base_url = "https://atelier.garage-xyz.fr";
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *paris});
        reminders = std::make_unique<ReminderService>(
            ReminderServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *paris});
        offers->on_queued([this] { ++followed; });
        ros->set_promised_time_listener(offers->promised_time_listener());
        clock.set(at("2026-12-07T09:00"));  // Monday
        RepairOrderPatch p = with_plate();
        PartyPatch driver;
        driver.first_name = std::string("Hélène");
        driver.last_name = std::string("Lefèvre");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch email;
        email.kind = ContactKind::email;
        email.value = std::string("helene@example.test");
        driver.contact_points = std::vector<ContactPointPatch>{email};
        p.parties = std::vector<PartyPatch>{driver};
        InterventionPatch i;
        i.label = std::string("Plaquettes avant");
        i.price_excl = 15825;
        p.interventions = std::vector<InterventionPatch>{i};
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
        email_cp = ro.parties.at(0).contact_points.at(0).id;
    }

    UnixMs at(const char* local) const { return *parse_date_time(local, *paris); }

    std::string local(UnixMs t) const {
        const CivilTime c = paris->to_local(t);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute);
        return buf;
    }

    // The advisor changes the promised time (nullopt: removes it), through the RO's service.
    void promise(std::optional<UnixMs> when) {
        RepairOrderPatch p;
        p.promised_at = when;
        auto r = ros->update(ro.id, p, std::nullopt, actor);
        REQUIRE_MESSAGE(r.ok(), r.error().code, " ", r.error().detail);
    }

    SendOfferRequest relative(int hours) const {
        SendOfferRequest req;
        req.contact_point_ids = {email_cp};
        req.send_relative_hours = hours;
        req.reminders = ReminderCadence{ReminderPolicy::urgent, 2};
        return req;
    }

    Offer send_relative(int hours) {
        auto o = offers->send(ro.id, relative(hours), actor);
        REQUIRE_MESSAGE(o.ok(), o.error().code, " ", (o.error().fields.empty() ? "" : o.error().fields[0].code));
        return *o;
    }

    Offer get(Id id) {
        auto o = offers->get(id);
        REQUIRE(o.ok());
        return *o;
    }

    // When the offer's message is due.
    std::string due(Id id) {
        const Offer o = get(id);
        REQUIRE(o.messages.size() == 1);
        return local(o.messages[0].next_attempt_at);
    }

    std::vector<nlohmann::json> events(const std::string& type) {
        auto t = ros->timeline(ro.id);
        REQUIRE(t.ok());
        std::vector<nlohmann::json> out;
        for (const auto& e : *t)
            if (e.type == type) out.push_back(nlohmann::json::parse(e.data));
        return out;
    }

    std::vector<UnixMs> link_expiries(Id offer_id) {
        auto r = db->read([&](Connection& c) -> Result<std::vector<UnixMs>> {
            TRY_ASSIGN(auto q, c.prepare("SELECT expires_at FROM offer_links WHERE offer_id = ?"));
            q.bind(1, offer_id);
            std::vector<UnixMs> out;
            for (;;) {
                TRY_ASSIGN(bool row, q.step());
                if (!row) break;
                out.push_back(q.int64(0));
            }
            return out;
        });
        REQUIRE(r.ok());
        return *r;
    }
};

bool has_field(const Error& e, const std::string& field, const std::string& code) {
    for (const auto& f : e.fields)
        if (f.field == field && f.code == code) return true;
    return false;
}

// The outbox on its own loop, carrying email to a maildir in the test's folder.
struct MaildirOutbox {
    boost::asio::io_context io;
    LoopTimer timer;
    Scheduler scheduler;
    mail::MaildirTransport maildir;
    EmailChannel email;
    Outbox outbox;
    explicit MaildirOutbox(ScheduleWorld& w)
        : timer(io, w.clock),
          scheduler({.db = *w.db, .clock = w.clock, .timer = timer, .log = null_logger()}),
          maildir(w.dir.path() + "/mail", w.clock, {}),
          email({.transport = maildir,
                 .config = w.config,
                 .random = w.random,
                 .clock = w.clock,
                 .zone = *w.paris,
                 .log = null_logger()}),
          outbox({.io = io,
                  .db = *w.db,
                  .clock = w.clock,
                  .scheduler = scheduler,
                  .channels = {&email},
                  .log = null_logger(),
                  .on_settled = &offer_state::on_message_settled}) {
        REQUIRE(scheduler.start().ok());
        outbox.start();
    }
    void run() {
        outbox.wake();
        io.restart();
        io.run_for(std::chrono::milliseconds(200));
    }
};

}  // namespace

TEST_CASE("send schedule: relative to the promised time, it waits until promised plus the offset") {
    ScheduleWorld w;
    w.promise(w.at("2026-12-08T17:00"));  // Tuesday

    // The preview says when it would leave.
    auto preview = w.offers->preview(w.ro.id, w.relative(-2));
    REQUIRE(preview.ok());
    REQUIRE(preview->send_at.has_value());
    CHECK(w.local(*preview->send_at) == "2026-12-08 15:00");

    const Offer o = w.send_relative(-2);
    CHECK(o.state == OfferState::scheduled);
    CHECK(o.send_relative_hours == -2);
    CHECK(w.due(o.id) == "2026-12-08 15:00");
    CHECK(o.expires_at == w.at("2026-12-08T15:00") + kLinkValidityMs);  // 30 days from when it leaves
    // The reminders count from the departure: urgent, two hours after it.
    REQUIRE(o.reminders.has_value());
    CHECK(w.local(o.reminders->started_at) == "2026-12-08 15:00");
    CHECK(w.local(*o.reminders->next_at) == "2026-12-08 17:00");
    const auto scheduled = w.events("offer.scheduled");
    REQUIRE(scheduled.size() == 1);
    CHECK(scheduled[0]["send_relative"]["hours"] == -2);
    CHECK(scheduled[0]["send_at"] == "2026-12-08T14:00:00Z");
    CHECK(scheduled[0]["promised_at"] == "2026-12-08T16:00:00Z");
    CHECK_FALSE(scheduled[0].contains("asked_for"));

    // After the promised time works too.
    auto after = w.offers->preview(w.ro.id, w.relative(3));
    REQUIRE(after.ok());
    REQUIRE(after->send_at.has_value());
    CHECK(w.local(*after->send_at) == "2026-12-09 08:00");  // 20:00 is after closing: Wednesday's opening
    CHECK(w.local(*after->asked_for) == "2026-12-08 20:00");
}

TEST_CASE("send schedule: refused without a promised time, in the past, too far ahead, with send_at") {
    ScheduleWorld w;
    auto refused = [&](const SendOfferRequest& req, const std::string& field, const std::string& code) {
        auto sent = w.offers->send(w.ro.id, req, w.actor);
        REQUIRE_FALSE(sent.ok());
        CHECK(sent.error().code == "validation_failed");
        CHECK(has_field(sent.error(), field, code));
        auto previewed = w.offers->preview(w.ro.id, req);
        REQUIRE_FALSE(previewed.ok());
        CHECK(has_field(previewed.error(), field, code));
    };
    refused(w.relative(-2), "send_relative", "no_promised_time");

    w.promise(w.at("2026-12-07T10:00"));
    refused(w.relative(-2), "send_relative", "relative_in_the_past");  // 08:00, an hour ago
    w.promise(w.at("2027-01-10T10:00"));
    refused(w.relative(0), "send_relative", "relative_too_far_ahead");
    SendOfferRequest both = w.relative(-2);
    both.send_at = w.at("2026-12-08T10:00");
    refused(both, "send_relative", "send_at_and_relative");
    refused(w.relative(-169), "send_relative.hours", "out_of_range");

    // The message names the time it would give, in the dealership's zone.
    w.promise(w.at("2026-12-07T10:00"));
    auto named = w.offers->send(w.ro.id, w.relative(-2), w.actor);
    REQUIRE_FALSE(named.ok());
    REQUIRE(named.error().fields.size() == 1);
    CHECK(named.error().fields[0].params == Params{{"value", "2026-12-07 08:00"}});
    CHECK(w.events("offer.scheduled").empty());
}

TEST_CASE("send schedule: a change of the promised time moves the send, earlier and later, with its plan") {
    ScheduleWorld w;
    w.promise(w.at("2026-12-09T17:00"));  // Wednesday
    const Offer o = w.send_relative(-2);
    CHECK(w.due(o.id) == "2026-12-09 15:00");

    // Earlier: Tuesday noon, so 10:00.
    w.followed = 0;
    w.promise(w.at("2026-12-08T12:00"));
    CHECK(w.due(o.id) == "2026-12-08 10:00");
    CHECK(w.followed == 1);  // the outbox and the reminders' job are told after the commit
    Offer moved = w.get(o.id);
    CHECK(moved.state == OfferState::scheduled);
    CHECK(moved.expires_at == w.at("2026-12-08T10:00") + kLinkValidityMs);
    for (UnixMs e : w.link_expiries(o.id)) CHECK(e == moved.expires_at);
    REQUIRE(moved.reminders.has_value());
    CHECK(w.local(moved.reminders->started_at) == "2026-12-08 10:00");
    CHECK(w.local(*moved.reminders->next_at) == "2026-12-08 12:00");
    auto events = w.events("offer.rescheduled");
    REQUIRE(events.size() == 1);
    CHECK(events[0]["send_at"] == "2026-12-08T09:00:00Z");
    CHECK(events[0]["previous_send_at"] == "2026-12-09T14:00:00Z");
    CHECK(events[0]["promised_at"] == "2026-12-08T11:00:00Z");
    CHECK(events[0]["hours"] == -2);
    CHECK_FALSE(events[0].contains("late"));

    // Later: Thursday 18:00, so 16:00.
    w.promise(w.at("2026-12-10T18:00"));
    CHECK(w.due(o.id) == "2026-12-10 16:00");
    CHECK(w.local(w.get(o.id).reminders->started_at) == "2026-12-10 16:00");
    CHECK(w.events("offer.rescheduled").size() == 2);

    // Another change on the RO (not its promised time) moves nothing.
    RepairOrderPatch note;
    note.note = std::string("Client attend au comptoir");
    REQUIRE(w.ros->update(w.ro.id, note, std::nullopt, w.actor).ok());
    CHECK(w.due(o.id) == "2026-12-10 16:00");
    CHECK(w.events("offer.rescheduled").size() == 2);

    // A send scheduled at a date does not follow the promised time.
    SendOfferRequest dated;
    dated.contact_point_ids = {w.email_cp};
    dated.send_at = w.at("2026-12-11T10:00");
    auto fixed = w.offers->send(w.ro.id, dated, w.actor);  // supersedes the relative one
    REQUIRE(fixed.ok());
    CHECK_FALSE(fixed->send_relative_hours.has_value());
    w.promise(w.at("2026-12-08T12:00"));
    CHECK(w.due(fixed->id) == "2026-12-11 10:00");
    CHECK(w.get(o.id).state == OfferState::superseded);
    CHECK(w.events("offer.rescheduled").size() == 2);
}

TEST_CASE("send schedule: the opening hours defer it to the next opening, keeping what was asked for") {
    ScheduleWorld w;
    w.promise(w.at("2026-12-08T18:00"));
    const Offer o = w.send_relative(2);  // Tuesday 20:00: closed
    CHECK(w.due(o.id) == "2026-12-09 08:00");
    const auto scheduled = w.events("offer.scheduled");
    REQUIRE(scheduled.size() == 1);
    CHECK(scheduled[0]["asked_for"] == "2026-12-08T19:00:00Z");

    // Saturday 13:00 is after Saturday's closing at noon: Monday 08:00.
    w.promise(w.at("2026-12-12T11:00"));
    CHECK(w.due(o.id) == "2026-12-14 08:00");
    auto events = w.events("offer.rescheduled");
    REQUIRE(events.size() == 1);
    CHECK(events[0]["asked_for"] == "2026-12-12T12:00:00Z");
    CHECK(events[0]["send_at"] == "2026-12-14T07:00:00Z");
    // Saturday 11:00 is open.
    w.promise(w.at("2026-12-12T09:00"));
    CHECK(w.due(o.id) == "2026-12-12 11:00");
    REQUIRE(w.events("offer.rescheduled").size() == 2);
    CHECK_FALSE(w.events("offer.rescheduled")[1].contains("asked_for"));  // oldest first
}

TEST_CASE("send schedule: a promised time moved into the past sends at once, or at the next opening") {
    ScheduleWorld w;
    w.promise(w.at("2026-12-08T17:00"));
    const Offer o = w.send_relative(-2);
    // 10:00 - 2 h = 08:00, an hour ago: it goes now (open on Monday at 09:00).
    w.promise(w.at("2026-12-07T10:00"));
    CHECK(w.due(o.id) == "2026-12-07 09:00");
    auto events = w.events("offer.rescheduled");
    REQUIRE(events.size() == 1);
    CHECK(events[0]["late"] == true);
    CHECK(events[0]["asked_for"] == "2026-12-07T07:00:00Z");

    // In the evening, closed: the next opening.
    ScheduleWorld e;
    e.clock.set(e.at("2026-12-07T19:30"));
    e.promise(e.at("2026-12-08T17:00"));
    const Offer late = e.send_relative(-2);
    e.promise(e.at("2026-12-07T20:00"));
    CHECK(e.due(late.id) == "2026-12-08 08:00");
}

TEST_CASE("send schedule: a promised time removed keeps the send where it was, and set again it follows again") {
    ScheduleWorld w;
    w.promise(w.at("2026-12-08T17:00"));
    const Offer o = w.send_relative(-2);
    w.followed = 0;
    w.promise(std::nullopt);
    CHECK(w.due(o.id) == "2026-12-08 15:00");
    CHECK(w.get(o.id).state == OfferState::scheduled);
    CHECK(w.followed == 0);  // nothing moved
    auto events = w.events("offer.rescheduled");
    REQUIRE(events.size() == 1);
    CHECK(events[0]["promised_at"].is_null());
    CHECK(events[0]["send_at"] == "2026-12-08T14:00:00Z");

    w.promise(w.at("2026-12-09T11:00"));
    CHECK(w.due(o.id) == "2026-12-09 09:00");
    CHECK(w.events("offer.rescheduled").size() == 2);
}

TEST_CASE("send schedule: once the message has left, a change of the promised time moves nothing") {
    ScheduleWorld w;
    MaildirOutbox box(w);
    w.promise(w.at("2026-12-07T12:00"));
    const Offer o = w.send_relative(-2);  // Monday 10:00
    box.run();
    CHECK(w.get(o.id).state == OfferState::scheduled);
    CHECK_FALSE(std::filesystem::exists(w.dir.path() + "/mail/new"));

    w.clock.set(w.at("2026-12-07T10:00:30"));
    box.run();
    const Offer gone = w.get(o.id);
    CHECK(gone.state == OfferState::received);
    REQUIRE(gone.messages.size() == 1);
    CHECK(gone.messages[0].state == OutboxState::delivered);
    // The reminders count from the real departure.
    REQUIRE(gone.reminders.has_value());
    CHECK(w.local(gone.reminders->started_at) == "2026-12-07 10:00");

    w.promise(w.at("2026-12-08T17:00"));
    const Offer after = w.get(o.id);
    CHECK(after.messages[0].next_attempt_at == gone.messages[0].next_attempt_at);
    CHECK(after.expires_at == gone.expires_at);
    CHECK(after.reminders->started_at == gone.reminders->started_at);
    CHECK(w.events("offer.rescheduled").empty());
    box.run();
    CHECK(std::distance(std::filesystem::directory_iterator(w.dir.path() + "/mail/new"),
                        std::filesystem::directory_iterator{}) == 1);
}

TEST_CASE("send schedule: once the offer has left, its gentle reminders follow the promised time") {
    ScheduleWorld w;
    MaildirOutbox box(w);
    w.promise(w.at("2026-12-07T12:00"));
    const Offer o = w.send_relative(-2);  // Monday 10:00
    w.clock.set(w.at("2026-12-07T10:00:30"));
    box.run();
    const Offer gone = w.get(o.id);
    REQUIRE(gone.state == OfferState::received);
    REQUIRE(gone.reminders.has_value());
    auto set_policy = [&](ReminderPolicy policy, int every_hours, std::optional<UnixMs> next_at) {
        REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                        TRY_ASSIGN(auto r, reminder_store::load(c, o.id));
                        r->policy = policy;
                        r->every_hours = every_hours;
                        r->next_at = next_at;
                        return reminder_store::save(c, *r);
                    })
                    .ok());
    };
    set_policy(ReminderPolicy::gentle, 0, w.at("2026-12-07T12:00"));

    // Later: two hours before the new time.
    w.promise(w.at("2026-12-08T17:00"));
    REQUIRE(w.get(o.id).reminders->next_at);
    CHECK(w.local(*w.get(o.id).reminders->next_at) == "2026-12-08 15:00");
    // Earlier: the same, not the time planned for the later one.
    w.promise(w.at("2026-12-07T16:00"));
    CHECK(w.local(*w.get(o.id).reminders->next_at) == "2026-12-07 14:00");
    // Another cadence does not depend on the promised time: it keeps its plan.
    set_policy(ReminderPolicy::urgent, 3, w.at("2026-12-07T13:00"));
    w.promise(w.at("2026-12-09T09:00"));
    CHECK(w.local(*w.get(o.id).reminders->next_at) == "2026-12-07 13:00");
}

TEST_CASE("send schedule: a message already tried does not move, a cancelled send does not either") {
    ScheduleWorld w;
    w.promise(w.at("2026-12-08T17:00"));
    const Offer tried = w.send_relative(-2);
    // What a failed first attempt leaves: pending, retried later.
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    TRY_ASSIGN(auto q, c.prepare("UPDATE outbox SET attempts = 1 WHERE offer_id = ?"));
                    q.bind(1, tried.id);
                    return q.run();
                })
                .ok());
    w.promise(w.at("2026-12-09T17:00"));
    CHECK(w.due(tried.id) == "2026-12-08 15:00");
    CHECK(w.events("offer.rescheduled").empty());

    // A new version, cancelled before its time: nothing leaves, nothing moves, ever.
    const Offer next = w.send_relative(-2);
    auto cancelled = w.offers->cancel(next.id, w.actor);
    REQUIRE(cancelled.ok());
    CHECK(cancelled->state == OfferState::cancelled);
    CHECK(cancelled->messages[0].state == OutboxState::failed);
    w.promise(w.at("2026-12-10T17:00"));
    CHECK(w.get(next.id).state == OfferState::cancelled);
    CHECK(w.events("offer.rescheduled").empty());
}
