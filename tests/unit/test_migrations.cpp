#include "support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace relais;
using namespace relais::test;

namespace {

Result<std::string> pragma_text(Connection& c, const char* pragma) {
    TRY_ASSIGN(auto s, c.prepare(std::string("PRAGMA ") + pragma));
    TRY_ASSIGN(bool row, s.step());
    return row ? s.text(0) : std::string();
}

Result<bool> table_exists(Connection& c, const std::string& name) {
    TRY_ASSIGN(auto s, c.prepare("SELECT 1 FROM sqlite_master WHERE name = ?"));
    s.bind(1, name);
    return s.step();
}

}  // namespace

TEST_CASE("a new database gets the schema, WAL, synchronous=FULL and foreign keys") {
    TempDir dir;
    auto db = Database::open(dir.path() + "/r.db", 1);
    REQUIRE(db.ok());
    auto applied = (*db)->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); });
    REQUIRE(applied.ok());
    CHECK(*applied == static_cast<int>(builtin_migrations().size()));
    (*db)->with_writer([](Connection& c) {
        CHECK(*pragma_text(c, "journal_mode") == "wal");
        CHECK(*pragma_text(c, "synchronous") == "2");  // FULL
        CHECK(*pragma_text(c, "foreign_keys") == "1");
        CHECK(*schema_version(c) == static_cast<int>(builtin_migrations().size()));
        for (const char* t : {"users", "sessions", "api_keys", "repair_orders", "parties", "party_roles",
                              "contact_points", "interventions", "events", "ro_search"}) {
            CAPTURE(t);
            CHECK(*table_exists(c, t));
        }
        return 0;
    });
    // Applying again is a no-op.
    CHECK(*(*db)->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); }) == 0);
}

TEST_CASE("a failing migration leaves the database exactly as it was") {
    TempDir dir;
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    const std::array<Migration, 1> first = {{{1, "one", "CREATE TABLE a (x INTEGER);"}}};
    REQUIRE(db->with_writer([&](Connection& c) { return migrate(c, first); }).ok());
    REQUIRE(db->with_writer([](Connection& c) { return c.exec("INSERT INTO a VALUES (7)"); }).ok());

    const std::array<Migration, 3> more = {{{1, "one", "CREATE TABLE a (x INTEGER);"},
                                            {2, "two", "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (8);"},
                                            {3, "three", "CREATE TABLE c (z INTEGER); THIS IS NOT SQL;"}}};
    auto failed = db->with_writer([&](Connection& c) { return migrate(c, more); });
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().detail.find("migration 3 (three) failed") != std::string::npos);
    db->with_writer([](Connection& c) {
        CHECK(*schema_version(c) == 1);
        CHECK_FALSE(*table_exists(c, "b"));  // migration 2 ran in the same transaction: rolled back
        CHECK_FALSE(*table_exists(c, "c"));
        auto s = std::move(c.prepare("SELECT count(*) FROM a")).value();
        REQUIRE(*s.step());
        CHECK(s.int64(0) == 1);
        return 0;
    });
}

TEST_CASE("a database from a newer relais is refused") {
    TempDir dir;
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    REQUIRE(db->with_writer([](Connection& c) { return c.exec("PRAGMA user_version = 99"); }).ok());
    auto r = db->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "database_too_new");
}

TEST_CASE("the timeline is append-only in the schema itself") {
    World w;
    RepairOrderPatch p = with_plate();
    p.number = "OR-1";
    REQUIRE(w.ros->create(p, w.actor).ok());
    auto update = w.db->write([](Connection& c) { return c.exec("UPDATE events SET type = 'forged'"); });
    CHECK_FALSE(update.ok());
    auto remove = w.db->write([](Connection& c) { return c.exec("DELETE FROM events"); });
    CHECK_FALSE(remove.ok());
    CHECK(w.ros->timeline(1)->size() == 1);
}

TEST_CASE("a failed write transaction is rolled back") {
    World w;
    auto r = w.db->write([](Connection& c) -> Result<int> {
        TRY(c.exec("INSERT INTO counters (name, value) VALUES ('x', 1)"));
        return internal_error("stop here");
    });
    CHECK_FALSE(r.ok());
    auto n = w.db->read([](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM counters"));
        TRY(s.step());
        return s.int64(0);
    });
    CHECK(*n == 0);
}

