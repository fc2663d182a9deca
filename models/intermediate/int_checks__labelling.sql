-- one row per recording that belongs to an act (R-LBL): it carries every label the profile
-- requires, and its case label names the case of one of its acts. Labels are put on when the
-- recording enters the store (入库时标注), so a recording not stored as of the run is not judged yet.
-- partitioned by day: cast(partition_at as date)
with media as (
    select * from int_media
    -- the days this build recomputes (null: all)
    where in_run_days(recorded_end_at)
),

links as (
    select * from int_media_act_links
    where in_run_days(recorded_end_at)
),

parameters as (
    select * from rules_rule_parameters
),

required_labels as (
    select profile_id, value as label
    from parameters
    where rule_id = 'R-LBL' and parameter = 'required_label'
),

-- how a label is named in the detail text (ord keeps the text in a stable order)
label_names as (
    select code as label, ord, label_zh as name_zh, label_en as name_en from labels where kind = 'column:media'
),

-- a recording's acts, gathered before they meet its columns: grouping by the recording's own columns
-- (its extra columns' JSON among them) cost more than the rest of the check
media_acts as (
    select
        media_id,
        min(act_id) as act_id,
        list_sort(list_distinct(list(act_case_id))) as act_case_ids
    from links
    group by media_id
),

linked_media as (
    select
        media.media_id,
        media.unit_id,
        media.profile_id,
        media.officer_id,
        media.device_id,
        media.recorded_end_at,
        media.uploaded_at,
        media.case_id,
        media.party_label,
        media.handler_label,
        media.extra_columns,
        media_acts.act_id,
        media_acts.act_case_ids
    from media
    inner join media_acts using (media_id)
),

-- each label the profile requires, from the recording's column of that name: the contract's label
-- columns, or a column the export delivers beyond them (any other label a profile may name)
label_values as (
    select
        linked_media.media_id,
        required_labels.label,
        case required_labels.label
            when 'case_id' then linked_media.case_id
            when 'party_label' then linked_media.party_label
            when 'handler_label' then linked_media.handler_label
            else json_extract_string(linked_media.extra_columns, '$."' || replace(required_labels.label, '"', '') || '"')
        end as label_value
    from linked_media
    inner join required_labels using (profile_id)
),

-- the missing labels' names, in the catalogue's order (a label it does not name after those, by
-- name): a sorted list, which costs a third of an ordered string_agg
missing_labels as (
    select
        label_values.media_id,
        list_sort(list({
            'ord': coalesce(label_names.ord, 2147483647),
            'name_zh': coalesce(label_names.name_zh, label_values.label),
            'name_en': coalesce(label_names.name_en, label_values.label)
        })) as names
    from label_values
    left join label_names using (label)
    where nullif(trim(label_values.label_value), '') is null
    group by label_values.media_id
),

missing as (
    select
        media_id,
        array_to_string(list_transform(names, lambda n: n.name_zh), '、') as missing_zh,
        array_to_string(list_transform(names, lambda n: n.name_en), ', ') as missing_en
    from missing_labels
),

-- a case label is only checked against the acts where the profile asks for one
case_label_required as (
    select distinct profile_id from required_labels where label = 'case_id'
),

judged as (
    select
        linked_media.*,
        missing.missing_zh,
        missing.missing_en,
        case_label_required.profile_id is not null
            and nullif(trim(linked_media.case_id), '') is not null
            and not list_contains(linked_media.act_case_ids, linked_media.case_id) as is_case_label_wrong
    from linked_media
    left join missing using (media_id)
    left join case_label_required using (profile_id)
),

final as (
    select
        'R-LBL' as rule_id,
        unit_id,
        officer_id,
        case when is_case_label_wrong or nullif(trim(case_id), '') is null then act_case_ids[1] else case_id end as case_id,
        act_id,
        media_id,
        device_id,
        recorded_end_at as occurred_at,
        media_id as entity_key,
        case
            when uploaded_at is null then null
            else missing_zh is null and not is_case_label_wrong
        end as is_compliant,
        case when uploaded_at is not null and (missing_zh is not null or is_case_label_wrong) then
            concat_ws('；',
                '录像 ' || media_id || ' 缺少' || missing_zh,
                case when is_case_label_wrong then
                    '录像 ' || media_id || ' 标注案号 ' || case_id || ' 不是所属执法环节的案件 '
                    || array_to_string(act_case_ids, '、')
                end)
        end as detail_zh,
        case when uploaded_at is not null and (missing_zh is not null or is_case_label_wrong) then
            concat_ws('; ',
                'recording ' || media_id || ' lacks labels: ' || missing_en,
                case when is_case_label_wrong then
                    'recording ' || media_id || ' is labelled with case ' || case_id
                    || ', not the case of its act(s) ' || array_to_string(act_case_ids, ', ')
                end)
        end as detail_en,
        recorded_end_at as partition_at
    from judged
)

select * from final
