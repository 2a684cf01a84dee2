-- People who asked for the weekly renewals digest (warranty ends and license renewals due within 60 days, in
-- every organization where they see assets). last_week is the ISO week ("2026-W49") of the last digest: the job
-- claims a week with a conditional UPDATE, so a second run in the same week sends nothing.
CREATE TABLE renewal_digests (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    subscribed_at TIMESTAMP NOT NULL,
    last_week TEXT
);
CREATE INDEX renewal_digests_week ON renewal_digests (last_week, user_id);