// --- A migrated database has the schema of a new one (issue 14) ---------------------------------
// A new database and an old one both reach the latest version through the same list of
// migrations, so the meaningful checks are: an old database, with rows in every table it has,
// migrated step by step to the latest version has exactly the new one's schema and keeps its rows
// (the data fixes of 8 and 9 included); and the schema at each version is the one that version
// was released with, so that an edited released migration (which old databases would never run
// again) fails here instead of in a dealership.

namespace {

// One statement per row, with the columns the row's table had at `version`.
struct SeedRow {
    int version;
    const char* sql;
};
constexpr SeedRow kSeed[] = {
    {1,
     "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at) "
     "VALUES (1, 'marie', 'Marie Dupont', 'dealer_admin', 'hash', 10, 10)"},
    {1,
     "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) "
     "VALUES (X'01', 1, 'csrf', 10, 10, 1000)"},
    {1, "INSERT INTO known_devices (token_hash, user_id, created_at) VALUES (X'02', 1, 10)"},
    {1, "INSERT INTO api_keys (name, key_hash, prefix, created_by, created_at) VALUES ('dms', X'03', 'rk_', 1, 10)"},
    {1,
     "INSERT INTO repair_orders (id, number, status, advisor_id, created_at, updated_at, customer_name) "
     "VALUES (1, 'OR-1', 'open', 1, 10, 10, 'Jean Martin'), (2, 'OR-2', 'closed', 1, 11, 11, '')"},
    {1, "INSERT INTO ro_search_doc (id, doc) VALUES (1, 'or-1 jean martin ab-123-cd')"},
    {1, "INSERT INTO ro_search (rowid, doc) VALUES (1, 'or-1 jean martin ab-123-cd')"},
    {1, "INSERT INTO counters (name, value) VALUES ('ro_number', 2)"},
    {1,
     "INSERT INTO parties (id, ro_id, kind, first_name, last_name, created_at, updated_at) "
     "VALUES (1, 1, 'person', 'Jean', 'Martin', 10, 10)"},
    {1, "INSERT INTO party_roles (ro_id, role, party_id) VALUES (1, 'driver', 1)"},
    {1,
     "INSERT INTO contact_points (party_id, kind, usage, value, created_at) "
     "VALUES (1, 'phone', 'personal', '+33612345678', 10)"},
    {1,
     "INSERT INTO interventions (id, ro_id, position, label, price_excl_cents, price_incl_cents, vat_rate_bp, "
     "kind, severity, created_at, updated_at) VALUES (1, 1, 1, 'Vidange', 10000, 12000, 2000, 'initial', 'green', "
     "10, 10)"},
    {1,
     "INSERT INTO events (ro_id, at, actor_kind, actor_id, actor_name, type) "
     "VALUES (1, 10, 'user', 1, 'Marie Dupont', 'ro.created')"},
    {2, "INSERT INTO sms_inbound (id, sender, text, sent_at, received_at) VALUES (1, '+33612345678', 'OK', 20, 21)"},
    {3,
     "INSERT INTO offers (id, ro_id, version, state, language, snapshot, created_at, expires_at) "
     "VALUES (1, 1, 1, 'sent', 'fr', '{}', 30, 9000)"},
    {3,
     "INSERT INTO offer_recipients (id, offer_id, channel, address, language) "
     "VALUES (1, 1, 'sms', '+33612345678', 'fr')"},
    {3,
     "INSERT INTO offer_links (id, offer_id, recipient_id, token_hash, created_at, expires_at) "
     "VALUES (1, 1, 1, X'04', 30, 9000)"},
    {3, "INSERT INTO offer_decisions (offer_id, intervention_id, decision, decided_at) VALUES (1, 1, 'accept', 40)"},
    {3,
     "INSERT INTO outbox (id, ro_id, offer_id, recipient_id, purpose, channel, address, body, state, "
     "next_attempt_at, created_at, sent_at) VALUES (1, 1, 1, 1, 'offer', 'sms', '+33612345678', 'Votre devis', "
     "'sent', 30, 30, 31)"},
    {3,
     "INSERT INTO outbox (id, ro_id, purpose, channel, address, body, state, next_attempt_at, created_at, "
     "last_error) VALUES (2, 1, 'offer', 'sms', '+33600000000', 'Votre devis', 'failed', 30, 30, "
     "'opted out (STOP)')"},
    {4, "INSERT INTO opt_outs (address, channel, at, source) VALUES ('+33600000000', 'sms', 50, 'sms')"},
    {4,
     "INSERT INTO sms_inbound (id, sender, text, sent_at, received_at, ro_id, offer_id) "
     "VALUES (2, '+33612345678', 'Quand ?', 50, 51, 1, 1)"},
    {5,
     "INSERT INTO interventions (id, ro_id, position, label, price_excl_cents, price_incl_cents, vat_rate_bp, "
     "kind, severity, created_at, updated_at, authorized) VALUES (2, 1, 2, 'Pneus', 20000, 24000, 2000, "
     "'optional', 'orange', 55, 55, 1)"},
    {6, "INSERT INTO agreements (id, created_at) VALUES (1, 60)"},
    {6,
     "INSERT INTO agreement_versions (agreement_id, version, mandatory, title_fr, text_fr, created_at) "
     "VALUES (1, 1, 1, 'CGV', 'Le texte', 60)"},
    {6, "INSERT INTO offer_agreements (offer_id, agreement_id, version, accepted_at) VALUES (1, 1, 1, 70)"},
    {7,
     "INSERT INTO access_link_requests (link_id, recipient_id, ip, at, outcome) VALUES (1, 1, '192.0.2.1', 80, "
     "'sent')"},
    {7,
     "INSERT INTO outbox (id, purpose, channel, address, body, state, interruptions, next_attempt_at, "
     "created_at) VALUES (3, 'offer', 'email', 'jean@example.com', 'Bonjour', 'quarantined', 3, 80, 80)"},
    {8,
     "INSERT INTO sms_inbound (id, sender, text, sent_at, received_at, ro_id, read_at, read_by) "
     "VALUES (3, '+33612345678', 'Merci', 90, 91, 1, 95, 1)"},
    {9,
     "INSERT INTO repair_orders (id, number, status, created_at, updated_at, deleted_at, deleted_by) "
     "VALUES (3, 'OR-3', 'open', 100, 100, 101, 1)"},
    {10, "INSERT INTO schedule (kind, key, due_at, created_at) VALUES ('offers.expire', '', 110, 100)"},
    {14,
     "INSERT INTO message_templates (kind, language, version, parts, created_at, created_by_name) VALUES "
     "('offer_sms', 'fr', 1, '{\"offer_sms\": \"<%link>\"}', 130, 'Marie')"},
    {15,
     "INSERT INTO notifications (user_id, ro_id, event_id, kind, at, detail) VALUES (1, 1, 1, 'confirmed', 120, '')"},
    {15, "INSERT INTO notification_settings (user_id, email, digest, updated_at) VALUES (1, 'a@b.fr', 1, 120)"},
    {15, "INSERT INTO notification_digests (user_id, first_at, due_at) VALUES (1, 120, 720)"},
    {17,
     "INSERT INTO offer_questions (offer_id, ro_id, intervention_id, author, body, at, recipient_id) VALUES "
     "(1, 1, 1, 'customer', 'Urgent ?', 140, 1)"},
    {17, "INSERT INTO offer_answer_messages (offer_id, first_at, due_at) VALUES (1, 150, 750)"},
    {18,
     "INSERT INTO repair_reports (ro_id, offer_id, version, snapshot, final_total_incl_cents, created_at, "
     "created_by_user_id, created_by_name, outbox_id) VALUES (1, 1, 1, '{}', 12000, 140, 1, 'Marie', 1)"},
};

int latest() { return static_cast<int>(builtin_migrations().size()); }

Result<std::vector<std::vector<std::string>>> rows_of(Connection& c, const std::string& sql, int columns,
                                                      const std::string& arg = "") {
    TRY_ASSIGN(auto s, c.prepare(sql));
    if (!arg.empty()) s.bind(1, arg);
    std::vector<std::vector<std::string>> rows;
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        auto& r = rows.emplace_back();
        for (int i = 0; i < columns; ++i) r.push_back(s.is_null(i) ? "NULL" : s.text(i));
    }
    return rows;
}

