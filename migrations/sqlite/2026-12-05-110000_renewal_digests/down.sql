DROP TABLE renewal_digests;
