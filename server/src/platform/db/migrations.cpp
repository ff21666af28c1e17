#include "migrations.hpp"

#include <array>

namespace relais {
namespace {

constexpr std::string_view v1_sql = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('advisor', 'dealer_admin')),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  language TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Browsers where a user signed in successfully: failed logins from them are throttled on
-- their own, so an attacker guessing elsewhere cannot lock the user out (OWASP device cookies).
CREATE TABLE known_devices (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  key_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);

CREATE TABLE repair_orders (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE COLLATE NOCASE,
  status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'ready', 'closed', 'cancelled')),
  advisor_id INTEGER REFERENCES users(id),
  promised_at INTEGER,
  note TEXT NOT NULL DEFAULT '',
  plate TEXT NOT NULL DEFAULT '',
  vin TEXT NOT NULL DEFAULT '',
  make TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  mileage_km INTEGER,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- Derived from the parties and interventions in the same transaction as every change,
  -- so that the list never joins or aggregates.
  customer_name TEXT NOT NULL DEFAULT '',
  intervention_count INTEGER NOT NULL DEFAULT 0,
  total_incl_cents INTEGER NOT NULL DEFAULT 0
);
-- "Newest first" is id order: ids follow creation (imports insert oldest first), and
-- ordering by rowid needs no row reads. Promised dates sort with the undated last.
CREATE INDEX ro_created ON repair_orders(created_at);
CREATE INDEX ro_status ON repair_orders(status, id);
CREATE INDEX ro_status_created ON repair_orders(status, created_at);
CREATE INDEX ro_advisor ON repair_orders(advisor_id, id);
CREATE INDEX ro_advisor_created ON repair_orders(advisor_id, created_at);
CREATE INDEX ro_promised ON repair_orders(coalesce(promised_at, 9223372036854775807), id);
CREATE INDEX ro_status_promised ON repair_orders(status, coalesce(promised_at, 9223372036854775807), id);

-- How many ROs have each status, kept by triggers: the default list views (all, or by status)
-- show their total without counting tens of thousands of index entries.
CREATE TABLE ro_status_counts (
  status TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER ro_status_count_insert AFTER INSERT ON repair_orders
BEGIN
  INSERT INTO ro_status_counts (status, n) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER ro_status_count_update AFTER UPDATE OF status ON repair_orders WHEN OLD.status != NEW.status
BEGIN
  UPDATE ro_status_counts SET n = n - 1 WHERE status = OLD.status;
  INSERT INTO ro_status_counts (status, n) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER ro_status_count_delete AFTER DELETE ON repair_orders
BEGIN
  UPDATE ro_status_counts SET n = n - 1 WHERE status = OLD.status;
END;

-- Search: one folded document per RO (search.hpp), indexed twice without a second copy:
-- trigrams for substrings of 3+ characters, word prefixes for 1 or 2 characters.
CREATE TABLE ro_search_doc (
  id INTEGER PRIMARY KEY REFERENCES repair_orders(id),
  doc TEXT NOT NULL
);
CREATE VIRTUAL TABLE ro_search USING fts5(doc, content = 'ro_search_doc', content_rowid = 'id',
  tokenize = 'trigram', detail = 'full');
CREATE VIRTUAL TABLE ro_words USING fts5(doc, content = 'ro_search_doc', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2', detail = 'none');

CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);

CREATE TABLE parties (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('person', 'company')),
  title TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  company_name TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  opted_out INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX parties_ro ON parties(ro_id);

CREATE TABLE party_roles (
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('driver', 'owner', 'contractor', 'leasing_company')),
  party_id INTEGER NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
  PRIMARY KEY (ro_id, role)
);
CREATE INDEX party_roles_party ON party_roles(party_id);

CREATE TABLE contact_points (
  id INTEGER PRIMARY KEY,
  party_id INTEGER NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
  usage TEXT NOT NULL CHECK (usage IN ('personal', 'professional')),
  value TEXT NOT NULL,
  opted_out INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (party_id, kind, value)
);

