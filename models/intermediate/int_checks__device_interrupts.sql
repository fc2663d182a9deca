-- one row per record_interrupt device event (R-DEV-INT): explained either by the next recording on
-- that device opening with a spoken note, or by a written statement for an act of the device's
-- officer that was going on at the interruption, signed by as many officers as the profile asks
-- partitioned by day: cast(partition_at as date)
with events as (
    select * from stg_device_events
),

devices as (
    select * from stg_devices
),

units as (
    select * from int_units
),

params as (
    select * from int_profile_parameters
),

media as (
    select * from int_media
),

acts as (
    select * from int_acts
),

documents as (
    select * from stg_documents
),

-- one interruption per device and moment, even if logged once per open file
interrupt_events as (
    select events.device_id, events.event_at, min(events.reason) as reason
    from events
    where events.event_type = 'record_interrupt' and events.event_at < getvariable('as_of_end_at')
        -- the days this build recomputes (null: all)
        and in_run_days(events.event_at)
    group by events.device_id, events.event_at
),

interrupts as (
    select
        events.device_id,
        events.event_at,
        events.reason,
        devices.unit_id,
        devices.officer_id,
        params.devint_statement_doc_type as statement_doc_type,
        coalesce(params.devint_statement_min_signatures, 0) as min_signatures
    from interrupt_events as events
    left join devices on devices.device_id = events.device_id
    left join units on units.unit_id = devices.unit_id
    left join params on params.profile_id = units.profile_id
),

-- resuming in the same second is still after the interruption (one-second device logs); of two
-- recordings starting at once, the lower media_id is the next one
-- the recordings are probed against the few interruptions, not hashed for them
-- (a join builds its hash table on its right side, as written: runner.set_parameters)
-- one min over (start, media_id, note), not an arg_min per column keyed on (start, media_id): every
-- recording after an interruption on its device is compared (42 M at a province's scale), and two
-- arg_mins compare each key twice (18 s of operator time against 10)
next_recordings as (
    select
        interrupts.device_id,
        interrupts.event_at,
        -- a struct with named fields, read by name: Spark has no positional access to a struct's fields
        min({'start_at': media.recorded_start_at, 'media_id': media.media_id,
             'is_noted': media.is_interruption_noted}) as next_recording
    from media
    inner join interrupts
        on media.device_id = interrupts.device_id and media.recorded_start_at >= interrupts.event_at
    -- (the next recording starts after the interruption, so after the first day rebuilt)
    where from_first_run_day(media.recorded_start_at)
    group by interrupts.device_id, interrupts.event_at
),

act_officers as (
    select act_id, case_id, started_at, ended_at, unnest(officer_ids) as officer_id
    from acts
    where from_first_run_day(ended_at)
),

ongoing_acts as (
    select distinct
        interrupts.device_id,
        interrupts.event_at,
        act_officers.act_id,
        act_officers.case_id
    from interrupts
    inner join act_officers
        on act_officers.officer_id = interrupts.officer_id
        and interrupts.event_at between act_officers.started_at and act_officers.ended_at
),

known_documents as (
    select documents.*
    from documents
    where documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at')
),

statement_documents as (
    select known_documents.*
    from known_documents
    where known_documents.doc_type in (select devint_statement_doc_type from params)
),

-- a statement filed on the case without an act id still speaks for the case's acts
statements as (
    select device_id, event_at, max(officer_signatures) as statement_signatures
    from (
        select ongoing_acts.device_id, ongoing_acts.event_at, statement_documents.officer_signatures,
            statement_documents.doc_type
        from ongoing_acts
        inner join statement_documents on statement_documents.act_id = ongoing_acts.act_id
        union all
        select ongoing_acts.device_id, ongoing_acts.event_at, statement_documents.officer_signatures,
            statement_documents.doc_type
        from ongoing_acts
        inner join statement_documents
            on statement_documents.act_id is null and statement_documents.case_id = ongoing_acts.case_id
    ) as candidates
    inner join interrupts using (device_id, event_at)
    where candidates.doc_type = interrupts.statement_doc_type
    group by device_id, event_at
),

-- how an interrupt reason is named in the detail text
reason_names as (
    select code as reason, label_zh as name_zh from labels where kind = 'interrupt_reason'
),

first_acts as (
    select device_id, event_at, act_id, case_id
    from ongoing_acts
    qualify row_number() over (partition by device_id, event_at order by act_id) = 1
),

judged as (
    select
        interrupts.*,
        next_recordings.next_recording.media_id as next_media_id,
        coalesce(reason_names.name_zh, interrupts.reason) as reason_zh,
        statements.statement_signatures,
        first_acts.act_id,
        first_acts.case_id,
        coalesce(next_recordings.next_recording.is_noted, false)
            or coalesce(statements.statement_signatures >= interrupts.min_signatures, false) as is_compliant
    from interrupts
    left join next_recordings using (device_id, event_at)
    left join statements using (device_id, event_at)
    left join first_acts using (device_id, event_at)
    left join reason_names on reason_names.reason = interrupts.reason
),

final as (
    select
        'R-DEV-INT' as rule_id,
        unit_id,
        officer_id,
        case_id,
        act_id,
        next_media_id as media_id,
        device_id,
        event_at as occurred_at,
        device_id || '@' || cast(event_at as varchar) as entity_key,
        is_compliant,
        case when not is_compliant then
            '设备 ' || device_id || ' 于 ' || zh_minute(event_at) || ' 录制中断'
            || coalesce('（原因：' || reason_zh || '）', '')
            || case when next_media_id is null then '，其后该设备没有录像' else '，其后录像 ' || next_media_id || ' 未作中断语音说明' end
            || case
                when statement_signatures is null then '，也没有中断情况说明'
                else '，中断情况说明只有 ' || statement_signatures || ' 名执法人员签名（须 ' || min_signatures || ' 名）'
            end
        end as detail_zh,
        case when not is_compliant then
            'recording interrupted on device ' || device_id || ' at ' || en_minute(event_at)
            || coalesce(' (reason: ' || reason || ')', '')
            || case when next_media_id is null then '; no later recording on that device'
                else '; the next recording ' || next_media_id || ' has no spoken note' end
            || case
                when statement_signatures is null then ' and there is no interruption statement'
                else ' and the interruption statement has ' || statement_signatures || ' officer signature(s), '
                    || min_signatures || ' required'
            end
        end as detail_en,
        event_at as partition_at
    from judged
)

select * from final
