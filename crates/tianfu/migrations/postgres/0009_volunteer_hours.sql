-- A person's own ledger rows: a volunteer's hours and certificate read `volunteer.served` by
-- actor and Beijing year, so that they agree exactly with the province's figure. Without this
-- index that read would walk every volunteer.served row of the year (the existing indexes lead
-- with kind or region); with it, it is one range of the person's own rows.
CREATE INDEX ledger_events_actor ON ledger_events (actor_id, kind, at);
