-- failure reasons as codes; deleted repair orders; when an advisor handled what came in
--
-- Why a message failed, as a code the workspace words in each language (outbox.cpp lists them);
-- repair orders deleted before anything was sent (kept, with their history, out of the lists);
-- and when an advisor last handled what the customer said or what failed ("à traiter").

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
