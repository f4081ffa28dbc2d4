"""The demo county rulesets the user-rules and engine tests write to a temporary rules folder: one
header, one user field (订单数, per year), a single tier (DEMO) or a two-tier ladder whose city tier
rests on {tier: county} (LADDER)."""

HEAD = """\
id: demo
title: {zh: 演示县培育库, en: Demo county pool}
issuer: {zh: 演示县工信局, en: Demo county industry bureau}
source: demo-notice.txt
"""

ORDERS_FIELD = """\
fields:
  - key: demo_orders
    zh: 年度订单数
    en: Orders per year
    type: integer
    unit: 笔
    per_year: true
    hint_zh: 上年度订单笔数
    hint_en: orders in the last year
"""

COUNTY_TIER = """\
  - id: county
    name: {zh: 县培育库, en: County pool}
    level: county
"""

ORDERS_CONDITION = """\
    conditions:
      - id: demo-orders
        kind: required
        text: {zh: 上年度订单100笔以上, en: 100 orders or more last year}
        citation: demo-notice.txt 第二条
        check: {metric: demo_orders, op: ">=", value: 100}
"""

DEMO = HEAD + ORDERS_FIELD + "tiers:\n" + COUNTY_TIER + ORDERS_CONDITION

LADDER = HEAD + ORDERS_FIELD + "tiers:\n" + COUNTY_TIER + "    next: city\n" + ORDERS_CONDITION + """\
  - id: city
    name: {zh: 市培育库, en: City pool}
    level: municipal
    conditions:
      - id: demo-county
        kind: required
        text: {zh: 已入选县培育库, en: In the county pool}
        citation: demo-notice.txt 第三条
        check: {tier: county}
"""
