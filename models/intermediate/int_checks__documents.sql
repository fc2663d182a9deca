-- R-DOC, written-record completeness. Two kinds of rows:
--   one per (case or act, required doc_type) that the unit's profile requires (doc_requirements):
--   compliant when such a document exists as of the run;
--   one per party-facing document the party did not sign (party_facing_docs): compliant only when
--   the refusal is noted and enough officers signed.
-- article_zh names the requirement's own article where the table cites one (else the rule's).
-- Every row belongs to a case: case_opened_at is when it was opened (null for an act of a case not
-- known as of the run), and a daily build recomputes the cases of the days its new rows touch. It is
-- not the check's partition_at: the days are old ones, and fct_violations, in the order of its days,
-- would be sorted anew by every build; to it these rows have no day and are read again each build.
-- partitioned by day: cast(case_opened_at as date)

-- Inputs of millions of rows that are read more than once are `not materialized`: DuckDB would
-- otherwise copy them whole to read them again, which spills gigabytes at a province's scale.
with cases as (
    select * from stg_cases
),

acts as not materialized (
    select * from int_acts
),

documents as not materialized (
    select * from stg_documents
),

units as (
    select * from int_units
),

requirements as (
    select * from rules_doc_requirements
),

party_facing as (
    select * from rules_party_facing_docs
),

