-- Group commit on PostgreSQL: write a batch of appends that the client has already decided
-- (see `postgres::decide_and_insert`), in one statement and so one transaction, and return the
-- positions drawn for its events, in order.
--
-- The client decided from a lookup made before this transaction; should another writer have
-- appended in between, an insert here violates a unique index (stream version, event id or
-- command id), the whole call fails, and the client appends the batch one by one with
-- `banso_append`. Events are given in order as parallel arrays; command c owns events
-- p_event_from[c]..p_event_to[c] (1-based, inclusive) and p_bases[c] is the JSON array of its
-- streams' versions before it.
CREATE FUNCTION banso_append_decided(
    p_recorded_at     timestamptz,
    p_event_ids       uuid[],
    p_stream_types    text[],
    p_stream_ids      uuid[],
    p_versions        bigint[],
    p_event_types     text[],
    p_schema_versions integer[],
    p_payloads        text[],
    p_actors          uuid[],
    p_agencies        uuid[],
    p_event_commands  uuid[],
    p_correlation_ids uuid[],
    p_causation_ids   uuid[],
    p_command_ids     uuid[],
    p_fingerprints    bytea[],
    p_event_from      integer[],
    p_event_to        integer[],
    p_bases           text[]
) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    v_positions bigint[];
BEGIN
    -- The transaction id comes before any position (see banso_append and horizon.rs).
    PERFORM pg_current_xact_id();
    -- Readers deliver what they see as final: a commit they can see must survive a crash.
    PERFORM set_config('synchronous_commit', 'on', true);
    SELECT array_agg(nextval('banso_position_seq') ORDER BY g) INTO v_positions
      FROM generate_series(1, cardinality(p_event_ids)) AS g;

    INSERT INTO banso_events (position, event_id, stream_type, stream_id, version, event_type,
                              schema_version, payload, actor, agency, command_id,
                              correlation_id, causation_id, recorded_at)
    SELECT v_positions[x.k], x.event_id, x.stream_type, x.stream_id, x.version, x.event_type,
           x.schema_version, x.payload::jsonb, x.actor, x.agency, x.command_id,
           x.correlation_id, x.causation_id, p_recorded_at
      FROM unnest(p_event_ids, p_stream_types, p_stream_ids, p_versions, p_event_types,
                  p_schema_versions, p_payloads, p_actors, p_agencies, p_event_commands,
                  p_correlation_ids, p_causation_ids)
           WITH ORDINALITY AS x(event_id, stream_type, stream_id, version, event_type,
                                schema_version, payload, actor, agency, command_id,
                                correlation_id, causation_id, k)
     -- One lock order for all writers (see banso_append): no deadlocks between batches.
     ORDER BY x.stream_type, x.stream_id, x.version;

    INSERT INTO banso_commands (command_id, fingerprint, result, recorded_at)
    SELECT c.command_id, c.fingerprint,
           jsonb_build_object('p', to_jsonb(v_positions[c.e0:c.e1]), 'b', c.bases::jsonb),
           p_recorded_at
      FROM unnest(p_command_ids, p_fingerprints, p_event_from, p_event_to, p_bases)
           AS c(command_id, fingerprint, e0, e1, bases);

    RETURN v_positions;
END;
$$;