std::string collapse_spaces(const std::string& sql) {
    std::string out;
    for (const char ch : sql) {
        const bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : ch;
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// The schema as text, one line per fact: sqlite_master (without rootpage, which follows the
// history) with its SQL's spaces collapsed, then each table's columns, indexes and foreign keys.
// `with_shadow_tables` false leaves out the tables FTS5 makes for itself, whose definitions
// belong to the SQLite version rather than to our migrations.
Result<std::string> schema_of(Connection& c, bool with_shadow_tables = true) {
    std::string out;
    TRY_ASSIGN(auto version, schema_version(c));
    out += "user_version " + std::to_string(version) + "\n";
    TRY_ASSIGN(auto objects, rows_of(c,
                                     "SELECT type, name, tbl_name, ifnull(sql, '') FROM sqlite_master "
                                     "ORDER BY type, name",
                                     4));
    TRY_ASSIGN(auto virtuals, rows_of(c, "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'", 1));
    const auto shadow = [&](const std::string& name) {
        for (const auto& v : virtuals)
            if (name.rfind(v[0] + "_", 0) == 0) return true;
        return false;
    };
    for (const auto& o : objects) {
        if (!with_shadow_tables && shadow(o[2])) continue;
        out += o[0] + " " + o[1] + " on " + o[2] + ": " + collapse_spaces(o[3]) + "\n";
        if (o[0] != "table") continue;
        TRY_ASSIGN(auto columns, rows_of(c,
                                         "SELECT cid, name, type, \"notnull\", ifnull(dflt_value, 'NULL'), pk "
                                         "FROM pragma_table_info(?)",
                                         6, o[1]));
        for (const auto& col : columns)
            out += "  column " + col[0] + " " + col[1] + " " + col[2] + " notnull=" + col[3] + " default=" + col[4] +
                   " pk=" + col[5] + "\n";
        TRY_ASSIGN(auto indexes, rows_of(c,
                                         "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) "
                                         "ORDER BY name",
                                         4, o[1]));
        for (const auto& index : indexes) {
            out += "  index " + index[0] + " unique=" + index[1] + " origin=" + index[2] + " partial=" + index[3];
            TRY_ASSIGN(auto parts,
                       rows_of(c, "SELECT seqno, ifnull(name, '<expr>') FROM pragma_index_info(?)", 2, index[0]));
            for (const auto& p : parts) out += " " + p[0] + ":" + p[1];
            out += "\n";
        }
        TRY_ASSIGN(auto keys, rows_of(c,
                                      "SELECT id, seq, \"table\", \"from\", ifnull(\"to\", 'NULL'), on_update, "
                                      "on_delete, \"match\" FROM pragma_foreign_key_list(?)",
                                      8, o[1]));
        for (const auto& k : keys)
            out += "  foreign key " + k[0] + "." + k[1] + " " + k[3] + " -> " + k[2] + "(" + k[4] + ") on update " +
                   k[5] + " on delete " + k[6] + " match " + k[7] + "\n";
    }
    return out;
}

// FNV-1a, 64 bits: the same on every machine (std::hash is not).
std::string fingerprint(const std::string& text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const unsigned char ch : text) h = (h ^ ch) * 1099511628211ULL;
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(h));
    return buffer;
}

