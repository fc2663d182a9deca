-- one row per case (执法事项), current version
-- materialized: view
with source as (
    select * from raw_cases
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'cases'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
),

final as (
    select
        case_id,
        unit_id,
        case_type,
        procedure,
        source as case_source,
        party_name,
        opened_at,
        emergency_start as is_emergency_start,
        start_approved_at,
        decided_at,
        closed_at,
        archived_at,
        evidence_used as is_evidence_used,
        reconsideration_or_litigation as is_reconsideration_or_litigation,
        complaint_or_objection as is_complaint_or_objection,
        obstruction_or_violence as is_obstruction_or_violence,
        emergency_or_mass_incident as is_emergency_or_mass_incident,
        major_or_complex as is_major_or_complex,
        _file_id as loaded_file_id
    from current_version
)

select * from final