CREATE TABLE interventions (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  mechanic_note TEXT NOT NULL DEFAULT '',
  price_excl_cents INTEGER NOT NULL CHECK (price_excl_cents >= 0),
  price_incl_cents INTEGER NOT NULL CHECK (price_incl_cents >= 0),
  vat_rate_bp INTEGER NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
  kind TEXT NOT NULL CHECK (kind IN ('initial', 'optional')),
  severity TEXT NOT NULL CHECK (severity IN ('red', 'orange', 'green')),
  shown INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX interventions_ro ON interventions(ro_id, position);

-- The timeline (DESIGN.md §2): appended, never updated or deleted.
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER REFERENCES repair_orders(id),
  at INTEGER NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system', 'customer')),
  actor_id INTEGER,
  actor_name TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_ro ON events(ro_id, id);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
)sql";

// Inbound SMS are written before the modem deletes them: nothing a customer sends is lost,
// even before it is matched to an offer.
constexpr std::string_view v2_sql = R"sql(
CREATE TABLE sms_inbound (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  text TEXT NOT NULL,
  parts INTEGER NOT NULL DEFAULT 1,
  complete INTEGER NOT NULL DEFAULT 1,
  sent_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX sms_inbound_sender ON sms_inbound(sender, received_at);
)sql";

// Offers (DESIGN.md §2). Each row of `offers` is one immutable version: what the customer
// sees is frozen in `snapshot` (JSON); a new send makes a new row and supersedes the older.
// Messages go through `outbox`, written in the same transaction as the offer (§5).
constexpr std::string_view v3_sql = R"sql(
CREATE TABLE offers (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id),
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'sent', 'received', 'seen', 'confirmed', 'locked',
                                       'failed', 'superseded', 'expired', 'cancelled')),
  note TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  sent_at INTEGER,
  received_at INTEGER,
  seen_at INTEGER,
  confirmed_at INTEGER,
  locked_at INTEGER,
  expires_at INTEGER NOT NULL,
  UNIQUE (ro_id, version)
);

CREATE TABLE offer_recipients (
  id INTEGER PRIMARY KEY,
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  address TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  party_id INTEGER,
  contact_point_id INTEGER,
  language TEXT NOT NULL
);
CREATE INDEX offer_recipients_offer ON offer_recipients(offer_id);
CREATE INDEX offer_recipients_address ON offer_recipients(address);

-- Magic links: only the SHA-256 of the token is kept.
CREATE TABLE offer_links (
  id INTEGER PRIMARY KEY,
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  recipient_id INTEGER NOT NULL REFERENCES offer_recipients(id),
  token_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  device_hash BLOB,
  bound_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX offer_links_recipient ON offer_links(recipient_id);

CREATE TABLE offer_decisions (
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  intervention_id INTEGER NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('accept', 'decline', 'contact_me')),
  decided_at INTEGER NOT NULL,
  PRIMARY KEY (offer_id, intervention_id)
);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER REFERENCES repair_orders(id),
  offer_id INTEGER REFERENCES offers(id),
  recipient_id INTEGER REFERENCES offer_recipients(id),
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  address TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  html TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_offer ON outbox(offer_id);
)sql";

// Numbers and addresses that asked to receive nothing more ("STOP"): kept apart from contact
// points so that a number typed again on a new repair order stays opted out.
constexpr std::string_view v4_sql = R"sql(
CREATE TABLE opt_outs (
  address TEXT PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  at INTEGER NOT NULL,
  source TEXT NOT NULL
);
ALTER TABLE sms_inbound ADD COLUMN ro_id INTEGER;
ALTER TABLE sms_inbound ADD COLUMN offer_id INTEGER;
)sql";

// The advisor's authorisation of each intervention (thumbs up / down), matched to the
// customer's answers.
constexpr std::string_view v5_sql = R"sql(
ALTER TABLE interventions ADD COLUMN authorized INTEGER CHECK (authorized IN (0, 1));
)sql";

