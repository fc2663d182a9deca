-- one row per case (执法事项) as readers show it beside a finding or a drawn case; party_name is
-- personal data, masked by every reader unless a person is allowed to see it (core.privacy)
with cases as (
    select * from stg_cases
),

final as (
    select
        case_id,
        unit_id,
        case_type,
        procedure,
        case_source,
        party_name,
        opened_at,
        closed_at,
        archived_at
    from cases
)

select * from final
