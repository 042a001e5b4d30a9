-- Group commit on PostgreSQL: several appends in one call, one transaction, one WAL flush.
--
-- The function decides every append of the batch from two lookups (the command ids already
-- stored, the current version of every stream), in order, as if they were applied one after
-- the other; then it writes the accepted ones with one INSERT for all events and one for all
-- command records. A refused append (wrong expected version) is left out and reported, so it
-- cannot fail its neighbours. A unique violation (another server won a race, or an event id is
-- already stored) aborts the whole call: the client then appends each request alone with
-- `banso_append`, which sorts out who is who.
--
-- Requests are parallel arrays. Request r owns streams p_stream_from[r]..p_stream_to[r] and
-- events p_event_from[r]..p_event_to[r] (1-based, inclusive); p_event_request[e] is the request
-- of event e, p_event_stream[e] its stream within its request (1-based), p_event_offset[e] its
-- place within that stream's events, p_stream_counts[g] the number of events of stream g.
-- Command ids must be distinct within a batch (the client sends a repeated one alone).
--
-- Returns one row per request: 'ok' or 'duplicate' with the fingerprint and result (as
-- banso_append), or 'conflict' with sqlstate BN409 and detail '<stream index>:<actual>'.
CREATE FUNCTION banso_append_batch(
    p_command_ids     uuid[],
    p_fingerprints    bytea[],
    p_actors          uuid[],
    p_agencies        uuid[],
    p_correlation_ids uuid[],
    p_causation_ids   uuid[],
    p_recorded_at     timestamptz,
    p_stream_from     integer[],
    p_stream_to       integer[],
    p_event_from      integer[],
    p_event_to        integer[],
    p_stream_types    text[],
    p_stream_ids      uuid[],
    p_expected        bigint[],
    p_stream_counts   integer[],
    p_event_request   integer[],
    p_event_stream    integer[],
    p_event_offset    integer[],
    p_event_ids       uuid[],
    p_event_types     text[],
    p_schema_versions integer[],
    p_payloads        text[]
) RETURNS TABLE (request integer, status text, fingerprint bytea, result jsonb,
                 sqlstate text, constraint_name text, detail text)
LANGUAGE plpgsql AS $$
DECLARE
    n           integer := cardinality(p_command_ids);
    v_commands  jsonb;
    v_versions  jsonb;
    v_cmd       jsonb;
    v_ok        boolean[] := array_fill(false, ARRAY[n]);
    v_base      bigint[] := array_fill(0::bigint, ARRAY[cardinality(p_stream_types)]);
    v_key       text;
    v_actual    bigint;
    v_expected  bigint;
    v_refused   boolean;
    v_total     integer := 0;
    v_positions bigint[];
    v_requests  integer[];
    v_results   jsonb[];