-- how a document type is named in the detail text (the contract's doc_type labels)
doc_names as (
    select code as doc_type, label_zh as name_zh from labels where kind = 'doc_type'
),

-- cases opened as of the run; a decision or closing dated after as_of has not happened yet
all_known_cases as (
    select
        cases.case_id,
        cases.unit_id,
        units.profile_id,
        cases.procedure,
        cases.case_type,
        cases.is_major_or_complex,
        cases.opened_at,
        case when cases.decided_at < getvariable('as_of_end_at') then cases.decided_at end as decided_at,
        case when cases.closed_at < getvariable('as_of_end_at') then cases.closed_at end as closed_at
    from cases
    left join units on units.unit_id = cases.unit_id
    where cases.opened_at < getvariable('as_of_end_at')
),

-- the days this build recomputes (null: all), of the cases' openings
known_cases as (
    select * from all_known_cases
    where in_run_days(opened_at)
),

-- the acts of those cases, and those of cases not known as of the run (rows without a day)
run_acts as (
    select acts.*, all_known_cases.opened_at as case_opened_at
    from acts
    left join all_known_cases using (case_id)
    where getvariable('run_days') is null
        or all_known_cases.case_id is null
        or list_contains(getvariable('run_days'), cast(all_known_cases.opened_at as date))
),

-- a full build reads every document; a daily build those of its cases and acts. Two branches, one
-- empty: with an OR between the two conditions the full build paid for the lookup too.
known_documents as not materialized (
    select documents.*
    from documents
    where (documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at'))
        and getvariable('run_days') is null

    union all

    select documents.*
    from documents
    where (documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at'))
        and getvariable('run_days') is not null
        and (documents.case_id in (select case_id from known_cases)
            or documents.act_id in (select act_id from run_acts))
),

case_triggers as (
    select case_id, 'case_general' as trigger, opened_at as occurred_at
    from known_cases where procedure = 'general'
    union all
    select case_id, 'case_decided', decided_at
    from known_cases where procedure = 'general' and decided_at is not null
    union all
    select case_id, 'case_penalty_decided', decided_at
    from known_cases where procedure = 'general' and case_type = 'penalty' and decided_at is not null
    union all
    select case_id, 'case_major', opened_at
    from known_cases where procedure = 'general' and is_major_or_complex
    union all
    select case_id, 'case_closed', closed_at
    from known_cases where procedure = 'general' and closed_at is not null
),

-- a doc_type asked for by two triggers is one requirement: the earliest trigger names it (one min
-- over a struct that starts with the trigger's time: a window numbering the rows sorted 4 M of them)
case_requirements as (
    select
        case_id,
        unit_id,
        case_opened_at,
        doc_type,
        first.occurred_at,
        first.trigger_zh,
        first.article_zh
    from (
        select
            known_cases.case_id,
            known_cases.unit_id,
            known_cases.opened_at as case_opened_at,
            requirements.doc_type,
            min({
                'occurred_at': case_triggers.occurred_at,
                'trigger': case_triggers.trigger,
                'trigger_zh': requirements.trigger_zh,
                'article_zh': case when requirements.basis = 'citation' then nullif(requirements.article_zh, '') end
            }) as first
        from case_triggers
        inner join known_cases using (case_id)
        inner join requirements
            on requirements.profile_id = known_cases.profile_id and requirements.trigger = case_triggers.trigger
        group by known_cases.case_id, known_cases.unit_id, known_cases.opened_at, requirements.doc_type
    )
),

case_documents as (
    select distinct case_id, doc_type from known_documents
),

-- a document filed on the case without an act id still counts for the case's acts of that type
act_documents as (
    select distinct act_id, doc_type from known_documents where act_id is not null
),

case_only_documents as (
    select distinct case_id, doc_type from known_documents where act_id is null
),

case_checks as (
    select
        case_requirements.*,
        case_documents.case_id is not null as is_compliant
    from case_requirements
    left join case_documents
        on case_documents.case_id = case_requirements.case_id
        and case_documents.doc_type = case_requirements.doc_type
),

act_requirements as (
    select
        acts.act_id,
        acts.case_id,
        acts.unit_id,
        acts.started_at as occurred_at,
        acts.case_opened_at,
        requirements.doc_type,
        requirements.trigger_zh,
        case when requirements.basis = 'citation' then nullif(requirements.article_zh, '') end as article_zh
    from run_acts as acts
    inner join requirements
        on requirements.profile_id = acts.profile_id and requirements.trigger = 'act:' || acts.act_type
),

act_checks as (
    select
        act_requirements.*,
        act_documents.act_id is not null or case_only_documents.case_id is not null as is_compliant
    from act_requirements
    left join act_documents
        on act_documents.act_id = act_requirements.act_id
        and act_documents.doc_type = act_requirements.doc_type
    left join case_only_documents
        on case_only_documents.case_id = act_requirements.case_id
        and case_only_documents.doc_type = act_requirements.doc_type
),

unsigned_party_docs as (
    select
        known_documents.doc_id,
        known_documents.case_id,
        known_documents.act_id,
        known_documents.doc_type,
        known_cases.unit_id,
        coalesce(known_documents.signed_at, acts.started_at, known_cases.opened_at) as occurred_at,
        known_cases.opened_at as case_opened_at,
        known_documents.is_refusal_noted,
        coalesce(known_documents.officer_signatures, 0) as officer_signatures,
        coalesce(cast(party_facing.refusal_noted_required as boolean), false) as is_refusal_note_required,
        coalesce(cast(party_facing.min_officer_signatures_when_refused as integer), 0) as min_officer_signatures,
        nullif(party_facing.article_zh, '') as signatures_article_zh,
        nullif(party_facing.refusal_article_zh, '') as refusal_article_zh
    from known_documents
    inner join known_cases using (case_id)
    inner join party_facing
        on party_facing.profile_id = known_cases.profile_id and party_facing.doc_type = known_documents.doc_type
    left join acts on acts.act_id = known_documents.act_id
    where not known_documents.is_party_signed
),

refusal_checks as (
    select
        *,
        is_refusal_noted or not is_refusal_note_required as is_refusal_ok,
        officer_signatures >= min_officer_signatures as is_signatures_ok,
        -- where the signature count is only a setting, an unnoted refusal still breaks a cited article
        coalesce(signatures_article_zh,
            case when not (is_refusal_noted or not is_refusal_note_required) then refusal_article_zh end) as article_zh
    from unsigned_party_docs
),

final as (
    select
        'R-DOC' as rule_id,
        case_checks.unit_id,
        case_checks.case_id,
        case_checks.occurred_at,
        'case:' || case_checks.case_id || ':' || case_checks.doc_type as entity_key,
        case_checks.is_compliant,
        case when not case_checks.is_compliant then
            '案件 ' || case_checks.case_id || ' 缺少' || coalesce(doc_names.name_zh, case_checks.doc_type)
            || '（' || case_checks.trigger_zh || '）'
        end as detail_zh,
        case when not case_checks.is_compliant then
            'case ' || case_checks.case_id || ' has no ' || case_checks.doc_type || ' document'
        end as detail_en,
        case_checks.article_zh,
        case_checks.case_opened_at
    from case_checks
    left join doc_names using (doc_type)

    union all by name

    select
        'R-DOC' as rule_id,
        act_checks.unit_id,
        act_checks.case_id,
        act_checks.act_id,
        act_checks.occurred_at,
        'act:' || act_checks.act_id || ':' || act_checks.doc_type as entity_key,
        act_checks.is_compliant,
        case when not act_checks.is_compliant then
            '环节 ' || act_checks.act_id || ' 缺少' || coalesce(doc_names.name_zh, act_checks.doc_type)
            || '（' || act_checks.trigger_zh || '）'
        end as detail_zh,
        case when not act_checks.is_compliant then
            'act ' || act_checks.act_id || ' (case ' || act_checks.case_id || ') has no '
            || act_checks.doc_type || ' document'
        end as detail_en,
        act_checks.article_zh,
        act_checks.case_opened_at
    from act_checks
    left join doc_names using (doc_type)

    union all by name

    select
        'R-DOC' as rule_id,
        refusal_checks.unit_id,
        refusal_checks.case_id,
        refusal_checks.act_id,
        refusal_checks.occurred_at,
        'doc:' || refusal_checks.doc_id as entity_key,
        refusal_checks.is_refusal_ok and refusal_checks.is_signatures_ok as is_compliant,
        case when not (refusal_checks.is_refusal_ok and refusal_checks.is_signatures_ok) then
            coalesce(doc_names.name_zh, refusal_checks.doc_type) || ' ' || refusal_checks.doc_id || ' 当事人未签字'
            || case when not refusal_checks.is_refusal_ok then '，未注明拒签' else '，已注明拒签' end
            || case when not refusal_checks.is_signatures_ok then
                '，只有 ' || refusal_checks.officer_signatures || ' 名执法人员签名（须 '
                || refusal_checks.min_officer_signatures || ' 名）' else '' end
        end as detail_zh,
        case when not (refusal_checks.is_refusal_ok and refusal_checks.is_signatures_ok) then
            refusal_checks.doc_type || ' ' || refusal_checks.doc_id || ' not signed by the party'
            || case when not refusal_checks.is_refusal_ok then ', refusal not noted' else ', refusal noted' end
            || case when not refusal_checks.is_signatures_ok then
                ', ' || refusal_checks.officer_signatures || ' officer signature(s), '
                || refusal_checks.min_officer_signatures || ' required' else '' end
        end as detail_en,
        refusal_checks.article_zh,
        refusal_checks.case_opened_at
    from refusal_checks
    left join doc_names using (doc_type)
)

select * from final
