-- the days (of recordings' ends) fct_media_upload recomputed
select day from recomputed_fct_media_upload