// Agreements ("conditions"): each wording is an immutable version; an offer's snapshot names
// the versions it asks for, and the customer's acceptance is kept against them.
constexpr std::string_view v6_sql = R"sql(
CREATE TABLE agreements (
  id INTEGER PRIMARY KEY,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL
);

CREATE TABLE agreement_versions (
  agreement_id INTEGER NOT NULL REFERENCES agreements(id),
  version INTEGER NOT NULL CHECK (version >= 1),
  mandatory INTEGER NOT NULL CHECK (mandatory IN (0, 1)),
  title_fr TEXT NOT NULL DEFAULT '',
  title_en TEXT NOT NULL DEFAULT '',
  text_fr TEXT NOT NULL DEFAULT '',
  text_en TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (agreement_id, version)
);
CREATE TRIGGER agreement_versions_no_update BEFORE UPDATE ON agreement_versions
BEGIN SELECT RAISE(ABORT, 'agreement versions are immutable'); END;
CREATE TRIGGER agreement_versions_no_delete BEFORE DELETE ON agreement_versions
BEGIN SELECT RAISE(ABORT, 'agreement versions are immutable'); END;

CREATE TABLE offer_agreements (
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  agreement_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  accepted_at INTEGER NOT NULL,
  PRIMARY KEY (offer_id, agreement_id),
  FOREIGN KEY (agreement_id, version) REFERENCES agreement_versions(agreement_id, version)
);
)sql";

// Hardening (issue 10): a message that was being sent each time Relais died is quarantined
// instead of being sent again for ever (`interruptions` counts those deaths), and every request
// for a fresh link is kept, so that the limits per link, recipient and address hold across
// restarts. SQLite cannot change a CHECK, hence the outbox copied into a new table.
constexpr std::string_view v7_sql = R"sql(
CREATE TABLE outbox_v7 (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER REFERENCES repair_orders(id),
  offer_id INTEGER REFERENCES offers(id),
  recipient_id INTEGER REFERENCES offer_recipients(id),
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  address TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  html TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'quarantined')),
  attempts INTEGER NOT NULL DEFAULT 0,
  interruptions INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  delivered_at INTEGER
);
INSERT INTO outbox_v7 (id, ro_id, offer_id, recipient_id, purpose, channel, address, name, subject, body, html, state,
                       attempts, next_attempt_at, last_error, detail, message_id, created_at, sent_at, delivered_at)
  SELECT id, ro_id, offer_id, recipient_id, purpose, channel, address, name, subject, body, html, state, attempts,
         next_attempt_at, last_error, detail, message_id, created_at, sent_at, delivered_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v7 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_offer ON outbox(offer_id);

CREATE TABLE access_link_requests (
  id INTEGER PRIMARY KEY,
  link_id INTEGER NOT NULL REFERENCES offer_links(id),
  recipient_id INTEGER NOT NULL REFERENCES offer_recipients(id),
  ip TEXT NOT NULL,
  at INTEGER NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX access_link_requests_link ON access_link_requests(link_id, at);
CREATE INDEX access_link_requests_recipient ON access_link_requests(recipient_id, at);
CREATE INDEX access_link_requests_ip ON access_link_requests(ip, at);
)sql";

// What customers write back is read by an advisor: until then the repair order is marked in the
// list. Replies from before this version count as read, except on repair orders still open.
constexpr std::string_view v8_sql = R"sql(
ALTER TABLE sms_inbound ADD COLUMN read_at INTEGER;
ALTER TABLE sms_inbound ADD COLUMN read_by INTEGER;
UPDATE sms_inbound SET read_at = received_at
  WHERE ro_id IS NULL OR ro_id NOT IN (SELECT id FROM repair_orders WHERE status IN ('open', 'in_progress'));
CREATE INDEX sms_inbound_ro ON sms_inbound(ro_id, id);
CREATE INDEX sms_inbound_unread ON sms_inbound(ro_id) WHERE read_at IS NULL;
)sql";

