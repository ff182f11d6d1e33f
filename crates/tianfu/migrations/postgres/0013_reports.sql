-- 月研月报 (issue 13): one row per issued report of a region (province, city or county) for a
-- month, kept as issued (the body is the report as JSON). A correction is a new version beside
-- it, with its reason; nothing is ever updated. issued_by is NULL for the job of the 1st.
CREATE TABLE monthly_reports (
    region_code TEXT COLLATE "C" NOT NULL,
    month       TEXT COLLATE "C" NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    reason      TEXT,
    issued_at   TIMESTAMPTZ NOT NULL,
    issued_by   BIGINT REFERENCES users (id),
    PRIMARY KEY (region_code, month, version)
);

CREATE INDEX monthly_reports_month ON monthly_reports (month, region_code);
