-- the days (of recordings' ends) int_media_act_links recomputed: those whose recordings (and their
-- case labels) or acts changed or came to exist
select day from recomputed_int_media_act_links