// Why a message failed, as a code the workspace words in each language (outbox.cpp lists them);
// repair orders deleted before anything was sent (kept, with their history, out of the lists);
// and when an advisor last handled what the customer said or what failed ("à traiter").
constexpr std::string_view v9_sql = R"sql(
ALTER TABLE outbox ADD COLUMN failure TEXT NOT NULL DEFAULT '';
UPDATE outbox SET failure = '{"code":"opted_out","params":{}}' WHERE last_error = 'opted out (STOP)';
UPDATE outbox SET failure = '{"code":"' || last_error || '","params":{}}'
  WHERE last_error IN ('superseded', 'cancelled', 'expired');
ALTER TABLE repair_orders ADD COLUMN deleted_at INTEGER;
ALTER TABLE repair_orders ADD COLUMN deleted_by INTEGER;
ALTER TABLE repair_orders ADD COLUMN handled_at INTEGER;
CREATE INDEX ro_deleted ON repair_orders(id) WHERE deleted_at IS NOT NULL;
CREATE INDEX events_attention ON events(ro_id, at)
  WHERE type IN ('offer.confirmed', 'message.failed', 'message.quarantined');
)sql";

// The scheduler's jobs (schedule/scheduler.hpp): one per kind and key, due at a UTC time, so a
// reminder or a digest is still due after a restart; what went wrong last is kept on the job.
constexpr std::string_view v10_sql = R"sql(
CREATE TABLE schedule (
  kind TEXT NOT NULL,
  key TEXT NOT NULL DEFAULT '',
  due_at INTEGER NOT NULL,
  payload TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX schedule_due ON schedule(due_at);
)sql";

constexpr std::array<Migration, 10> migrations = {{
    {1, "initial schema: users, sessions, API keys, repair orders, parties, interventions, events", v1_sql},
    {2, "inbound SMS", v2_sql},
    {3, "offers, their recipients, magic links, decisions and the outbox", v3_sql},
    {4, "opt-outs; inbound SMS matched to offers", v4_sql},
    {5, "authorisation of interventions", v5_sql},
    {6, "agreements, their versions and their acceptance per offer", v6_sql},
    {7, "quarantined outbox messages; requests for fresh links", v7_sql},
    {8, "customers' replies read or not", v8_sql},
    {9, "failure reasons as codes; deleted repair orders; when an advisor handled what came in", v9_sql},
    {10, "the scheduler's jobs", v10_sql},
}};

}  // namespace

std::span<const Migration> builtin_migrations() { return migrations; }

Result<int> schema_version(Connection& conn) {
    TRY_ASSIGN(auto stmt, conn.prepare("PRAGMA user_version"));
    TRY_ASSIGN(bool row, stmt.step());
    return row ? static_cast<int>(stmt.int64(0)) : 0;
}

Result<int> migrate(Connection& conn, std::span<const Migration> list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (list[i].version != static_cast<int>(i) + 1)
            return internal_error("migrations must be numbered 1, 2, 3, ...");
    }
    TRY_ASSIGN(int current, schema_version(conn));
    const int latest = static_cast<int>(list.size());
    if (current > latest) {
        Error e = make_error(ErrorKind::internal, "database_too_new",
                             {{"version", std::to_string(current)}, {"supported", std::to_string(latest)}});
        e.detail = "the database is at schema version " + std::to_string(current) +
                   " but this relais knows only up to " + std::to_string(latest) +
                   ": install the newer relais again or restore a backup";
        return e;
    }
    if (current == latest) return 0;

    TRY(conn.begin_immediate());
    for (int v = current + 1; v <= latest; ++v) {
        const Migration& m = list[static_cast<std::size_t>(v - 1)];
        if (auto applied = conn.exec(m.sql); !applied) {
            conn.rollback();
            Error e = std::move(applied).error();
            e.detail = "migration " + std::to_string(v) + " (" + std::string(m.name) + ") failed: " + e.detail;
            return e;
        }
    }
    if (auto set = conn.exec("PRAGMA user_version = " + std::to_string(latest)); !set) {
        conn.rollback();
        return std::move(set).error();
    }
    if (auto committed = conn.commit(); !committed) {
        conn.rollback();
        return std::move(committed).error();
    }
    return latest - current;
}

}  // namespace relais
