-- one row per recording as of the run (R-INTEG): every version ever delivered for its media_id
-- (all kept in raw_media) carries the same sha256; a changed hash means the original was altered
-- (a view: computed where it is read, so only the few failed checks build their detail text)
-- materialized: view
-- partitioned by day: cast(partition_at as date)

with media as (
    select * from int_media
),

media_versions as (
    select * from raw_media
),

replacements as (
    select * from load_replacements where source = 'media'
),

-- most recordings are delivered once. The loader recorded every version a later one replaced, and
-- the one replacing it, so those rows are every version of every redelivered recording, found by
-- their row address without reading the hash of millions of recordings delivered once
version_rows as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number from replacements
    union
    select file_id, row_number from replacements
),

versions as materialized (
    select media_versions.media_id, lower(media_versions.sha256) as sha256, media_versions._file_id,
        media_versions._row_number
    from media_versions
    inner join version_rows using (_file_id, _row_number)
),

version_summary as (
    select
        media_id,
        count(*) as version_count,
        count(distinct sha256) as distinct_hashes,
        arg_min(sha256, (_file_id, _row_number)) as first_sha256
    from versions
    group by media_id
),

-- the latest delivered hash that differs from the first: what the original was changed into
hash_changes as (
    select
        versions.media_id,
        arg_max(versions.sha256, (versions._file_id, versions._row_number)) as changed_sha256
    from versions
    inner join version_summary using (media_id)
    where version_summary.distinct_hashes > 1 and versions.sha256 <> version_summary.first_sha256
    group by versions.media_id
),

judged as (
    select
        media.media_id,
        media.unit_id,
        media.officer_id,
        media.device_id,
        media.case_id,
        media.recorded_end_at,
        version_summary.first_sha256,
        hash_changes.changed_sha256,
        version_summary.version_count,
        hash_changes.changed_sha256 is null as is_compliant
    from media
    left join version_summary using (media_id)
    left join hash_changes using (media_id)
),

final as (
    select
        'R-INTEG' as rule_id,
        unit_id,
        officer_id,
        case_id,
        media_id,
        device_id,
        recorded_end_at as occurred_at,
        media_id as entity_key,
        is_compliant,
        case when not is_compliant then
            '录像 ' || media_id || ' 共报送 ' || version_count || ' 个版本，文件哈希由 ' || left(first_sha256, 8)
            || ' 变为 ' || left(changed_sha256, 8) || '，原始记录被改动'
        end as detail_zh,
        case when not is_compliant then
            'recording ' || media_id || ' delivered in ' || version_count || ' versions with different sha256: '
            || left(first_sha256, 8) || ' then ' || left(changed_sha256, 8) || ' (original altered)'
        end as detail_en,
        recorded_end_at as partition_at
    from judged
)

select * from final
