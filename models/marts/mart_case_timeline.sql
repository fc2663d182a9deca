-- one row per event or span of a case's whole recorded process (案件全过程), as the dashboard's case
-- page draws it: the case opened, its emergency start approved (R-START), decided, closed and
-- archived (R-ARC, against its deadline); each enforcement act (with its AV level and coverage,
-- R-AV); each recording of the case (media start–end, the act it covers, its upload deadline and
-- status, R-UPL, and its retention, R-RET); each gap longer than the profile's limit in an act's
-- recording, explained or not (R-AV); and each written record with its signing (R-DOC). Codes come
-- as they are: readers name them. Sorted by case, so that the one case a reader asks for is read
-- from the few row groups that hold it.
with cases as (
    select * from int_cases
),

raw_cases as (
    select * from stg_cases
),

archiving as (
    select * from int_case_archiving
),

start_checks as (
    select * from int_checks__start
),

params as (
    select * from int_profile_parameters
),

acts as (
    select * from int_acts
),

coverage as (
    select * from int_act_av_coverage
),

gaps as (
    select * from int_act_gap_explanations
),

media_cases as (
    select * from int_media_cases
),

links as (
    select * from int_media_act_links
),

media as (
    select * from int_media
),

uploads as (
    select * from int_media_upload
),

retention as (
    select * from int_media_retention
),

documents as (
    select * from stg_documents
),

-- the case's own moments; an emergency start's approval and the archiving have a deadline
case_events as (
    select case_id, 'opened' as kind, opened_at as start_at, cast(null as timestamp) as due_at,
        cast(null as varchar) as status
    from cases
    union all
    select cases.case_id, 'start_approval',
        case when raw_cases.start_approved_at < getvariable('as_of_end_at') then raw_cases.start_approved_at end,
        plus_hours(cases.opened_at, params.start_approval_hours),
        case
            when start_checks.is_compliant then 'on_time'
            when not start_checks.is_compliant and raw_cases.start_approved_at < getvariable('as_of_end_at') then 'late'
            when not start_checks.is_compliant then 'overdue'
            else 'pending'
        end
    from cases
    inner join raw_cases using (case_id)
    inner join start_checks using (case_id)
    left join params using (profile_id)
    union all
    select case_id, 'decided', decided_at, null, null from cases where decided_at is not null
    union all
    select case_id, 'closed', closed_at, null, null from cases where closed_at is not null
    union all
    select case_id, 'archived', archived_at, archive_due_at, status from archiving
),

act_spans as (
    select
        acts.case_id,
        'act' as kind,
        acts.started_at as start_at,
        acts.ended_at as end_at,
        acts.act_id,
        acts.act_type as type_code,
        coverage.requirement,
        coverage.status,
        coverage.coverage_ratio,
        acts.av_exempt_reason is not null as is_av_exempt
    from acts
    left join coverage using (act_id)
),

-- a recording that covers several acts of its case is drawn once, under the first of them
recording_acts as (
    select media_id, act_case_id as case_id, min(act_id) as act_id
    from links
    group by media_id, act_case_id
),

-- the recordings' facts are read for the recordings of a case only: the millions of recordings are
-- probed against those (a join builds on its right side: runner.set_parameters)
case_media as (
    select media.media_id, media.recorded_start_at, media.recorded_end_at
    from media
    semi join media_cases using (media_id)
),

case_uploads as (
    select uploads.media_id, uploads.deadline_at, uploads.uploaded_at, uploads.upload_status
    from uploads
    semi join media_cases using (media_id)
),

case_retention as (
    select retention.media_id, retention.retention_class, retention.retain_until, retention.status,
        retention.deleted_at
    from retention
    semi join media_cases using (media_id)
),

recording_spans as (
    select
        media_cases.case_id,
        'recording' as kind,
        case_media.recorded_start_at as start_at,
        case_media.recorded_end_at as end_at,
        recording_acts.act_id,
        media_cases.media_id,
        case_uploads.deadline_at as due_at,
        case_uploads.uploaded_at as done_at,
        case_uploads.upload_status as status,
        case_retention.retention_class,
        case_retention.retain_until,
        case_retention.status as retention_status,
        case_retention.deleted_at
    from media_cases
    inner join case_media on case_media.media_id = media_cases.media_id
    left join recording_acts
        on recording_acts.media_id = media_cases.media_id and recording_acts.case_id = media_cases.case_id
    left join case_uploads on case_uploads.media_id = media_cases.media_id
    left join case_retention on case_retention.media_id = media_cases.media_id
),

-- an act that nothing covers is one gap from its start to its end (as int_act_av_coverage counts it)
gap_spans as (
    select acts.case_id, gaps.gap_start_at as start_at, gaps.gap_end_at as end_at, gaps.act_id, gaps.is_explained
    from gaps
    inner join acts using (act_id)
    union all
    select coverage.case_id, coverage.started_at, coverage.ended_at, coverage.act_id, false
    from coverage
    anti join gaps using (act_id)
    where coverage.covered_seconds = 0 and coverage.gap_count > 0
),

document_events as (
    select
        documents.case_id,
        'document' as kind,
        -- one signed after as_of had not been signed yet
        case when documents.signed_at < getvariable('as_of_end_at') then documents.signed_at end as start_at,
        documents.act_id,
        documents.doc_id,
        documents.doc_type as type_code
    from documents
    semi join cases using (case_id)
),

events as (
    select case_id, kind, start_at, null as end_at, due_at, null as done_at, status,
        null as act_id, null as media_id, null as doc_id, null as type_code
    from case_events
    union all by name
    select * from act_spans
    union all by name
    select * from recording_spans
    union all by name
    select case_id, 'gap' as kind, start_at, end_at, act_id, is_explained from gap_spans
    union all by name
    select * from document_events
),

final as (
    select
        case_id,
        kind,
        start_at,
        end_at,
        due_at,
        done_at,
        act_id,
        media_id,
        doc_id,
        type_code,
        requirement,
        status,
        coverage_ratio,
        is_av_exempt,
        is_explained,
        retention_class,
        retain_until,
        retention_status,
        deleted_at,
        coalesce(kind in ('start_approval', 'archived') and status in ('late', 'overdue'), false)
            or coalesce(kind = 'recording' and status in ('late', 'overdue_missing'), false) as is_late
    from events
)

select * from final
order by case_id, coalesce(start_at, due_at) nulls last, kind, act_id, media_id, doc_id
