-- the days (of recordings' ends) to recompute: those int_media_upload recomputed, whose recordings,
-- acts or uploads (the labels are judged once a recording is stored) changed or came to exist
select day from recomputed_int_media_upload
