-- authorisation of interventions
--
-- The advisor's authorisation of each intervention (thumbs up / down), matched to the
-- customer's answers.

ALTER TABLE interventions ADD COLUMN authorized INTEGER CHECK (authorized IN (0, 1));
