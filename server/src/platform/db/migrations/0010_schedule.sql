-- the scheduler's jobs
-- The scheduler's jobs (schedule/scheduler.hpp): one per kind and key, due at a UTC time, so a
-- reminder or a digest is still due after a restart; what went wrong last is kept on the job.
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
