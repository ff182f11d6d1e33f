-- The staff workbench (工作台): when a ticket was last handed to its nanny and when that nanny
-- first opened it since (新分派 = handed over in the last day, or not yet opened), and the
-- indexes that serve the workbench's counts within a department and a region subtree.
ALTER TABLE tickets ADD COLUMN assigned_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN seen_at TIMESTAMPTZ;
UPDATE tickets SET assigned_at = opened_at, seen_at = first_contact_at WHERE assignee_id IS NOT NULL;
-- 今日到期: a department's open tickets whose next step falls due in a day, by region.
CREATE INDEX tickets_desk_due ON tickets (department, status, next_due_at, region_code);
-- 逾期: a department's tickets with an overdue step, by region.
CREATE INDEX tickets_desk_overdue ON tickets (department, region_code) WHERE overdue_since IS NOT NULL;