BEGIN
    -- The transaction id comes before any position (see banso_append and horizon.rs).
    PERFORM pg_current_xact_id();

    SELECT coalesce(jsonb_object_agg(c.command_id::text,
                                     jsonb_build_array(encode(c.fingerprint, 'hex'), c.result)),
                    '{}')
      INTO v_commands
      FROM banso_commands c
     WHERE c.command_id = ANY (p_command_ids);

    SELECT coalesce(jsonb_object_agg(x.k, x.v), '{}') INTO v_versions
      FROM (SELECT DISTINCT s.t || '/' || s.i::text AS k,
                   (SELECT coalesce(max(e.version), 0) FROM banso_events e
                     WHERE e.stream_type = s.t AND e.stream_id = s.i) AS v
              FROM unnest(p_stream_types, p_stream_ids) AS s(t, i)) x;

    FOR r IN 1 .. n LOOP
        v_cmd := v_commands -> p_command_ids[r]::text;
        IF v_cmd IS NOT NULL THEN
            RETURN QUERY SELECT r, 'duplicate', decode(v_cmd ->> 0, 'hex'), v_cmd -> 1,
                                NULL::text, NULL::text, NULL::text;
            CONTINUE;
        END IF;
        v_refused := false;
        FOR g IN p_stream_from[r] .. p_stream_to[r] LOOP
            v_actual := (v_versions ->> (p_stream_types[g] || '/' || p_stream_ids[g]::text))::bigint;
            v_expected := p_expected[g];
            IF NOT (v_expected = -1
                    OR (v_expected = -2 AND v_actual = 0)
                    OR (v_expected = -3 AND v_actual > 0)
                    OR v_expected = v_actual) THEN
                RETURN QUERY SELECT r, 'conflict', NULL::bytea, NULL::jsonb, 'BN409'::text,
                                    NULL::text,
                                    (g - p_stream_from[r] + 1)::text || ':' || v_actual::text;
                v_refused := true;
                EXIT;
            END IF;
            v_base[g] := v_actual;
        END LOOP;
        CONTINUE WHEN v_refused;
        FOR g IN p_stream_from[r] .. p_stream_to[r] LOOP
            v_key := p_stream_types[g] || '/' || p_stream_ids[g]::text;
            v_versions := jsonb_set(v_versions, ARRAY[v_key], to_jsonb(v_base[g] + p_stream_counts[g]));
        END LOOP;
        v_ok[r] := true;
        v_total := v_total + (p_event_to[r] - p_event_from[r] + 1);
    END LOOP;

    IF v_total = 0 THEN
        RETURN;
    END IF;

    -- Positions in the order of the accepted events.
    SELECT array_agg(nextval('banso_position_seq') ORDER BY g) INTO v_positions
      FROM generate_series(1, v_total) AS g;

    INSERT INTO banso_events (position, event_id, stream_type, stream_id, version, event_type,
                              schema_version, payload, actor, agency, command_id,
                              correlation_id, causation_id, recorded_at)
    SELECT v_positions[x.k], p_event_ids[x.e], p_stream_types[x.g], p_stream_ids[x.g],
           v_base[x.g] + p_event_offset[x.e], p_event_types[x.e], p_schema_versions[x.e],
           p_payloads[x.e]::jsonb, p_actors[x.r], p_agencies[x.r], p_command_ids[x.r],
           p_correlation_ids[x.r], p_causation_ids[x.r], p_recorded_at
      FROM (SELECT ev.e, ev.r, p_stream_from[ev.r] + p_event_stream[ev.e] - 1 AS g,
                   row_number() OVER (ORDER BY ev.e) AS k
              FROM unnest(p_event_request) WITH ORDINALITY AS ev(r, e)
             WHERE v_ok[ev.r]) x;

    SELECT array_agg(y.r ORDER BY y.r), array_agg(y.res ORDER BY y.r) INTO v_requests, v_results
      FROM (SELECT x.r,
                   jsonb_build_object(
                       'p', jsonb_agg(v_positions[x.k] ORDER BY x.e),
                       'b', (SELECT jsonb_agg(v_base[g] ORDER BY g)
                               FROM generate_series(p_stream_from[x.r], p_stream_to[x.r]) AS g)
                   ) AS res
              FROM (SELECT ev.e, ev.r, row_number() OVER (ORDER BY ev.e) AS k
                      FROM unnest(p_event_request) WITH ORDINALITY AS ev(r, e)
                     WHERE v_ok[ev.r]) x
             GROUP BY x.r) y;

    INSERT INTO banso_commands (command_id, fingerprint, result, recorded_at)
    SELECT p_command_ids[q.r], p_fingerprints[q.r], q.res, p_recorded_at
      FROM unnest(v_requests, v_results) AS q(r, res);

    RETURN QUERY SELECT q.r, 'ok', p_fingerprints[q.r], q.res, NULL::text, NULL::text, NULL::text
                   FROM unnest(v_requests, v_results) AS q(r, res);
END;
$$;
