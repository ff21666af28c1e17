-- repair reports
-- What the workshop did, sent to the customer after the work (issue 15, offers/repair_report.hpp):
-- one row per version sent, each an immutable snapshot (JSON: the items done, not done and to
-- plan with their severity, the amounts, the advisor's note) of the RO's locked offer. A
-- correction is a new version; the customer's page shows the latest. `outbox_id` is the message
-- that carried it (its delivery state is the outbox row's).
CREATE TABLE repair_reports (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id),
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  version INTEGER NOT NULL,
  snapshot TEXT NOT NULL,
  final_total_incl_cents INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by_user_id INTEGER,
  created_by_name TEXT NOT NULL DEFAULT '',
  outbox_id INTEGER REFERENCES outbox(id),
  UNIQUE (ro_id, version)
);
CREATE INDEX repair_reports_offer ON repair_reports(offer_id, version);
