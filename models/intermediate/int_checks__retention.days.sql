-- the days (of recordings' ends) int_media_retention_periods recomputed: a retention period ending
-- changes a kept recording's status, not whether it was kept
select day from recomputed_int_media_retention_periods
