-- An evidence item kept by a policy or a campaign is read-only on the evidence pages: these find its keeper.
CREATE INDEX policies_evidence ON policies (org_id, evidence_id);
CREATE INDEX campaigns_evidence ON campaigns (org_id, evidence_id);
