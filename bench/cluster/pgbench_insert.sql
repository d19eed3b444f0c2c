-- The baseline of ./scripts/bench cluster: one durable one-row insert of a
-- 300-byte event per transaction, as pgbench runs it (pgbench -f).
INSERT INTO bench_events (stream_id, payload) VALUES ('bench', repeat('x', 300));
