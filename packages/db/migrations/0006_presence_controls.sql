CREATE TYPE "public"."last_seen_level" AS ENUM('friends', 'approximate', 'nobody');--> statement-breakpoint
ALTER TABLE "user_presence" ADD COLUMN "status_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_presence" ADD COLUMN "message_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_presence" ADD COLUMN "last_seen_level" "last_seen_level" DEFAULT 'friends' NOT NULL;--> statement-breakpoint
ALTER TABLE "user_presence" ADD COLUMN "last_seen_exceptions" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "user_presence_status_until_idx" ON "user_presence" USING btree ("status_until") WHERE "user_presence"."status_until" is not null;--> statement-breakpoint
CREATE INDEX "user_presence_message_until_idx" ON "user_presence" USING btree ("message_until") WHERE "user_presence"."message_until" is not null;