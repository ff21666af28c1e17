-- offers scheduled relative to the promised time
-- A send scheduled N hours before or after the repair order's promised time (issue 15,
-- offers/send_schedule.hpp): the offset, kept so that the send follows a change of the promised
-- time until its messages have left. NULL for a send now or at a date (send_at).
ALTER TABLE offers ADD COLUMN send_relative_hours INTEGER;
