-- the days (of file_deleted events) int_deletions_before_upload recomputed: the check judges the
-- deletions of the same device logs
select day from recomputed_int_deletions_before_upload
