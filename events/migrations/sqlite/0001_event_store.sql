-- The event store on SQLite. Positions are the rowid: the single writer assigns them gapless
-- and in commit order. Never edit this file once landed: add a new migration instead.

CREATE TABLE banso_events (
    position       INTEGER PRIMARY KEY,
    event_id       BLOB    NOT NULL,
    stream_type    TEXT    NOT NULL,
    stream_id      BLOB    NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
    payload        TEXT    NOT NULL,
    actor          BLOB,
    agency         BLOB,
    command_id     BLOB    NOT NULL,
    correlation_id BLOB    NOT NULL,
    causation_id   BLOB,
    recorded_at    INTEGER NOT NULL -- microseconds since the Unix epoch, UTC
);

CREATE UNIQUE INDEX banso_events_event_id ON banso_events (event_id);
CREATE UNIQUE INDEX banso_events_stream_version ON banso_events (stream_type, stream_id, version);

-- One row per successful append: the idempotency record of its command.
CREATE TABLE banso_commands (
    command_id  BLOB    PRIMARY KEY,
    fingerprint BLOB    NOT NULL,
    result      TEXT    NOT NULL, -- JSON: {"p": positions, "b": base versions}
    recorded_at INTEGER NOT NULL
) WITHOUT ROWID;
