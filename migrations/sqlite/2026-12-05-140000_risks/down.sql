DROP TABLE risk_assessment_items;
DROP TABLE risk_assessments;
DROP TABLE risk_acceptances;
DROP TABLE risk_assets;
DROP TABLE risk_controls;
DROP TABLE risks;
