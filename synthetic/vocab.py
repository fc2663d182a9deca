"""Chinese vocabulary for the synthetic exports: names, companies, places, unit names.

Everything here is plain data plus a few vectorised samplers (numpy index draws, pyarrow string
joins); nothing loops per row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Common surnames, most frequent first (sampled with Zipf-like weights).
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力鹏宇浩凯健俊帆帅旭宁龙林欣佳梅琳雪婷晨"
    "子轩博斌峰海鑫亮志国兵春燕晓云飞成东新波然悦诗涵雨晴嘉怡思睿泽昊豪瑞振庆永德荣昌金彬"
)
COMPANY_WORDS = [
    "鑫源", "恒达", "宏发", "金泰", "华盛", "永盛", "兴隆", "顺通", "天成", "福瑞", "聚丰", "盛世", "万家",
    "嘉禾", "中汇", "东方", "瑞祥", "宏图", "利民", "安康", "海润", "绿野", "丰泽", "远航", "新兴", "德润",
]
INDUSTRIES = [
    "餐饮", "建筑工程", "商贸", "物流", "广告", "装饰工程", "食品", "农业科技", "水产养殖", "渔业",
    "房地产开发", "物业管理", "汽车修理", "建材", "环保科技", "旅游开发", "种植专业合作社", "再生资源回收",
]
COMPANY_SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
SHOP_KINDS = [
    "烧烤店", "水果店", "小吃部", "便利店", "五金店", "理发店", "修车铺", "烟酒店", "海鲜排档", "早餐店",
    "农资店", "废品收购站", "家具店", "火锅店", "面馆", "超市",
]
TOWNS = [
    "城关镇", "东城街道", "西城街道", "南关街道", "北新街道", "城南镇", "新华镇", "河西乡", "柳林镇", "杨庄镇",
    "青石镇", "马庄乡", "桥东街道", "桥西街道", "高新区", "经济开发区",
]
ROADS = [
    "人民路", "解放路", "中山路", "建设路", "胜利路", "和平路", "长安街", "新华街", "文化路", "迎宾大道",
    "滨河路", "光明路", "幸福路", "育才路", "府前街", "东风路", "民主街", "工业路", "商业街", "朝阳路",
]
VILLAGES = [
    "王庄", "李家寨", "东营", "西坡", "前进", "红星", "柳树屯", "大河", "马头", "张家湾", "后屯", "南岗",
    "北沟", "石桥", "杏花", "枣林",
]
SITES = [
    "农贸市场", "夜市", "汽车站广场", "建材市场", "小商品城", "工地", "中心广场", "学校周边", "菜市场", "物流园",
]
SEA_SITES = ["渔港码头", "近岸海域", "养殖区", "海水浴场", "渔船停泊点", "海产品交易市场"]

COUNTIES = ["清源县", "永宁县", "安平县", "临河县", "平山县", "长乐县", "丰泽县", "柳河县"]
CITIES = ["东平市", "南江市", "北川市", "西岭市", "中原市", "海阳市", "凤城市", "金川市"]
DISTRICTS = [
    "东城区", "西城区", "南湖区", "北关区", "新区", "开发区", "港口区", "高新区", "城南区", "城北区",
]
PROVINCE = "某某省"

# Domain of each profile's squads (the regulations come from different departments).
PROFILE_DOMAIN = {
    "cele": "农业农村", "zhuhui": "城市管理", "longjiang": "市容环卫", "hebei": "市场监管",
    "dalian_jinpu": "海洋渔业", "": "生态环境",
}

CN_DIGITS = "零一二三四五六七八九"

EXEMPT_REASONS = [
    "涉及国家秘密，不宜音像记录", "涉及未成年人隐私", "涉及商业秘密，经负责人批准不予录像",
    "当事人隐私部位检查", "涉及个人隐私，已文字记录",
]
INTERRUPT_REASONS = ["device_fault", "battery", "storage", "weather", "obstruction", "other"]


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (enough for squad numbers)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def _zipf_weights(n: int, s: float = 0.9) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def person_names(rng: np.random.Generator, n: int) -> pa.Array:
    """Chinese person names: surname + one or two given-name characters."""
    sur = pa.array(SURNAMES).take(pa.array(rng.choice(len(SURNAMES), n, p=_zipf_weights(len(SURNAMES)))))
    g1 = pa.array(GIVEN_CHARS).take(pa.array(rng.integers(0, len(GIVEN_CHARS), n)))
    g2 = pa.array(GIVEN_CHARS + [""] * (len(GIVEN_CHARS) // 2)).take(
        pa.array(rng.integers(0, len(GIVEN_CHARS) * 3 // 2, n)))
    return pc.binary_join_element_wise(sur, g1, g2, "")


def _pick(rng: np.random.Generator, words: list[str], n: int) -> pa.Array:
    return pa.array(words).take(pa.array(rng.integers(0, len(words), n)))


def party_names(rng: np.random.Generator, n: int, region: pa.Array) -> pa.Array:
    """Parties: ~55 % people, ~25 % companies, ~20 % individual businesses (个体工商户).

    `region` is the short place name per row that companies carry in their name."""
    kind = rng.choice(3, n, p=[0.55, 0.25, 0.20])
    people = person_names(rng, n)
    company = pc.binary_join_element_wise(
        region, _pick(rng, COMPANY_WORDS, n), _pick(rng, INDUSTRIES, n),
        _pick(rng, COMPANY_SUFFIXES, n), "")
    shop = pc.binary_join_element_wise(people, _pick(rng, SHOP_KINDS, n), "")
    return pc.if_else(pa.array(kind == 0), people, pc.if_else(pa.array(kind == 1), company, shop))


def locations(rng: np.random.Generator, n: int, region: np.ndarray, marine: np.ndarray) -> pa.Array:
    """Place names: road + number, village, market/site; sea sites for marine units.

    `region` is an object array of county/district names per row, `marine` a bool mask.
    """
    town = _pick(rng, TOWNS, n)
    road = _pick(rng, ROADS, n)
    num = pa.array((rng.integers(1, 400, n)).astype(str))
    reg = pa.array(region.tolist())
    a = pc.binary_join_element_wise(reg, town, road, num, "号", "")
    b = pc.binary_join_element_wise(reg, town, _pick(rng, VILLAGES, n), "村", "")
    c = pc.binary_join_element_wise(reg, road, "与", _pick(rng, ROADS, n), "交叉口", "")
    d = pc.binary_join_element_wise(reg, town, _pick(rng, SITES, n), "")
    e = pc.binary_join_element_wise(reg, _pick(rng, VILLAGES, n), _pick(rng, SEA_SITES, n), "")
    kind = rng.choice(4, n, p=[0.45, 0.2, 0.15, 0.2])
    out = pc.if_else(pa.array(kind == 0), a, pc.if_else(pa.array(kind == 1), b,
                     pc.if_else(pa.array(kind == 2), c, d)))
    sea = marine & (rng.random(n) < 0.5)
    return pc.if_else(pa.array(sea), e, out)
