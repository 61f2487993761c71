-- Who a server with an in-memory live store (no Redis) vouches is connected to it, and when it
-- last said so: after a crash, the next server settles those users offline with that last seen
-- (rule 7; packages/presence/src/service/crash-vouches.ts).
CREATE TABLE "live_vouches" (
	"server_id" text PRIMARY KEY NOT NULL,
	"vouched_at" timestamp with time zone NOT NULL,
	"user_ids" text[] DEFAULT '{}'::text[] NOT NULL
);
