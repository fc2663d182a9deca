-- the days (of recordings' ends) fct_media_retention recomputed
select day from recomputed_fct_media_retention
