-- Folded states of streams at a version (see `domain::snapshot`): a command on a long stream
-- starts from its snapshot and reads only the events after it. A cache: the events stay the
-- truth, and deleting every row loses nothing. `shape` names the layout and fold of `state`;
-- a snapshot of another shape is ignored. Never edit this file once landed.

CREATE TABLE banso_snapshots (
    stream_type text   NOT NULL,
    stream_id   uuid   NOT NULL,
    version     bigint NOT NULL CHECK (version >= 1),
    shape       text   NOT NULL,
    state       text   NOT NULL,
    PRIMARY KEY (stream_type, stream_id)
);
