-- Wallet verification: sessions and links. Valid for SQLite and PostgreSQL alike.
-- Times are milliseconds since the epoch (UTC); addresses are EIP-55 checksummed.
CREATE TABLE IF NOT EXISTS verify_sessions (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    uri TEXT NOT NULL,
    chain_id BIGINT NOT NULL,
    statement TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    address TEXT
);
CREATE INDEX IF NOT EXISTS verify_sessions_expires_at ON verify_sessions (expires_at);
CREATE TABLE IF NOT EXISTS verify_links (
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    address TEXT NOT NULL,
    session_id TEXT NOT NULL,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (platform, user_id),
    UNIQUE (platform, address)
);
