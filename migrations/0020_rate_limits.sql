-- Rate-limit counters every api replica shares: one row per limited key (a source address, an API
-- key) and window, counted with one upsert. Unlogged: counters are worth nothing after a crash
-- (they restart empty, as a new window would) and skipping the WAL keeps a hit cheap.
create unlogged table rate_limit_hits (
  key        text primary key,
  hits       integer not null,
  resets_at  timestamptz not null
);

create index rate_limit_hits_resets_at on rate_limit_hits (resets_at);
