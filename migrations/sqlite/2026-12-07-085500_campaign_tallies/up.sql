-- A campaign keeps how many people it asked and how many signed, so its progress and the campaign list read one
-- row instead of counting thousands of requests on every view. Start sets requested_count; each signature adds
-- one to signed_count in the transaction that spends the request.
ALTER TABLE campaigns ADD COLUMN requested_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN signed_count INTEGER NOT NULL DEFAULT 0;
UPDATE campaigns SET
    requested_count = (SELECT COUNT(*) FROM campaign_requests r WHERE r.org_id = campaigns.org_id AND r.campaign_id = campaigns.id),
    signed_count = (SELECT COUNT(r.signed_at) FROM campaign_requests r WHERE r.org_id = campaigns.org_id AND r.campaign_id = campaigns.id);
-- The progress page lists a campaign's people by name: walking this index stops after one page.
CREATE INDEX people_by_name ON people (org_id, name, id);
