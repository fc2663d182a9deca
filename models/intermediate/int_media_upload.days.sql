-- the days (of recordings' ends) to recompute: those whose recordings or acts changed or came to
-- exist (int_media_act_links recomputed them), those of recordings uploaded since the end of the
-- last build's as_of, and those of recordings still pending whose deadline has passed since
select day from recomputed_int_media_act_links
union
select cast(recorded_end_at as date) from stg_media
where uploaded_at >= getvariable('last_as_of_end_at') and uploaded_at < getvariable('as_of_end_at')
union
select cast(recorded_end_at as date) from int_media_upload
where upload_status = 'pending' and deadline_at <= getvariable('as_of_end_at')
