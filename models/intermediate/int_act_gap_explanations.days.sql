-- the days (of acts' starts) to recompute: those int_acts recomputed (acts and their cases loaded or
-- replaced, begun on a day as_of moved over), and those of the acts of its officer or case that
-- overlap a recording loaded or replaced since the last build or ended on a day as_of moved over
-- (recordings, new or gone, are its coverage), a record_interrupt logged since (it explains a gap) or an interruption statement
-- filed since or signed on a day as_of moved over. Devices and officers (who could have recorded the act) are not mapped: a new export
-- of them rebuilds every day.
with recordings as (
    select officer_id, case_id, recorded_start as recorded_start_at, recorded_end as recorded_end_at
    from changed_media
    union all
    select officer_id, case_id, recorded_start_at, recorded_end_at from int_media
    where recorded_end_at >= getvariable('last_as_of_end_at')
),

-- a recording belongs to the acts it overlaps of its officer or of its case label (int_media_act_links)
act_officers as (
    select act_id, started_at, ended_at, unnest(officer_ids) as officer_id from int_acts
),

interrupts as (
    select event_time as event_at from changed_device_events where event_type = 'record_interrupt'
),

statements as (
    select act_id from changed_documents where doc_type = 'interruption_statement'
    union all
    -- a statement counts from its signing: the acts of those signed on a day as_of moved over
    select act_id from stg_documents
    where doc_type = 'interruption_statement'
        and signed_at >= getvariable('last_as_of_end_at') and signed_at < getvariable('as_of_end_at')
)

select day from recomputed_int_acts
union
select cast(act_officers.started_at as date)
from act_officers
inner join recordings
    on recordings.officer_id = act_officers.officer_id
    and act_officers.started_at < recordings.recorded_end_at and act_officers.ended_at > recordings.recorded_start_at
union
select cast(acts.started_at as date)
from int_acts as acts
inner join recordings
    on recordings.case_id = acts.case_id
    and acts.started_at < recordings.recorded_end_at and acts.ended_at > recordings.recorded_start_at
union
select cast(acts.started_at as date)
from int_acts as acts
inner join interrupts on interrupts.event_at between acts.started_at and acts.ended_at
union
select cast(started_at as date) from int_acts where act_id in (select act_id from statements)
