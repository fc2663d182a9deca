-- R-DOC, written-record completeness. Three kinds of rows:
--   one per (case or act, required doc_type) that the unit's profile requires
--   (int_case_document_requirements, int_act_document_requirements): compliant when such a document
--   exists as of the run;
--   one per party-facing document the party did not sign (int_unsigned_party_documents): compliant
--   only when the refusal is noted and enough officers signed;
--   one per service receipt of a lien service where the profile requires a witness
--   (int_witnessed_service_receipts): compliant when the witness signed, not judged (null) where the
--   export does not say, as an export without the witness column cannot (rules.md §5).
-- article_zh names the requirement's own article where the table cites one (else the rule's).
-- Every row belongs to a case: case_opened_at is when it was opened (null for an act of a case not
-- known as of the run), and a daily build recomputes the cases of the days its new rows touch. It is
-- not the check's partition_at: the days are old ones, and fct_violations, in the order of its days,
-- would be sorted anew by every build; to it these rows have no day and are read again each build.
-- partitioned by day: cast(case_opened_at as date)

-- the days this build recomputes (null: all), of the cases' openings, and the acts of cases not
-- known as of the run (rows without a day)
with case_requirements as (
    select * from int_case_document_requirements
    where in_run_days(case_opened_at)
),

act_requirements as (
    select * from int_act_document_requirements
    where case_opened_at is null or in_run_days(case_opened_at)
),

unsigned_documents as (
    select * from int_unsigned_party_documents
    where in_run_days(case_opened_at)
),

service_receipts as (
    select * from int_witnessed_service_receipts
    where in_run_days(case_opened_at)
),

-- read twice: `not materialized`, or DuckDB would copy it whole to read it again
documents as not materialized (
    select * from stg_documents
),

-- how a document type is named in the detail text (the contract's doc_type labels)
doc_names as (
    select code as doc_type, label_zh as name_zh from labels where kind = 'doc_type'
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
        and (documents.case_id in (select case_id from case_requirements union all select case_id from act_requirements)
            or documents.act_id in (select act_id from act_requirements))
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
        unsigned.unit_id,
        unsigned.case_id,
        unsigned.act_id,
        unsigned.occurred_at,
        'doc:' || unsigned.doc_id as entity_key,
        unsigned.is_refusal_ok and unsigned.is_signatures_ok as is_compliant,
        case when not (unsigned.is_refusal_ok and unsigned.is_signatures_ok) then
            coalesce(doc_names.name_zh, unsigned.doc_type) || ' ' || unsigned.doc_id || ' 当事人未签字'
            || case when not unsigned.is_refusal_ok then '，未注明拒签' else '，已注明拒签' end
            || case when not unsigned.is_signatures_ok then
                '，只有 ' || unsigned.officer_signatures || ' 名执法人员签名（须 '
                || unsigned.min_officer_signatures || ' 名）' else '' end
        end as detail_zh,
        case when not (unsigned.is_refusal_ok and unsigned.is_signatures_ok) then
            unsigned.doc_type || ' ' || unsigned.doc_id || ' not signed by the party'
            || case when not unsigned.is_refusal_ok then ', refusal not noted' else ', refusal noted' end
            || case when not unsigned.is_signatures_ok then
                ', ' || unsigned.officer_signatures || ' officer signature(s), '
                || unsigned.min_officer_signatures || ' required' else '' end
        end as detail_en,
        unsigned.article_zh,
        unsigned.case_opened_at
    from unsigned_documents as unsigned
    left join doc_names using (doc_type)

    union all by name

    select
        'R-DOC' as rule_id,
        receipts.unit_id,
        receipts.case_id,
        receipts.act_id,
        receipts.occurred_at,
        'witness:' || receipts.doc_id as entity_key,
        receipts.is_witness_signed as is_compliant,
        case
            when receipts.is_witness_signed is null then
                coalesce(doc_names.name_zh, receipts.doc_type) || ' ' || receipts.doc_id
                || ' 未载明见证人是否签名（导出无见证人签名列或为空），未判定'
            when not receipts.is_witness_signed then
                coalesce(doc_names.name_zh, receipts.doc_type) || ' ' || receipts.doc_id || ' 无见证人签名（留置送达）'
        end as detail_zh,
        case
            when receipts.is_witness_signed is null then
                receipts.doc_type || ' ' || receipts.doc_id
                || ': whether a witness signed is not stated (no witness column in the export, or empty); not judged'
            when not receipts.is_witness_signed then
                receipts.doc_type || ' ' || receipts.doc_id || ' has no witness signature (lien service)'
        end as detail_en,
        receipts.article_zh,
        case when receipts.is_witness_signed is null then 'witness_not_stated' end as not_judged_reason,
        receipts.case_opened_at
    from service_receipts as receipts
    left join doc_names using (doc_type)
)

select * from final
