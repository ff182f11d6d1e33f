-- 精准绩效 reads a year of every city's and county's rollups at once (by parent and period):
-- an index that holds every column it reads answers from the index alone, without visiting a
-- million table rows one by one.
CREATE INDEX ledger_daily_parent_cover ON ledger_daily (parent_code, day)
    INCLUDE (region_code, kind, subject_kind, outcome, events, amount_fen, quantity);
