"""Benchmark: guide search over a catalogue of 5,000 service items (the demo's 57 items and 3 bundles, and
names built from the parts of real ones and the departments of a district), index build time and time per
query over the relevance phrasings (tests/unit/guide_search_relevance.json). Targets (issue 14): build <= 2 s,
p95 <= 20 ms per query. Wall times and, as a shared machine's load inflates them, the CPU time this process
spent. Run: .venv/bin/python bench/guide_search.py [--profile]"""
from __future__ import annotations

import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

started = time.perf_counter()
from common.search import Index, catalogue_docs, default_lexicon  # noqa: E402  (rjieba loads its dictionary here)

IMPORTED = time.perf_counter() - started
SIZE = 5000
DEPARTMENTS = ["医保", "社保", "就业", "户籍", "民政", "残联", "老龄", "公积金", "企业登记", "税务", "卫健", "住建",
               "交通", "教育", "市场监管", "退役军人", "文旅", "规划资源", "生态环境", "水务", "绿化市容", "消防", "司法", "档案"]
OBJECTS = {  # the thing a matter is about, with its English
    "社会保障卡": "social security card", "基本医疗保险关系": "medical insurance", "居住证": "residence permit",
    "残疾人证": "disability certificate", "敬老卡": "senior citizen card", "营业执照": "business licence",
    "发票": "invoices", "出生医学证明": "birth medical certificate", "建设工程规划许可证": "planning permit",
    "道路运输经营许可证": "road transport permit", "食品经营许可证": "food business licence", "药品经营许可证": "drug business licence",
    "医师执业证书": "physician's licence", "护士执业证书": "nurse's licence", "教师资格证": "teacher's certificate",
    "退役军人优待证": "veterans' card", "养老保险关系": "pension insurance", "失业保险金": "unemployment benefit",
    "住房公积金": "housing provident fund", "最低生活保障": "minimum living allowance", "临时救助": "temporary assistance",
    "户口": "household registration", "居民身份证": "ID card", "就业创业证": "employment certificate",
    "职业技能等级证书": "skill certificate", "排水许可证": "drainage permit", "取水许可证": "water abstraction permit",
    "树木砍伐许可": "tree felling permit", "户外广告设置许可": "outdoor advertising permit", "消防安全检查": "fire safety check",
    "公众聚集场所投入使用": "public venue opening", "人民调解": "mediation", "法律援助": "legal aid", "档案查询": "archive search",
    "旅行社业务经营许可": "travel agency licence", "娱乐场所经营许可": "entertainment venue licence",
    "排污许可证": "discharge permit", "建筑工程施工许可证": "construction permit", "房屋租赁合同": "lease contract",
    "商品房预售许可": "presale permit", "出租汽车驾驶员证": "taxi driver's card", "校外培训机构办学许可": "training school licence",
    "小学入学": "primary school entry", "学生资助": "student aid", "计划生育家庭特别扶助": "family planning support",
    "老年照护需求评估": "elderly care assessment", "养老服务补贴": "elderly care subsidy", "残疾人辅助器具": "assistive devices",
    "个人所得税": "income tax", "增值税一般纳税人": "general VAT taxpayer", "印花税": "stamp duty", "契税": "deed tax",
    "企业名称": "company name", "股权出质": "equity pledge", "动产抵押": "chattel mortgage", "商标质押": "trademark pledge",
    "单位社会保险": "employer social insurance", "灵活就业人员社会保险": "flexible workers' insurance", "工伤认定": "work injury",
    "生育保险待遇": "maternity benefit"}
ACTIONS = {"申领": "apply for", "补领": "replace", "换领": "renew", "注销": "cancel", "变更": "change", "延续": "extend",
           "备案": "file", "登记": "register", "查询打印": "print", "转移接续": "transfer", "核发": "issue", "年度报告": "report on",
           "认定": "recognise", "审批": "approve", "补贴申请": "subsidy for", "证明开具": "certificate of", "信息更正": "correct",
           "首次申请": "first application for", "撤销": "withdraw", "遗失补办": "replace a lost", "待遇申领": "benefit of",
           "资格确认": "confirm eligibility for", "异地办理": "elsewhere", "预约": "book", "咨询": "ask about"}
