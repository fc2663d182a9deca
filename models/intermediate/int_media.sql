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

-- each officer's and each device's unit with its profile, so that a recording is joined twice
-- (ten models read this view, over 40 M recordings at a province's scale) instead of three times
officer_units as (
    select officers.officer_id, officers.unit_id, units.profile_id
    from officers
    left join units using (unit_id)
),

device_units as (
    select devices.device_id, devices.unit_id, units.profile_id
    from devices
    left join units using (unit_id)
),

final as (
    select
        media.media_id,
        media.device_id,
        media.officer_id,
        -- the officer's unit where the officer is known, else the device's
        coalesce(officer_units.unit_id, device_units.unit_id) as unit_id,
        case when officer_units.unit_id is not null then officer_units.profile_id else device_units.profile_id end
            as profile_id,
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
        media.delete_approval_ref,
        -- the delivered columns the contract does not name (JSON by header): a label a profile
        -- requires beyond the contract's is read from here (R-LBL)
        media.extra_columns
    from media
    left join officer_units on officer_units.officer_id = media.officer_id
    left join device_units on device_units.device_id = media.device_id
    where media.recorded_end_at < getvariable('as_of_end_at')
)

select * from final
