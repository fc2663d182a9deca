-- one row per case opened as of the run and document type that its unit's profile requires of it
-- (R-DOC, rules_doc_requirements): a general-procedure case once opened, decided (a penalty decided),
-- judged major or complex, or closed. A document type asked for by two triggers is one
-- requirement, named by the earliest.
-- materialized: view
with cases as (
    select * from int_cases
    where procedure = 'general'
),

requirements as (
    select * from rules_doc_requirements
),

-- each trigger with the case's columns, so that a filter on the cases' days reaches the cases
case_triggers as (
    select case_id, unit_id, profile_id, opened_at, 'case_general' as trigger, opened_at as occurred_at
    from cases
    union all
    select case_id, unit_id, profile_id, opened_at, 'case_decided', decided_at
    from cases where decided_at is not null
    union all
    select case_id, unit_id, profile_id, opened_at, 'case_penalty_decided', decided_at
    from cases where case_type = 'penalty' and decided_at is not null
    union all
    select case_id, unit_id, profile_id, opened_at, 'case_major', opened_at
    from cases where is_major_or_complex
    union all
    select case_id, unit_id, profile_id, opened_at, 'case_closed', closed_at
    from cases where closed_at is not null
),

-- the earliest trigger: one min over a struct that starts with the trigger's time (a window
-- numbering the rows sorted 4 M of them)
first_triggers as (
    select
        case_triggers.case_id,
        case_triggers.unit_id,
        case_triggers.opened_at as case_opened_at,
        requirements.doc_type,
        min({
            'occurred_at': case_triggers.occurred_at,
            'trigger': case_triggers.trigger,
            'trigger_zh': requirements.trigger_zh,
            'article_zh': case when requirements.basis = 'citation' then nullif(requirements.article_zh, '') end
        }) as first
    from case_triggers
    inner join requirements
        on requirements.profile_id = case_triggers.profile_id and requirements.trigger = case_triggers.trigger
    group by case_triggers.case_id, case_triggers.unit_id, case_triggers.opened_at, requirements.doc_type
),

final as (
    select
        case_id,
        unit_id,
        case_opened_at,
        doc_type,
        first.occurred_at,
        first.trigger_zh,
        first.article_zh
    from first_triggers
)

select * from final