FOR_WHOM = {"": "", "（个人）": " (individual)", "（单位）": " (employer)", "（本市户籍）": " (Shanghai hukou)",
            "（非本市户籍）": " (non-local)", "（港澳台居民）": " (HK, Macao, Taiwan)", "（外籍人员）": " (foreigners)",
            "（代办）": " (by an agent)", "（线上预审）": " (pre-checked online)"}


def catalogue() -> dict:
    demo = json.loads((ROOT / "common" / "demo_data.json").read_text("utf-8"))["catalogue"]
    rng = random.Random(14)
    names = {i["name"] for i in demo["items"]}
    combos = [(o, a, w) for o in OBJECTS for a in ACTIONS for w in FOR_WHOM]
    rng.shuffle(combos)
    items = list(demo["items"])
    for n, (obj, act, whom) in enumerate(combos):
        if len(items) >= SIZE:
            break
        name = obj + act + whom
        if name in names:
            continue
        names.add(name)
        items.append({"code": f"G-{n:05d}", "name": name, "name_en": f"{ACTIONS[act]} {OBJECTS[obj]}{FOR_WHOM[whom]}",
                      "department": rng.choice(DEPARTMENTS), "category": rng.choice(["personal", "enterprise"])})
    return {"items": items, "bundles": demo["bundles"]}


def main() -> None:
    profile = "--profile" in sys.argv
    cat = catalogue()
    cases = json.loads((ROOT / "tests" / "unit" / "guide_search_relevance.json").read_text("utf-8"))["cases"]
    profiler = cProfile.Profile() if profile else None
    t, c = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    index = Index(catalogue_docs(cat, default_lexicon().aliases))
    build, build_cpu = time.perf_counter() - t, time.process_time() - c
    cold, warm, cpu = [], [], []
    top1 = top3 = 0
    for case in cases:  # first pass: nothing of the query cached yet
        t = time.perf_counter()
        found = [h.id for h in index.search(case["q"]).hits[:3]]
        cold.append(time.perf_counter() - t)
        top1 += found[:1] == [case["id"]]
        top3 += case["id"] in found
    for _ in range(4):
        for case in cases:
            t, c = time.perf_counter(), time.thread_time()
            index.search(case["q"])
            warm.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
    if profiler:
        profiler.disable()
    tracemalloc.start()  # a second build, traced, for the memory the index holds
    again = Index(catalogue_docs(cat, default_lexicon().aliases))
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del again
    print(f"machine: {os.cpu_count()} CPUs, {_cpu()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"catalogue: {len(cat['items'])} items + {len(cat['bundles'])} bundles; {len(index.postings)} terms, "
          f"{sum(len(p.docs) for p in index.postings.values())} postings")
    print(f"import (rjieba's dictionary, pypinyin): {IMPORTED * 1000:.0f} ms; index build: {build * 1000:.0f} ms "
          f"(CPU {build_cpu * 1000:.0f} ms; target <= 2000)"
          + f"; the index holds {memory / 2**20:.0f} MiB")
    for name, times in (("first pass", cold), ("steady", warm), ("steady, CPU time", cpu)):
        q = statistics.quantiles(times, n=100)
        print(f"per query, {name} ({len(times)} queries): p50 {q[49] * 1000:.2f} ms, p95 {q[94] * 1000:.2f} ms, "
              f"max {max(times) * 1000:.2f} ms (target p95 <= 20)")
    print(f"relevance among {SIZE} items: top-1 {top1 / len(cases):.1%}, top-3 {top3 / len(cases):.1%}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "CPU unknown"


if __name__ == "__main__":
    main()
