-- agreements, their versions and their acceptance per offer
--
-- Agreements ("conditions"): each wording is an immutable version; an offer's snapshot names
-- the versions it asks for, and the customer's acceptance is kept against them.

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
