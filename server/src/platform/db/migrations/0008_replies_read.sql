-- customers' replies read or not
--
-- What customers write back is read by an advisor: until then the repair order is marked in the
-- list. Replies from before this version count as read, except on repair orders still open.

ALTER TABLE sms_inbound ADD COLUMN read_at INTEGER;
ALTER TABLE sms_inbound ADD COLUMN read_by INTEGER;
UPDATE sms_inbound SET read_at = received_at
  WHERE ro_id IS NULL OR ro_id NOT IN (SELECT id FROM repair_orders WHERE status IN ('open', 'in_progress'));
CREATE INDEX sms_inbound_ro ON sms_inbound(ro_id, id);
CREATE INDEX sms_inbound_unread ON sms_inbound(ro_id) WHERE read_at IS NULL;
