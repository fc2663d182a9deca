-- one row per recording that belongs to an act (R-LBL): it carries every label the profile
-- requires, and its case label names the case of one of its acts. Labels are put on when the
-- recording enters the store (入库时标注), so a recording not stored as of the run is not judged yet.
with media as (
    select * from int_media
),

links as (
    select * from int_media_act_links
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

-- a recording's acts, grouped before the recordings are joined to them: grouping the joined rows
-- by every column of the recording cost more than the rest of the model at a province's scale
media_acts as (
    select
        media_id,
        min(act_id) as act_id,
        list_sort(list_distinct(list(act_case_id))) as act_case_ids
    from links
    group by media_id
),

-- the recordings are probed against their acts, not hashed for them
-- (a join builds its hash table on its right side, as written: runner.set_parameters)
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
        media_acts.act_id,
        media_acts.act_case_ids
    from media
    inner join media_acts using (media_id)
),

-- each profile's required labels with their names, in the order the detail text lists them
profile_labels as (
    select
        required_labels.profile_id,
        list({
            'label': required_labels.label,
            'name_zh': coalesce(label_names.name_zh, required_labels.label),
            'name_en': coalesce(label_names.name_en, required_labels.label)
        } order by label_names.ord, required_labels.label) as labels
    from required_labels
    left join label_names using (label)
    group by required_labels.profile_id
),

-- the required labels a recording leaves blank, picked from its row rather than by unpivoting
-- every recording into one row per label and grouping them back
with_missing as (
    select
        linked_media.*,
        list_filter(profile_labels.labels, lambda l: nullif(trim(
            case l.label
                when 'case_id' then linked_media.case_id
                when 'party_label' then linked_media.party_label
                when 'handler_label' then linked_media.handler_label
            end), '') is null) as missing_labels
    from linked_media
    left join profile_labels using (profile_id)
),

-- a case label is only checked against the acts where the profile asks for one
case_label_required as (
    select distinct profile_id from required_labels where label = 'case_id'
),

judged as (
    select
        with_missing.* exclude (missing_labels),
        case when len(with_missing.missing_labels) > 0 then
            array_to_string(list_transform(with_missing.missing_labels, lambda l: l.name_zh), '、') end as missing_zh,
        case when len(with_missing.missing_labels) > 0 then
            array_to_string(list_transform(with_missing.missing_labels, lambda l: l.name_en), ', ') end as missing_en,
        case_label_required.profile_id is not null
            and nullif(trim(with_missing.case_id), '') is not null
            and not list_contains(with_missing.act_case_ids, with_missing.case_id) as is_case_label_wrong
    from with_missing
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
        end as detail_en
    from judged
)

select * from final
