-- one row per service receipt (送达回证) of an act whose type the unit's profile requires a witness
-- for (R-DOC, rule_parameters witness_required_act_type and witness_doc_type: 留置送达 under zhuhui
-- 第十九条, hebei 第十八条, dalian_jinpu 第二十一条), signed as of the run or undated: whether the
-- witness signed it. is_witness_signed is null where the export does not say (older exports have no
-- witness column): that receipt cannot be judged on it.
-- materialized: view
with documents as (
    select * from stg_documents
),

cases as (
    select * from int_cases
),

acts as (
    select * from int_acts
),

parameters as (
    select * from rules_rule_parameters
),

witnessed as (
    select
        act_types.profile_id,
        act_types.value as act_type,
        doc_types.value as doc_type,
        nullif(act_types.article_zh, '') as article_zh
    from parameters as act_types
    inner join parameters as doc_types
        on doc_types.profile_id = act_types.profile_id
        and doc_types.rule_id = 'R-DOC' and doc_types.parameter = 'witness_doc_type'
    where act_types.rule_id = 'R-DOC' and act_types.parameter = 'witness_required_act_type'
),

final as (
    select
        documents.doc_id,
        documents.case_id,
        documents.act_id,
        documents.doc_type,
        acts.act_type,
        cases.unit_id,
        coalesce(documents.signed_at, acts.started_at, cases.opened_at) as occurred_at,
        cases.opened_at as case_opened_at,
        documents.is_witness_signed,
        witnessed.article_zh
    from documents
    inner join acts using (act_id)
    inner join cases on cases.case_id = documents.case_id
    inner join witnessed
        on witnessed.profile_id = cases.profile_id
        and witnessed.act_type = acts.act_type
        and witnessed.doc_type = documents.doc_type
    where documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at')
)

select * from final
