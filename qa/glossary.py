"""English -> Japanese terms of administrative reports, so English questions can use BM25 and term
overlap against Japanese text (there is no translation model offline). General report vocabulary,
not the sample's facts: add terms of your own reports here."""

from __future__ import annotations

import re

TERMS = {
    # evaluation and planning
    "rating": "評定", "rated": "評定", "self-evaluation": "自己評価", "evaluation": "評価",
    "target": "目標", "targets": "目標", "goal": "目標", "plan": "計画", "planned": "計画値",
    "mid-term": "中期", "medium-term": "中期", "annual plan": "年度計画", "indicator": "指標",
    "kpi": "KPI", "achievement": "達成", "achieved": "達成", "achieve": "達成", "achievement rate": "達成率",
    "result": "実績", "results": "実績", "actual": "実績", "performance": "実績", "outcome": "成果",
    "cumulative": "累計 累積", "cumulatively": "累計 累積", "total": "合計 累計", "average": "平均",
    "increase": "増加", "increased": "増加", "decrease": "減少", "decreased": "減少",
    "reduction": "削減 減少",
    "reduced": "削減 減少", "compared": "比", "previous year": "前年度", "prior year": "前年度",
    "ratio": "比率 割合", "rate": "率", "percentage": "割合", "share": "割合", "times": "倍",
    "fiscal year": "年度", "year": "年度", "end of": "末", "quarter": "四半期", "month": "月",
    # money and organisation
    "budget": "予算", "budgets": "予算", "settlement": "決算", "expenditure": "支出 決算", "spending": "支出",
    "spend": "支出 決算", "spent": "支出 決算", "exam account": "試験勘定", "examination account": "試験勘定",
    "revenue": "収入 収益", "income": "収入 収益", "profit": "利益", "loss": "損失 欠損金",
    "carried-forward loss": "繰越欠損金", "deficit": "欠損金", "cost": "費用 コスト", "costs": "費用",
    "expenses": "経費 費用", "operating expenses": "業務経費", "administrative expenses": "一般管理費",
    "general administrative": "一般管理費", "grant": "交付金", "subsidy": "補助金", "fee": "手数料",
    "fees": "手数料", "investment": "出資", "shares": "株式",
    "ordinary expenses": "経常費用", "ordinary revenue": "経常収益", "ordinary income": "経常収益",
    "ordinary profit": "経常利益", "administrative cost": "行政コスト", "budget amount": "予算額",
    "settled amount": "決算額", "reserve": "積立金", "reserves": "積立金", "reserve fund": "積立金",
    "operational grant": "運営費交付金", "operating grant": "運営費交付金", "national subsidy": "国庫補助金",
    "own revenue": "自己収入", "self-generated revenue": "自己収入", "carried forward": "繰越",
    "operating costs": "業務費", "general account": "一般勘定", "headcount": "従事人員数",
    "number of staff": "従事人員数", "staff worked": "従事人員数", "financial": "財務",
    "dividend": "配当", "efficiency": "効率化", "employees": "職員 人員", "staff": "職員 人員",
    "personnel": "人員 人件費", "organization": "組織", "organizations": "組織", "companies": "企業 社",
    "company": "企業 社", "firms": "企業", "smes": "中小企業", "small and medium": "中小企業",
    "government": "政府", "ministry": "省", "local governments": "地方自治体", "municipalities": "自治体",
    "contract": "契約", "contracts": "契約", "procurement": "調達", "tender": "入札", "tenders": "入札",
    "competitive": "競争", "single-bid": "一者応札", "bid": "応札", "bidders": "応札",
    "audit": "監査", "board of audit": "会計検査院", "internal control": "内部統制",
    "compliance": "コンプライアンス", "risk": "リスク", "harassment": "ハラスメント",
    "telework": "テレワーク 在宅勤務", "remote work": "在宅勤務 テレワーク", "working from home": "在宅勤務",
    # activities and counts
    "applications": "申請", "application": "申請", "applicants": "応募者 申請", "registration": "登録",
    "registered": "登録", "registrants": "登録者", "members": "会員", "participants": "参加者",
    "participated": "参加", "attendees": "参加者", "visitors": "来場者", "viewers": "視聴者",
    "views": "閲覧 ビュー", "viewed": "閲覧", "downloads": "ダウンロード", "downloaded": "ダウンロード",
    "followers": "フォロワー", "subscribers": "購読者", "users": "利用者", "satisfaction": "満足度",
    "survey": "調査 アンケート", "questionnaire": "アンケート", "report": "報告書", "reports": "報告書",
    "white paper": "白書", "guideline": "ガイドライン", "guidelines": "ガイドライン", "paper": "論文",
    "journal": "論文誌", "published": "公開 掲載 公表", "publication": "公開", "website": "サイト",
    "websites": "サイト", "site": "サイト", "consolidated": "集約 統合", "integrated": "統合",
    "examination": "試験", "examinations": "試験", "exam": "試験", "exams": "試験", "passed": "合格",
    "successful": "合格", "paper-based": "紙", "computer-based": "CBT", "training": "研修 トレーニング",
    "seminar": "セミナー", "seminars": "セミナー", "event": "イベント", "events": "イベント",
    "lecturers": "講師", "instructors": "講師", "tutors": "チューター", "graduates": "修了生 修了者",
    "completed": "修了", "human resources": "人材", "talent": "人材", "developers": "開発者",
    "certification": "認定", "certified": "認定", "inspection": "点検 検査", "check": "チェック",
    "vulnerability": "脆弱性", "vulnerabilities": "脆弱性", "security": "セキュリティ",
    "cybersecurity": "サイバーセキュリティ", "attack": "攻撃", "attacks": "攻撃", "incident": "インシデント",
    "incidents": "インシデント", "consultation": "相談", "consultations": "相談", "inquiries": "問い合わせ",
    "critical infrastructure": "重要インフラ", "regional": "地域", "software": "ソフトウェア",
    "centers": "センター", "center": "センター", "project": "事業 プロジェクト", "projects": "事業",
    "business": "事業", "program": "プログラム 事業", "commissioned": "委託 受託", "outsourced": "委託",
    "international": "国際", "overseas": "海外", "japan-us": "日米", "us-japan": "日米",
    "covid-19": "新型コロナウイルス 感染症", "covid": "新型コロナウイルス 感染症",
    "coronavirus": "新型コロナウイルス", "pandemic": "感染症 感染拡大",
    "cooperation": "連携 協力", "partnership": "連携",
    "why": "ため 理由", "reason": "理由 ため", "because": "ため", "shortcoming": "不備 課題",
    "problem": "課題",
    "issue": "課題", "pointed out": "指摘", "improvement": "改善", "measures": "対策", "response": "対応",
    # what reports say was done: the dictionary's first senses of these verbs are other ones
    # (take part -> 役割, run -> 運転, set up -> セット)
    "take part": "参加", "took part": "参加", "taking part": "参加", "participate": "参加",
    "join": "参加 加入", "joined": "参加 加入", "joining": "参加 加入",
    "finished": "完了", "provided": "提供", "trained": "育成 研修", "won": "受賞",
    "replaced": "更改 リプレース 更新", "replacement": "更改 リプレース 更新",
    "replacements": "更改 リプレース 更新",
    "revised": "改訂 改定", "renewed": "更新", "signed": "締結 署名", "applied": "申請 応募",
    "attend": "参加 受講", "attended": "参加 受講", "held": "開催", "hold": "開催", "hosted": "開催 主催",
    "organised": "主催 開催", "organized": "主催 開催", "set up": "設立 新設 設置",
    "established": "設立 設置",
    "launched": "開始 立ち上げ", "launch": "開始 立ち上げ", "started": "開始", "began": "開始",
    "hired": "採用", "hire": "採用", "recruited": "採用", "publish": "公表 公開", "released": "公開 公表",
    "announced": "公表 発表", "conducted": "実施", "carried out": "実施", "implemented": "実施 導入",
    "introduced": "導入", "run": "運営 実施", "ran": "運営 実施", "operated": "運営 運用",
    "received": "受付 受領", "selected": "選定 採択", "adopted": "採択", "awarded": "受賞 表彰",
}
_PATTERN = re.compile(
    r"(?<![a-z])(" + "|".join(sorted(map(re.escape, TERMS), key=len, reverse=True)) + r")(?![a-z])"
)


def to_japanese(text: str) -> str:
    """The Japanese terms for the English terms in `text` (longest match first), space-separated."""
    return split_terms(text)[0]


def split_terms(text: str) -> tuple[str, str]:
    """(to_japanese(text), `text` lowercased with the glossary's terms taken out: what is left for the
    dictionary), from one pass of the pattern."""
    lower = text.lower()
    japanese, rest, end = [], [], 0
    for m in _PATTERN.finditer(lower):
        japanese.append(TERMS[m.group(1)])
        rest.append(lower[end : m.start()])
        end = m.end()
    rest.append(lower[end:])
    return " ".join(japanese), " ".join(rest)  # each term becomes one space, as re.sub(" ") made it