Result<std::int64_t> count_rows(Connection& c, const std::string& table) {
    TRY_ASSIGN(auto rows, rows_of(c, "SELECT count(*) FROM \"" + table + "\"", 1));
    return std::stoll(rows.at(0).at(0));
}

std::unique_ptr<Database> database_at(const std::string& path, int version, bool seeded) {
    auto db = std::move(Database::open(path, 1)).value();
    REQUIRE(db->with_writer([&](Connection& c) { return migrate(c, builtin_migrations().first(version)); }).ok());
    if (seeded) {
        for (const SeedRow& row : kSeed) {
            if (row.version > version) continue;
            CAPTURE(row.sql);
            REQUIRE(db->with_writer([&](Connection& c) { return c.exec(row.sql); }).ok());
        }
    }
    return db;
}

std::string text_at(Database& db, const std::string& sql) {
    return db
        .with_writer([&](Connection& c) -> Result<std::string> {
            TRY_ASSIGN(auto rows, rows_of(c, sql, 1));
            return rows.empty() ? std::string("<no row>") : rows[0][0];
        })
        .value();
}

}  // namespace

TEST_CASE("migrations: the embedded .sql files are numbered 1, 2, 3, ... and each has a name and SQL") {
    const auto list = builtin_migrations();
    REQUIRE(!list.empty());
    for (std::size_t i = 0; i < list.size(); ++i) {
        CAPTURE(i);
        CHECK(list[i].version == static_cast<int>(i) + 1);
        CHECK(!list[i].name.empty());
        CHECK((list[i].sql.find("CREATE ") != std::string_view::npos ||
               list[i].sql.find("ALTER ") != std::string_view::npos));
        // The file's first line is its name; the rest is what runs.
        CHECK(list[i].sql.starts_with("-- " + std::string(list[i].name) + "\n"));
    }
}

