-- one row per audio/video record in the evidence store, current version
-- (earlier versions stay in raw_media: a changed sha256 between them is tampering, R-INTEG)
with source as (
    select * from raw_media
),

current_version as (
    select * from source
    qualify row_number() over (partition by media_id order by _file_id desc, _row_number desc) = 1
),

final as (
    select
        media_id,
        device_id,
        officer_id,
        recorded_start as recorded_start_at,
        recorded_end as recorded_end_at,
        uploaded_at,
        case_id,
        party_label,
        handler_label,
        sha256,
        size_bytes,
        is_evidence,
        disc_archived_at,
        interruption_note as is_interruption_noted,
        deleted_at,
        delete_approval_ref,
        _file_id as loaded_file_id
    from current_version
)

select * from final
