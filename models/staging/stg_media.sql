-- one row per audio/video record in the evidence store, current version
-- (earlier versions stay in raw_media: a changed sha256 between them is tampering, R-INTEG)
-- materialized: view
with source as (
    select * from raw_media
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'media'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
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
        -- the delivered columns the contract does not name, as JSON by their header: a label a
        -- profile requires beyond the contract's is read from here (R-LBL)
        _extra as extra_columns,
        _file_id as loaded_file_id
    from current_version
)

select * from final
