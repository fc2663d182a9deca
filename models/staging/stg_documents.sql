-- one row per written record (文书), current version
-- materialized: view
with source as (
    select * from raw_documents
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'documents'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
),

final as (
    select
        doc_id,
        case_id,
        act_id,
        doc_type,
        signed_at,
        party_signed as is_party_signed,
        refusal_noted as is_refusal_noted,
        officer_signatures,
        -- null where the export does not say (older exports have no such column): not judged
        witness_signed as is_witness_signed,
        _file_id as loaded_file_id
    from current_version
)

select * from final
