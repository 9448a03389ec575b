-- Sietch's app configuration and its checkpoints. Valid for SQLite and PostgreSQL alike.
-- Times are milliseconds since the epoch (UTC); bodies are JSON documents
-- ({"version": 1, "config": {...}}, see gaib_theme_sietch.appconfig.store).
CREATE TABLE IF NOT EXISTS sietch_app_config (
    guild_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS sietch_checkpoints (
    id TEXT PRIMARY KEY,
    guild_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sietch_checkpoints_guild ON sietch_checkpoints (guild_id, created_at);
