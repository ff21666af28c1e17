-- initial schema: users, sessions, API keys, repair orders, parties, interventions, events

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
