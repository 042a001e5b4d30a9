-- The event store on PostgreSQL. Several server processes may append at once; positions come
-- from a sequence, so they are unique and increasing but may have gaps (an aborted append) and
-- may become visible out of order. Readers only read below a safe horizon (see horizon.rs).
-- Never edit this file once landed: add a new migration instead.

-- CACHE 1 (the default, pinned): the read horizon relies on positions being drawn in the order
-- of the calls, which per-session caching would break.
CREATE SEQUENCE banso_position_seq AS bigint CACHE 1;

CREATE TABLE banso_events (
    position       bigint      PRIMARY KEY DEFAULT nextval('banso_position_seq'),
    event_id       uuid        NOT NULL,
    stream_type    text        NOT NULL,
    stream_id      uuid        NOT NULL,
    version        bigint      NOT NULL CHECK (version >= 1),
    event_type     text        NOT NULL,
    schema_version integer     NOT NULL CHECK (schema_version >= 1),
    payload        jsonb       NOT NULL,
    actor          uuid,
    agency         uuid,
    command_id     uuid        NOT NULL,
    correlation_id uuid        NOT NULL,
    causation_id   uuid,
    recorded_at    timestamptz NOT NULL,
    CONSTRAINT banso_events_event_id_key UNIQUE (event_id),
    CONSTRAINT banso_events_stream_version_key UNIQUE (stream_type, stream_id, version)
);

ALTER SEQUENCE banso_position_seq OWNED BY banso_events.position;

-- One row per successful append: the idempotency record of its command.
CREATE TABLE banso_commands (
    command_id  uuid        PRIMARY KEY,
    fingerprint bytea       NOT NULL,
    result      jsonb       NOT NULL, -- {"p": positions, "b": base versions}
    recorded_at timestamptz NOT NULL
);

-- One append, in one round trip and one transaction.
--
-- Streams are given as parallel arrays; each event names its stream (1-based index) and its
-- place within that stream's events (1-based). Expected versions are coded as -1 any,
-- -2 no stream, -3 stream exists, n >= 0 exactly n.
--
-- Returns one row. `duplicate` is true when the command id is stored already: nothing was
-- written and `fingerprint`/`result` are those of the first attempt. A wrong expected version
-- raises SQLSTATE BN409 with DETAIL '<stream index>:<actual version>'. A concurrent append to
-- the same stream version, command id or event id surfaces as a unique violation (23505) that
-- the client handles (retry, or event-id deduplication).
CREATE FUNCTION banso_append(
    p_command_id      uuid,
    p_fingerprint     bytea,
    p_actor           uuid,
    p_agency          uuid,
    p_correlation_id  uuid,
    p_causation_id    uuid,
    p_recorded_at     timestamptz,
    p_stream_types    text[],
    p_stream_ids      uuid[],
    p_expected        bigint[],
    p_event_stream    integer[],
    p_event_offset    integer[],
    p_event_ids       uuid[],
    p_event_types     text[],
    p_schema_versions integer[],
    p_payloads        text[]
) RETURNS TABLE (duplicate boolean, fingerprint bytea, result jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    v_base      bigint[] := '{}';
    v_actual    bigint;
    v_expected  bigint;
    v_positions bigint[];
    v_result    jsonb;
    v_lock      bigint;
BEGIN
    -- Appenders to the same stream take turns (a lock per stream, in one order for all, so no
    -- deadlock): an append at any version then always lands instead of losing races over and
    -- over. Taken before the transaction id, so that waiting here holds back no reader.
    FOR v_lock IN
        SELECT DISTINCT hashtextextended(s.t || '/' || s.i::text, 0)
          FROM unnest(p_stream_types, p_stream_ids) AS s(t, i)
         ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(v_lock);
    END LOOP;

    -- Take the transaction id before drawing any position: the read horizon relies on every
    -- position being drawn by a transaction whose id was assigned earlier.
    PERFORM pg_current_xact_id();
    -- Readers deliver what they see as final: a commit they can see must survive a crash.
    PERFORM set_config('synchronous_commit', 'on', true);

    RETURN QUERY
        SELECT true, c.fingerprint, c.result FROM banso_commands c
         WHERE c.command_id = p_command_id;
    IF FOUND THEN
        RETURN;
    END IF;

    FOR i IN 1 .. cardinality(p_stream_types) LOOP
        SELECT coalesce(max(e.version), 0) INTO v_actual
          FROM banso_events e
         WHERE e.stream_type = p_stream_types[i] AND e.stream_id = p_stream_ids[i];
        v_expected := p_expected[i];
        IF NOT (v_expected = -1
                OR (v_expected = -2 AND v_actual = 0)
                OR (v_expected = -3 AND v_actual > 0)
                OR v_expected = v_actual) THEN
            RAISE EXCEPTION USING
                ERRCODE = 'BN409',
                MESSAGE = 'banso: stream is not at the expected version',
                DETAIL = i::text || ':' || v_actual::text;
        END IF;
        v_base := v_base || v_actual;
    END LOOP;

    -- Positions in the order of the request; rows inserted in the order of their stream and
    -- version, so that concurrent appends to the same streams take their index locks in one
    -- order and cannot deadlock.
    SELECT array_agg(nextval('banso_position_seq') ORDER BY g) INTO v_positions
      FROM generate_series(1, cardinality(p_event_ids)) AS g;

    INSERT INTO banso_events (position, event_id, stream_type, stream_id, version, event_type,
                              schema_version, payload, actor, agency, command_id,
                              correlation_id, causation_id, recorded_at)
    SELECT v_positions[ev.ord], ev.event_id, p_stream_types[ev.s], p_stream_ids[ev.s],
           v_base[ev.s] + ev.k, ev.event_type, ev.schema_version, ev.payload::jsonb, p_actor,
           p_agency, p_command_id, p_correlation_id, p_causation_id, p_recorded_at
      FROM unnest(p_event_stream, p_event_offset, p_event_ids, p_event_types,
                  p_schema_versions, p_payloads)
           WITH ORDINALITY AS ev(s, k, event_id, event_type, schema_version, payload, ord)
     ORDER BY p_stream_types[ev.s], p_stream_ids[ev.s], v_base[ev.s] + ev.k;

    v_result := jsonb_build_object('p', to_jsonb(v_positions), 'b', to_jsonb(v_base));
    INSERT INTO banso_commands (command_id, fingerprint, result, recorded_at)
    VALUES (p_command_id, p_fingerprint, v_result, p_recorded_at);

    RETURN QUERY SELECT false, p_fingerprint, v_result;
END;
$$;
