-- one row per act and document type that its unit's profile requires for the act's type (R-DOC,
-- rules_doc_requirements, trigger `act:<act_type>`); case_opened_at is when the act's case was
-- opened, null for a case not known as of the run
-- materialized: view
with acts as (
    select * from int_acts
),

cases as (
    select * from int_cases
),

requirements as (
    select * from rules_doc_requirements
),

final as (
    select
        acts.act_id,
        acts.case_id,
        acts.unit_id,
        acts.started_at as occurred_at,
        cases.opened_at as case_opened_at,
        requirements.doc_type,
        requirements.trigger_zh,
        case when requirements.basis = 'citation' then nullif(requirements.article_zh, '') end as article_zh
    from acts
    left join cases using (case_id)
    inner join requirements
        on requirements.profile_id = acts.profile_id and requirements.trigger = 'act:' || acts.act_type
)

select * from final
