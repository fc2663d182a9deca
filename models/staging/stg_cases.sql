-- one row per case (执法事项), current version
with source as (
    select * from raw_cases
),

current_version as (
    select * from source
    qualify row_number() over (partition by case_id order by _file_id desc, _row_number desc) = 1
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
