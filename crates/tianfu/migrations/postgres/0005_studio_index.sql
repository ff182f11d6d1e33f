-- Studios are now in the search index, so that a need finds scientists as well as listings.
-- Studios opened before this write their outbox row on opening; these older ones get theirs
-- here, and the indexer picks them up like any other change.
INSERT INTO outbox (entity_kind, entity_id, created_at)
SELECT 'studio', id, created_at FROM studios;
