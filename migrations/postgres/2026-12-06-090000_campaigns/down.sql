DROP TABLE acknowledgments;
DROP TABLE campaign_requests;
DROP TABLE campaign_policies;
DROP TABLE campaigns;