TEST_CASE("migrations: a database from each older version, with rows, migrates to the new schema and keeps them") {
    TempDir dir;
    auto fresh = database_at(dir.path() + "/fresh.db", latest(), true);
    const std::string expected = fresh->with_writer([](Connection& c) { return schema_of(c); }).value();
    REQUIRE(expected.find("table outbox on outbox") != std::string::npos);

    for (int from = 1; from < latest(); ++from) {
        CAPTURE(from);
        const std::string path = dir.path() + "/v" + std::to_string(from) + ".db";
        auto old = database_at(path, from, true);
        // Every table's rows, counted before.
        const auto tables = old->with_writer([](Connection& c) {
                                   return rows_of(c, "SELECT name FROM sqlite_master WHERE type = 'table'", 1);
                               })
                                .value();
        std::vector<std::int64_t> before;
        for (const auto& t : tables)
            before.push_back(old->with_writer([&](Connection& c) { return count_rows(c, t[0]); }).value());
        // Step by step: one transaction per version, as successive releases would have run them.
        for (int v = from + 1; v <= latest(); ++v) {
            auto applied = old->with_writer([&](Connection& c) { return migrate(c, builtin_migrations().first(v)); });
            REQUIRE(applied.ok());
            CHECK(*applied == 1);
        }
        const std::string migrated = old->with_writer([](Connection& c) { return schema_of(c); }).value();
        CHECK(migrated == expected);
        for (std::size_t i = 0; i < tables.size(); ++i) {
            CAPTURE(tables[i][0]);
            CHECK(old->with_writer([&](Connection& c) { return count_rows(c, tables[i][0]); }).value() == before[i]);
        }
        CHECK(text_at(*old, "SELECT username FROM users WHERE id = 1") == "marie");
        // 9 recounts without the deleted repair order (seeded at 9 itself, already deleted, for a later start).
        if (from < 9) CHECK(text_at(*old, "SELECT n FROM ro_status_counts WHERE status = 'open'") == "1");
        CHECK(text_at(*old, "SELECT rowid FROM ro_search WHERE ro_search MATCH '\"martin\"'") == "1");
        if (from >= 3) {
            // Copied into the new outbox by 7.
            CHECK(text_at(*old, "SELECT body || '|' || state || '|' || interruptions FROM outbox WHERE id = 1") ==
                  "Votre devis|sent|0");
            // Worded as a code by 9.
            if (from < 9)
                CHECK(text_at(*old, "SELECT failure FROM outbox WHERE id = 2") ==
                      R"({"code":"opted_out","params":{}})");
        }
        if (from >= 2 && from < 8) {
            // 8: replies from before it count as read, but those on repair orders still open.
            CHECK(text_at(*old, "SELECT read_at FROM sms_inbound WHERE id = 1") == "21");
            if (from >= 4)
                CHECK(text_at(*old, "SELECT ifnull(read_at, 'unread') FROM sms_inbound WHERE id = 2") == "unread");
        }
    }
}

TEST_CASE("migrations: a released migration is never edited (the schema at each version is the one released)") {
    // The schema after each version, as fingerprint(schema_of(...)) without FTS5's own tables.
    // A new migration adds its line here (the failure prints it); a changed line means that a
    // released migration was edited, which databases already past it would never see: write a
    // new migration instead.
    const std::vector<std::string> released = {
        "d54e3b3a4e48e9a6", "f0e241079c0012a4", "946e8da0fa97f82e", "e62164fc5d8f88ca", "aca97ff58b386f18",
        "25863244ce103271", "68141da9634e5510", "4db0bdb96444cebf", "08dc7262f2a90398", "c4fa3d6e0af40210",
        "43141b6515b13b35", "9ce5573be789ad03", "16c24e10307f98b2", "c8f4ad37bb17b397", "2625f40fe943344a",
        "76371a6e715db2e7", "3a1a268ed4fada3c", "639ba357aded2212", "4d7fc5ec7e843a71",
    };
    TempDir dir;
    for (int v = 1; v <= latest(); ++v) {
        CAPTURE(v);
        auto db = database_at(dir.path() + "/v" + std::to_string(v) + ".db", v, false);
        const std::string print =
            fingerprint(db->with_writer([](Connection& c) { return schema_of(c, false); }).value());
        INFO("fingerprint of version ", v, ": \"", print, "\"");
        REQUIRE(static_cast<std::size_t>(v) <= released.size());
        CHECK(released[static_cast<std::size_t>(v - 1)] == print);
    }
}
