-- the days (of recordings' ends) int_media_upload recomputed
select day from recomputed_int_media_upload
