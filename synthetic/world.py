"""The fixed cast: units, officers (in patrol teams), devices, and each team's duty calendar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .params import DEFAULT_PROFILE, PROFILES, Scale
from .util import DAY, HOUR, MINUTE, days_in_year, stream, uniform_int, weekday, year_start

NO_DAY = np.iinfo(np.int32).min  # "no date" marker for day-index columns


@dataclass
class World:
    year: int
    seed: int
    t0: int  # 1 January 00:00, seconds
    n_days: int
    export_end: int  # 31 December 23:59:59: nothing in the exports happens later
    # units
    unit_id: np.ndarray
    unit_name: np.ndarray
    unit_parent: np.ndarray  # int index, -1 = none
    unit_rule_profile: np.ndarray  # '' = empty (deployment default)
    unit_profile: np.ndarray  # effective profile index into PROFILES
    unit_region: np.ndarray  # county / district used in addresses
    unit_marine: np.ndarray
    unit_case_prefix: np.ndarray  # '' = plain "AJ…" numbering
    # officers
    off_id: np.ndarray
    off_name: np.ndarray
    off_cert: np.ndarray
    off_unit: np.ndarray
    off_team: np.ndarray
    # teams (officers patrol and act in fixed teams of 2–3; member 0 is the lead)
    team_unit: np.ndarray
    team_start: np.ndarray
    team_size: np.ndarray
    team_members: np.ndarray
    # devices
    dev_id: np.ndarray
    dev_type: np.ndarray
    dev_unit: np.ndarray
    dev_officer: np.ndarray  # -1 = unassigned
    dev_from: np.ndarray  # day index (negative = before this year)
    dev_to: np.ndarray  # day index or NO_DAY
    dev_bitrate: np.ndarray  # bytes per second
    dev_segment: np.ndarray  # seconds per file segment
    dev_drain: np.ndarray  # battery % per hour
    off_dev_old: np.ndarray
    off_dev_new: np.ndarray
    off_swap_day: np.ndarray  # day the officer switches to off_dev_new (n_days = never)
    # duty calendar: one row per active team-day, sorted by (team, day)
    td_team: np.ndarray
    td_day: np.ndarray
    td_start: np.ndarray  # seconds after midnight
    td_budget: np.ndarray  # seconds of planned work
    td_next_gap: np.ndarray  # days until the team's next duty day (999 = none)
    team_td_first: np.ndarray
    team_td_count: np.ndarray

    @property
    def n_units(self) -> int:
        return len(self.unit_id)

    @property
    def n_officers(self) -> int:
        return len(self.off_id)

    @property
    def n_teams(self) -> int:
        return len(self.team_unit)

    def device_of(self, officer: np.ndarray, day: np.ndarray) -> np.ndarray:
        return np.where(day >= self.off_swap_day[officer], self.off_dev_new[officer], self.off_dev_old[officer])


def _unit_tree(scale: Scale, rng: np.random.Generator):
    """Names, parents, profiles, regions and case-number prefixes of the units."""
    names, parents, rule_profiles, regions, prefixes = [], [], [], [], []
    if scale.n_mid == 0:
        county = vocab.COUNTIES[rng.integers(len(vocab.COUNTIES))]
        names.append(f"{county}综合行政执法局")
        parents.append(-1)
        rule_profiles.append("")
        regions.append(county)
        prefixes.append(f"{county[0]}综执")
        squad_profiles = list(PROFILES) + ([""] if scale.n_squads > len(PROFILES) else [])
        squad_profiles += list(PROFILES) * (scale.n_squads // len(PROFILES))
        for i in range(scale.n_squads):
            prof = squad_profiles[i]
            domain = vocab.PROFILE_DOMAIN.get(prof, "综合")
            names.append(f"{county}综合行政执法大队{domain}中队")
            parents.append(0)
            rule_profiles.append(prof)
            regions.append(county)
            prefixes.append(f"{county[0]}综执{domain[:2]}")
        if len(set(names)) != len(names):  # more squads than domains: number them
            names = [n if i == 0 else f"{n[:-2]}第{vocab.cn_number(i)}中队" for i, n in enumerate(names)]
            prefixes = [p if i == 0 else f"{p}{vocab.cn_number(i)}" for i, p in enumerate(prefixes)]
        return names, parents, rule_profiles, regions, prefixes, [False] * len(names)

    if scale.n_mid <= len(vocab.DISTRICTS):  # one city with districts
        city = vocab.CITIES[rng.integers(len(vocab.CITIES))]
        root, root_prefix = f"{city}城市管理综合行政执法局", f"{city[0]}城管"
        mids = [f"{city}{d}" for d in vocab.DISTRICTS[: scale.n_mid]]
        mid_units = [f"{m}综合行政执法大队" for m in mids]
        mid_regions = vocab.DISTRICTS[: scale.n_mid]
        mid_short = [f"{city[0]}{d[:2]}" for d in mid_regions]
    else:  # a province with cities
        chars = "东南西北中金银凤龙安平永宁长丰临清华泰兴"
        cities = [f"{a}{b}市" for a in chars for b in chars if a != b][: scale.n_mid]
        root, root_prefix = f"{vocab.PROVINCE}综合行政执法监督局", "省综执"
        mid_units = [f"{c}综合行政执法支队" for c in cities]
        mid_regions = cities
        mid_short = [c[:2] for c in cities]
    names.append(root)
    parents.append(-1)
    rule_profiles.append("")
    regions.append(mid_regions[0])
    prefixes.append(root_prefix)
    for i, m in enumerate(mid_units):
        names.append(m)
        parents.append(0)
        rule_profiles.append(PROFILES[i % len(PROFILES)])
        regions.append(mid_regions[i])
        prefixes.append(f"{mid_short[i]}执")
    per_mid = [0] * scale.n_mid
    for j in range(scale.n_squads):
        k = j % scale.n_mid
        per_mid[k] += 1
        n = per_mid[k]
        names.append(f"{mid_units[k].replace('支队', '大队')}第{vocab.cn_number(n)}中队")
        parents.append(1 + k)
        rule_profiles.append("" if j % 6 == 5 else PROFILES[k % len(PROFILES)])
        regions.append(mid_regions[k])
        prefixes.append(f"{mid_short[k]}执{vocab.cn_number(n)}")
    marine = [False] * len(names)
    return names, parents, rule_profiles, regions, prefixes, marine


def build_world(scale: Scale, seed: int, year: int) -> World:
    rng = stream(seed, year, "world")
    t0 = year_start(year)
    n_days = days_in_year(year)

    # ---- units -------------------------------------------------------------------------------
    names, parents, rule_profiles, regions, prefixes, marine = _unit_tree(scale, rng)
    n_units = len(names)
    width = 2 if n_units < 100 else 4
    base = {"XS": "130123", "S": "130123", "M": "1301", "HV": "1301", "L": "13"}.get(scale.name, "13")
    unit_id = np.array([f"{base}{i:0{width}d}" for i in range(n_units)], dtype=object)
    eff = [r or DEFAULT_PROFILE for r in rule_profiles]
    unit_profile = np.array([PROFILES.index(p) for p in eff], dtype=np.int8)
    marine = np.array([vocab.PROFILE_DOMAIN.get(r) == "海洋渔业" or p == "dalian_jinpu"
                       for r, p in zip(rule_profiles, eff)], dtype=bool)
    # a third of the units number cases plainly ("AJ2025000123"), the rest like 〔2025〕123号
    prefixes = ["" if i % 3 == 2 else p for i, p in enumerate(prefixes)]
    seen: set[str] = set()
    for i, p in enumerate(prefixes):  # prefixes must be unique or case ids collide
        if p in seen:
            prefixes[i] = ""
        seen.add(p)

    # ---- officers ----------------------------------------------------------------------------
    weight = np.array([0.5 if p == -1 else (0.3 if i <= scale.n_mid else 1.0)
                       for i, p in enumerate(parents)])
    counts = np.maximum(2, np.floor(scale.officers * weight / weight.sum()).astype(int))
    short = scale.officers - counts.sum()
    if short > 0:
        np.add.at(counts, rng.integers(1, n_units, short), 1)
    off_unit = np.repeat(np.arange(n_units), counts).astype(np.int32)
    n_off = len(off_unit)
    rank = np.arange(n_off) - np.repeat(np.cumsum(counts) - counts, counts)
    off_id = np.char.add(unit_id[off_unit].astype(str), np.char.zfill((rank + 1).astype(str), 3)).astype(object)
    off_name = np.array(vocab.person_names(rng, n_off).to_pylist(), dtype=object)
    cert = np.array([f"{base[:2]}{x:09d}" for x in rng.integers(0, 10**9, n_off)], dtype=object)
    cert[rng.random(n_off) < 0.08] = None

    # ---- teams: shuffle each unit's officers and cut them into teams of 2 or 3 -------------------
    team_unit, team_size, members = [], [], []
    for u in range(n_units):
        offs = np.flatnonzero(off_unit == u)
        offs = offs[rng.permutation(len(offs))]
        k = len(offs)
        n3 = int(round(k * 0.2 / 3))
        if (k - 3 * n3) % 2:
            n3 += 1 if 3 * (n3 + 1) <= k else -1
        sizes = [3] * n3 + [2] * ((k - 3 * n3) // 2)
        sizes = [sizes[i] for i in rng.permutation(len(sizes))]
        pos = 0
        for s in sizes:
            team_unit.append(u)
            team_size.append(s)
            members.extend(offs[pos:pos + s])
            pos += s
    team_unit = np.array(team_unit, dtype=np.int32)
    team_size = np.array(team_size, dtype=np.int8)
    team_start = (np.cumsum(team_size) - team_size).astype(np.int32)
    team_members = np.array(members, dtype=np.int32)
    off_team = np.empty(n_off, dtype=np.int32)
    off_team[team_members] = np.repeat(np.arange(len(team_unit)), team_size)

    # ---- devices -----------------------------------------------------------------------------
    # every officer carries a body camera; some swap to a new one during the year; units keep spare
    # cameras, photo/video cameras, audio recorders and fixed CCTV in the register.
    swap = rng.random(n_off) < 0.04
    swap_day = np.where(swap, uniform_int(rng, 30, n_days - 30, n_off), n_days).astype(np.int32)
    n_spare = np.maximum(1, np.round(counts * 0.05)).astype(int)
    other = {t: rng.integers(lo, hi + 1, n_units) for t, lo, hi in
             (("camera", 1, 2), ("video_camera", 0, 1), ("audio_recorder", 1, 2), ("cctv", 1, 3))}
    d_type = (["body_camera"] * n_off + ["body_camera"] * int(swap.sum())
              + ["body_camera"] * int(n_spare.sum()))
    d_unit = list(off_unit) + list(off_unit[swap]) + list(np.repeat(np.arange(n_units), n_spare))
    d_off = list(range(n_off)) + list(np.flatnonzero(swap)) + [-1] * int(n_spare.sum())
    for t, c in other.items():
        d_type += [t] * int(c.sum())
        d_unit += list(np.repeat(np.arange(n_units), c))
        d_off += [-1] * int(c.sum())
    d_type = np.array(d_type, dtype=object)
    d_unit = np.array(d_unit, dtype=np.int32)
    d_off = np.array(d_off, dtype=np.int32)
    n_dev = len(d_type)
    d_from = uniform_int(rng, -4 * 365, -20, n_dev).astype(np.int32)
    d_to = np.full(n_dev, NO_DAY, dtype=np.int32)
    new_idx = np.arange(n_off, n_off + int(swap.sum()))
    d_from[new_idx] = swap_day[swap]
    d_to[np.flatnonzero(swap)] = swap_day[swap] - 1
    retired = (d_off == -1) & (rng.random(n_dev) < 0.1)  # some register entries long out of service
    d_to[retired] = np.minimum(-1, d_from[retired] + uniform_int(rng, 200, 900, int(retired.sum())))
    prefix = {"body_camera": "DSJ", "camera": "XJ", "video_camera": "SXJ", "audio_recorder": "LYB", "cctv": "JK"}
    w = max(4, len(str(n_dev)))
    dev_id = np.empty(n_dev, dtype=object)
    for t, pre in prefix.items():  # numbered per type, in register order
        idx = np.flatnonzero(d_type == t)
        dev_id[idx] = np.char.add(f"{pre}-", np.char.zfill(np.arange(1, len(idx) + 1).astype(str), w))
    off_dev_old = np.arange(n_off, dtype=np.int32)
    off_dev_new = off_dev_old.copy()
    off_dev_new[swap] = new_idx
    dev_bitrate = rng.uniform(0.45e6, 1.0e6, n_dev)
    dev_segment = np.where(rng.random(n_dev) < 0.5, 30 * MINUTE, 60 * MINUTE).astype(np.int64)
    dev_drain = rng.uniform(6.0, 11.0, n_dev)

    # ---- duty calendar -------------------------------------------------------------------------
    n_teams = len(team_unit)
    days = np.arange(n_days)
    wd = weekday(t0, days)
    weekend = wd >= 5
    p_active = np.where(weekend, 0.22, 0.92)
    active = rng.random((n_teams, n_days)) < p_active[None, :]
    td_team, td_day = np.nonzero(active)
    td_team = td_team.astype(np.int32)
    td_day = td_day.astype(np.int32)
    n_td = len(td_day)
    is_weekend = weekend[td_day]
    evening = (~is_weekend) & (rng.random(n_td) < 0.03)
    td_start = np.where(evening, uniform_int(rng, 17 * 60 + 30, 18 * 60 + 30, n_td),
                        np.where(is_weekend, uniform_int(rng, 8 * 60 + 30, 9 * 60 + 30, n_td),
                                 uniform_int(rng, 8 * 60, 9 * 60, n_td))) * MINUTE
    td_budget = np.where(evening, 210 * MINUTE, np.where(is_weekend, 6 * HOUR, 510 * MINUTE))
    next_gap = np.full(n_td, 999, dtype=np.int32)
    same = td_team[1:] == td_team[:-1]
    next_gap[:-1][same] = (td_day[1:] - td_day[:-1])[same]
    team_td_count = np.bincount(td_team, minlength=n_teams).astype(np.int32)
    team_td_first = (np.cumsum(team_td_count) - team_td_count).astype(np.int32)

    return World(
        year=year, seed=seed, t0=t0, n_days=n_days, export_end=t0 + n_days * DAY - 1,
        unit_id=unit_id, unit_name=np.array(names, dtype=object),
        unit_parent=np.array(parents, dtype=np.int32),
        unit_rule_profile=np.array(rule_profiles, dtype=object), unit_profile=unit_profile,
        unit_region=np.array(regions, dtype=object), unit_marine=marine,
        unit_case_prefix=np.array(prefixes, dtype=object),
        off_id=off_id, off_name=off_name, off_cert=cert, off_unit=off_unit, off_team=off_team,
        team_unit=team_unit, team_start=team_start, team_size=team_size, team_members=team_members,
        dev_id=dev_id, dev_type=d_type, dev_unit=d_unit, dev_officer=d_off, dev_from=d_from, dev_to=d_to,
        dev_bitrate=dev_bitrate, dev_segment=dev_segment, dev_drain=dev_drain,
        off_dev_old=off_dev_old, off_dev_new=off_dev_new, off_swap_day=swap_day,
        td_team=td_team, td_day=td_day, td_start=td_start.astype(np.int64), td_budget=td_budget.astype(np.int64),
        td_next_gap=next_gap, team_td_first=team_td_first, team_td_count=team_td_count,
    )
