-- one row per written record (文书), current version
with source as (
    select * from raw_documents
),

current_version as (
    select * from source
    qualify row_number() over (partition by doc_id order by _file_id desc, _row_number desc) = 1
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
        _file_id as loaded_file_id
    from current_version
)

select * from final
