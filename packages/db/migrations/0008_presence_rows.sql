-- The rows of one batched write of user_presence (packages/presence/src/repo/row-writer.ts), in
-- the table's own row type. PL/pgSQL, which the planner does not inline, so that it takes this
-- function's estimate of 1 row instead of jsonb_populate_recordset's 100: with 100 it joined the
-- rows to the table by hashing a scan of the whole table, up to ~20,000 users (1.5-1.7 ms of
-- PostgreSQL's CPU per 3-row statement at 10,000 users, against 0.22 ms by primary key).
CREATE FUNCTION "presence_rows"("rows" jsonb) RETURNS SETOF "user_presence"
  LANGUAGE plpgsql IMMUTABLE ROWS 1
  AS $$ BEGIN RETURN QUERY SELECT * FROM jsonb_populate_recordset(NULL::"user_presence", "rows"); END $$;
