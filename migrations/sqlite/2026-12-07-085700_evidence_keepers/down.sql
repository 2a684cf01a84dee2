DROP INDEX campaigns_evidence;
DROP INDEX policies_evidence;
