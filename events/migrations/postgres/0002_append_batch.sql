-- Group commit on PostgreSQL: several appends in one transaction (one WAL flush, one round
-- trip), each in its own subtransaction so that one that fails does not fail its neighbours.
--
-- Requests are given as parallel arrays; each request's streams and events are 1-based
-- inclusive slices of the stream and event arrays (`p_stream_from[r]..p_stream_to[r]`), and
-- `p_event_stream` is local to its request, as `banso_append` expects. Returns one row per
-- request: status 'ok' or 'duplicate' with the fingerprint and result of `banso_append`, or
-- 'error' with the SQLSTATE, the constraint (for unique violations) and the detail. The client
-- re-runs errored requests one by one, after this transaction committed.
--
-- Keep batches at or below 60 requests: PostgreSQL tracks the first 64 subtransactions of a
-- transaction in shared memory, beyond that snapshots get slower for every session.
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
    v_duplicate  boolean;
    v_fp         bytea;
    v_result     jsonb;
    v_state      text;
    v_constraint text;
    v_detail     text;
    s0 integer; s1 integer; e0 integer; e1 integer;
BEGIN
    -- The transaction id comes before any position (see banso_append and horizon.rs).
    PERFORM pg_current_xact_id();
    FOR r IN 1 .. cardinality(p_command_ids) LOOP
        s0 := p_stream_from[r]; s1 := p_stream_to[r];
        e0 := p_event_from[r];  e1 := p_event_to[r];
        BEGIN
            SELECT a.duplicate, a.fingerprint, a.result INTO v_duplicate, v_fp, v_result
              FROM banso_append(
                p_command_ids[r], p_fingerprints[r], p_actors[r], p_agencies[r],
                p_correlation_ids[r], p_causation_ids[r], p_recorded_at,
                p_stream_types[s0:s1], p_stream_ids[s0:s1], p_expected[s0:s1],
                p_event_stream[e0:e1], p_event_offset[e0:e1], p_event_ids[e0:e1],
                p_event_types[e0:e1], p_schema_versions[e0:e1], p_payloads[e0:e1]) a;
            RETURN QUERY SELECT r, CASE WHEN v_duplicate THEN 'duplicate' ELSE 'ok' END,
                                v_fp, v_result, NULL::text, NULL::text, NULL::text;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE,
                                    v_constraint = CONSTRAINT_NAME,
                                    v_detail = PG_EXCEPTION_DETAIL;
            RETURN QUERY SELECT r, 'error', NULL::bytea, NULL::jsonb,
                                v_state, v_constraint, v_detail;
        END;
    END LOOP;
END;
$$;
