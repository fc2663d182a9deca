-- one row per evidence recording (R-EVD): burned to disc by its case's archive due date (closed_at
-- + the archive period of the case's profile), and its case has the written explanation document
-- (the document type the case's profile names: both are the case's, under its unit's profile).
-- Pending while the case is open or its due date is ahead and something is still missing.
with media as (
    select * from int_media
),

media_cases as (
    select * from int_media_cases
),

cases as (
    select * from stg_cases
),

documents as (
    select * from stg_documents
),

units as (
    select * from int_units
),

params as (
    select * from int_profile_parameters
),

-- the recording's case is its case label, else the case of an act it belongs to (rules.md §4);
-- looked up for the evidence recordings only (one in twenty)
evidence_cases as (
    select media_id, case_id
    from media_cases
    where media_id in (select media_id from stg_media where is_evidence)
    qualify row_number() over (partition by media_id order by linked_by = 'label' desc, case_id) = 1
),

-- what the case's profile asks of it: the archive due date once it is closed, and the document type
-- of the explanation (an open case can have it already)
case_terms as (
    select
        cases.case_id,
        case
            when cases.closed_at < getvariable('as_of_end_at') then cases.closed_at + to_days(params.archive_due_days)
        end as archive_due_at,
        params.evidence_explanation_doc_type as explanation_doc_type
    from cases
    left join units on units.unit_id = cases.unit_id
    left join params on params.profile_id = units.profile_id
),

known_documents as (
    select documents.*
    from documents
    where documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at')
),

evidence as (
    select
        media.media_id,
        media.unit_id,
        media.officer_id,
        media.device_id,
        media.recorded_end_at,
        media.disc_archived_at,
        evidence_cases.case_id
    from media
    left join evidence_cases using (media_id)
    where media.is_evidence
),

case_documents as (
    select distinct case_id, doc_type
    from known_documents
    where doc_type in (select evidence_explanation_doc_type from params)
),

checked as (
    select
        evidence.*,
        case_terms.archive_due_at,
        case_documents.case_id is not null as has_explanation
    from evidence
    left join case_terms using (case_id)
    left join case_documents
        on case_documents.case_id = evidence.case_id and case_documents.doc_type = case_terms.explanation_doc_type
),

judged as (
    select
        *,
        disc_archived_at > archive_due_at as is_disc_late,
        archive_due_at <= getvariable('as_of_end_at') as is_due_passed,
        case
            when disc_archived_at > archive_due_at then false
            when disc_archived_at is not null and has_explanation then true
            when archive_due_at <= getvariable('as_of_end_at') then false
        end as is_compliant
    from checked
),

final as (
    select
        'R-EVD' as rule_id,
        unit_id,
        officer_id,
        case_id,
        media_id,
        device_id,
        recorded_end_at as occurred_at,
        media_id as entity_key,
        is_compliant,
        case when not is_compliant then
            concat_ws('；',
                case
                    when is_disc_late then '证据录像 ' || media_id || ' 于 ' || zh_minute(disc_archived_at)
                        || ' 才刻录光盘，晚于案件 ' || case_id || ' 归档期限 ' || zh_minute(archive_due_at)
                    when disc_archived_at is null then '证据录像 ' || media_id || ' 至案件 ' || case_id || ' 归档期限 '
                        || zh_minute(archive_due_at) || ' 仍未刻录光盘'
                end,
                case when not has_explanation and is_due_passed then '案件 ' || case_id || ' 无音像证据文字说明' end)
        end as detail_zh,
        case when not is_compliant then
            concat_ws('; ',
                case
                    when is_disc_late then 'evidence recording ' || media_id || ' burned to disc only at '
                        || en_minute(disc_archived_at) || ', after case ' || case_id
                        || '''s archive due date ' || en_minute(archive_due_at)
                    when disc_archived_at is null then 'evidence recording ' || media_id || ' not on disc by case '
                        || case_id || '''s archive due date ' || en_minute(archive_due_at)
                end,
                case when not has_explanation and is_due_passed then
                    'case ' || case_id || ' has no written explanation of its audio/video evidence'
                end)
        end as detail_en
    from judged
)

select * from final
