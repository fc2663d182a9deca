-- one row per recording that exists as of the run date, with its unit and profile; uploads and
-- deletions after the end of as_of have not happened yet
-- materialized: view
with media as (
    select * from stg_media
),

officers as (
    select * from stg_officers
),

devices as (
    select * from stg_devices
),

units as (
    select * from int_units
),

final as (
    select
        media.media_id,
        media.device_id,
        media.officer_id,
        coalesce(officers.unit_id, devices.unit_id) as unit_id,
        units.profile_id,
        media.recorded_start_at,
        media.recorded_end_at,
        case when media.uploaded_at < getvariable('as_of_end_at') then media.uploaded_at end as uploaded_at,
        media.case_id,
        media.party_label,
        media.handler_label,
        media.sha256,
        media.size_bytes,
        media.is_evidence,
        case when media.disc_archived_at < getvariable('as_of_end_at') then media.disc_archived_at end as disc_archived_at,
        media.is_interruption_noted,
        case when media.deleted_at < getvariable('as_of_end_at') then media.deleted_at end as deleted_at,
        media.delete_approval_ref
    from media
    left join officers on officers.officer_id = media.officer_id
    left join devices on devices.device_id = media.device_id
    left join units on units.unit_id = coalesce(officers.unit_id, devices.unit_id)
    where media.recorded_end_at < getvariable('as_of_end_at')
)

select * from final
