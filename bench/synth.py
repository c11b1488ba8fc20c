"""Generate a synthetic Python project for benchmarking xborder (issue 3).

The project has realistic layering: per domain package, `models` (dataclasses with personal and
non-personal fields), `settings` (URL / region constants, foreign SaaS and home ones), `clients`
(classes and functions wrapping requests / httpx / boto3 / smtplib), `payloads` (builders of
request bodies from models), `services` (call clients with payloads, 2-3 module hops) and
`views` (build models from a request and call services); plus many plain modules (math, string
handling, small classes) with no personal data, like most of a real code base.

Known flows are planted at known places and written to `manifest.json` next to the project:

    {"sink_path": "app/billing_001/clients.py", "sink_line": 42, "category": "user.contact.email",
     "jurisdiction": "US", "expect": "report", "shape": "session-client-3hop"}

`expect = "report"`: personal data reaching a foreign destination, the scan must report it at
that sink line with that category. `expect = "silent"`: a look-alike (home destination,
hashed value, non-personal payload) that must produce no finding at that sink line.

Output is a pure function of (modules, seed).

    python bench/synth.py OUTDIR --modules 1000 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import textwrap
from pathlib import Path

MODULES_PER_DOMAIN = 25  # 7 layered modules + 18 plain ones
LAYERED = ("__init__", "models", "settings", "clients", "payloads", "services", "views")

DOMAIN_NAMES = ["billing", "accounts", "orders", "shipping", "loyalty", "support", "catalog", "inventory",
                "reviews", "marketing", "payments", "returns", "onboarding", "referrals", "invoices", "booking"]

# Personal fields the models declare, with the category the vocabulary must give them.
PERSONAL = {
    "email": "user.contact.email",
    "phone_number": "user.contact.phone_number",
    "full_name": "user.name",
    "home_address": "user.contact.address",
    "id_card_number": "user.government_id.cn_resident_id",
    "customer_id": "user.unique_id",
    "birth_date": "user.demographic.date_of_birth",
}

# Foreign S3 regions (and the jurisdiction expected for them), home ones.
FOREIGN_REGIONS = [("us-east-1", "US"), ("us-west-2", "US"), ("eu-central-1", "DE"), ("ap-southeast-1", "SG")]
HOME_REGIONS = ["cn-north-1", "cn-northwest-1"]

POSITIVE_SHAPES = ["direct-requests", "session-client-3hop", "boto3-class-3hop", "httpx-function-2hop", "smtp-class"]
NEGATIVE_SHAPES = ["home-alipay", "home-s3", "hashed-id", "non-personal"]

VERBS = ["scale", "clip", "smooth", "merge", "split", "pack", "fold", "rank", "bucketize", "normalize", "wrap", "trim",
         "tally", "chunk", "pad", "shift", "rotate", "blend", "sift", "squash", "stretch", "align", "dedupe", "collate"]
NOUNS = ["series", "samples", "grid", "labels", "lines", "words", "ranges", "spans", "weights", "scores", "ratios",
         "frames", "columns", "rows", "cells", "slots", "ticks", "steps", "levels", "layers", "pairs", "runs"]
CLASS_NOUNS = ["RingBuffer", "Histogram", "Interval", "Window", "Counter", "Matrix", "Tracker", "Ledger", "Pool", "Queue"]
DOCS = ["Return a cleaned copy.", "Used by the report pipeline.", "Cheap enough for hot loops.", "Keeps order stable.",
        "Pure function; no I/O.", "Edge cases: empty input returns an empty result.", "Mirrors the old helper."]

SINK = "@@SINK@@"


class Source:
    """A module's text, line by line, remembering where the marked sink lines land."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.marks: list[int] = []

    def add(self, block: str, **fmt) -> None:
        text = textwrap.dedent(block).strip("\n")
        if fmt:
            text = text.format(**fmt)
        for line in text.split("\n"):
            if SINK in line:
                line = line.replace(SINK, "").rstrip()
                self.marks.append(len(self.lines) + 1)
            self.lines.append(line)

    def blank(self, n: int = 2) -> None:
        self.lines.extend([""] * n)

    def take_mark(self) -> int:
        return self.marks.pop()

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"

    def __len__(self) -> int:
        return len(self.lines)


# ----------------------------------------------------------------------------- plain code


class Plain:
    """Neutral helper code: numbers, strings, small classes. No personal data, no sinks."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def fname(self) -> str:
        while True:
            name = f"{self.rng.choice(VERBS)}_{self.rng.choice(NOUNS)}"
            if name not in self.used:
                self.used.add(name)
                return name
            name = f"{name}_{self.rng.randint(2, 99)}"
            if name not in self.used:
                self.used.add(name)
                return name

    def function(self, src: Source, exported: list, callees: list) -> None:
        """One function or class; `exported` gets (name, kind); `callees` are (alias.name, kind) usable here."""
        r = self.rng
        c1, c2, c3 = r.randint(2, 9), r.randint(3, 17), r.randint(100, 5000)
        doc = r.choice(DOCS)
        num_callees = [c for c, k in callees if k == "num"]
        choice = r.randrange(9)
        if choice == 0:
            name = self.fname()
            src.add('''
                def {name}(values, factor={c1}):
                    """{doc}"""
                    out = []
                    for value in values:
                        scaled = value * factor + {c2}
                        if scaled > {c3}:
                            scaled = {c3}
                        out.append(scaled)
                    return out
                ''', name=name, c1=c1, c2=c2, c3=c3, doc=doc)
            exported.append((name, "num"))
        elif choice == 1:
            name = self.fname()
            src.add('''
                def {name}(values, factor={c1}):
                    """{doc}"""
                    total = 0
                    count = 0
                    for value in values:
                        if value % {c2} == 0:
                            continue
                        total += value * factor
                        count += 1
                    return [total / count] if count else []
                ''', name=name, c1=c1, c2=c2, doc=doc)
            exported.append((name, "num"))
        elif choice == 2 and len(num_callees) >= 1:
            name = self.fname()
            a = r.choice(num_callees)
            b = r.choice(num_callees)
            src.add('''
                def {name}(values, factor={c1}):
                    """{doc}"""
                    first = {a}(values, factor)
                    second = {b}(first, {c2})
                    merged = [x - y for x, y in zip(first, second)]
                    if not merged:
                        return first
                    return merged
                ''', name=name, c1=c1, c2=c2, a=a, b=b, doc=doc)
            exported.append((name, "num"))
        elif choice == 3:
            name = self.fname()
            sep = r.choice([",", ";", "|", ":"])
            joiner = r.choice(["-", "_", "."])
            src.add('''
                def {name}(text, width={w}):
                    """{doc}"""
                    parts = [p.strip().lower() for p in text.split("{sep}") if p.strip()]
                    joined = "{joiner}".join(parts)
                    if len(joined) > width:
                        joined = joined[:width].rstrip("{joiner}")
                    return joined
                ''', name=name, w=c3 % 120 + 20, sep=sep, joiner=joiner, doc=doc)
            exported.append((name, "text"))
        elif choice == 4:
            name = self.fname()
            src.add('''
                def {name}(text, width={w}):
                    """{doc}"""
                    lines = []
                    current = ""
                    for word in text.split():
                        if len(current) + len(word) + 1 > width:
                            lines.append(current)
                            current = word
                        else:
                            current = f"{{current}} {{word}}".strip()
                    if current:
                        lines.append(current)
                    return "\\n".join(lines)
                ''', name=name, w=c3 % 100 + 40, doc=doc)
            exported.append((name, "text"))
        elif choice == 5:
            cname = f"{r.choice(CLASS_NOUNS)}{r.randint(1, 999)}"
            while cname in self.used:
                cname = f"{r.choice(CLASS_NOUNS)}{r.randint(1, 9999)}"
            self.used.add(cname)
            src.add('''
                class {cname}:
                    """{doc}"""

                    def __init__(self, size={c3}):
                        self.size = size
                        self.items = []
                        self.dropped = 0

                    def push(self, item):
                        self.items.append(item)
                        if len(self.items) > self.size:
                            self.items.pop(0)
                            self.dropped += 1

                    def mean(self):
                        if not self.items:
                            return 0.0
                        return sum(self.items) / len(self.items)

                    def spread(self):
                        if len(self.items) < 2:
                            return 0.0
                        center = self.mean()
                        return sum((x - center) ** 2 for x in self.items) / (len(self.items) - 1)

                    def snapshot(self):
                        return {{"size": self.size, "dropped": self.dropped, "mean": self.mean(), "spread": self.spread()}}
                ''', cname=cname, c3=c3 % 500 + 16, doc=doc)
        elif choice == 6:
            name = self.fname()
            src.add('''
                def {name}(rows, cols={c1}):
                    """{doc}"""
                    grid = [[(r * cols + c) % {c2} for c in range(cols)] for r in range(rows)]
                    for r in range(1, rows):
                        for c in range(cols):
                            grid[r][c] += grid[r - 1][c]
                    return [sum(row) for row in grid]
                ''', name=name, c1=c1, c2=c2, doc=doc)
            exported.append((name, "num"))
        elif choice == 7:
            name = self.fname()
            src.add('''
                def {name}(text, width={w}):
                    """{doc}"""
                    counts = {{}}
                    for piece in text.split():
                        word = piece.strip(".,;:!?").lower()
                        if not word:
                            continue
                        counts[word] = counts.get(word, 0) + 1
                    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                    return " ".join(word for word, _ in ranked[:width])
                ''', name=name, w=c1 + 3, doc=doc)
            exported.append((name, "text"))
        else:
            name = self.fname()
            sep = r.choice([",", ";", " "])
            tail = f"return {r.choice(num_callees)}(values, {c2})" if num_callees else "return values"
            src.add('''
                def {name}(text, width={w}):
                    """{doc}"""
                    values = []
                    for piece in text.split("{sep}"):
                        try:
                            values.append(int(piece))
                        except ValueError:
                            values.append(width)
                    {tail}
                ''', name=name, w=c1 * 10, sep=sep, tail=tail, doc=doc)
            exported.append((name, "num"))
        src.blank()

    def fill(self, src: Source, target_lines: int, exported: list, callees: list) -> None:
        while len(src) < target_lines:
            self.function(src, exported, callees)


# ----------------------------------------------------------------------------- the generator


class Generator:
    def __init__(self, out: Path, modules: int, seed: int):
        self.out = out
        self.root = out / "project"
        self.n = modules
        self.rng = random.Random(seed)
        self.manifest: list[dict] = []
        self.files: dict[str, str] = {}
        self.plain_exports: dict[str, list] = {}  # module -> [(func, kind)]
        self.leaves: list[str] = []  # plain modules nobody imports (the warm-scan edit target)

    def write(self, rel: str, src: Source | str) -> None:
        self.files[rel] = src.text() if isinstance(src, Source) else src

    def plant(self, rel: str, line: int, category: str, jurisdiction: str, expect: str, shape: str) -> None:
        self.manifest.append({"sink_path": rel, "sink_line": line, "category": category,
                              "jurisdiction": jurisdiction, "expect": expect, "shape": shape})

    def target_lines(self) -> int:
        return int(self.rng.triangular(140, 320, 200))

    # -- plain modules

    def plain_module(self, module: str, rel: str, importable: list[str], leaf: bool) -> None:
        r = self.rng
        src = Source()
        src.add(f'"""{module.rpartition(".")[2].replace("_", " ").capitalize()}: helpers with no I/O."""')
        src.blank(1)
        deps = r.sample(importable, min(len(importable), r.randint(0, 3)))
        callees = []
        imports = ["import math", "import re"] if r.random() < 0.5 else ["import itertools", "import re"]
        for i, dep in enumerate(sorted(deps)):
            alias = f"_h{i}"
            imports.append(f"from {dep.rpartition('.')[0]} import {dep.rpartition('.')[2]} as {alias}")
            for fn, kind in self.plain_exports[dep][:6]:
                callees.append((f"{alias}.{fn}", kind))
        for line in imports:
            src.add(line)
        src.blank(1)
        src.add(f"DEFAULT_WIDTH = {r.randint(40, 120)}\nMAX_ITEMS = {r.randint(100, 10000)}\n_PATTERN = re.compile(r\"[\\w-]+\")")
        src.blank()
        exported: list = []
        plain = Plain(r)
        plain.fill(src, self.target_lines(), exported, callees)
        self.plain_exports[module] = exported
        self.write(rel, src)
        if leaf:
            self.leaves.append(rel)

    # -- layered modules of one domain

    def domain(self, k: int, pkg: str, plain_count: int, all_plain: list[str], prev_models: str | None) -> None:
        r = self.rng
        base = pkg.replace(".", "/")
        region, region_j = r.choice(FOREIGN_REGIONS)
        home_region = r.choice(HOME_REGIONS)
        if k < len(POSITIVE_SHAPES):
            positives = [POSITIVE_SHAPES[k]] + r.sample([s for s in POSITIVE_SHAPES if s != POSITIVE_SHAPES[k]], r.randint(1, 3))
        else:
            positives = r.sample(POSITIVE_SHAPES, r.randint(2, 4))
        negatives = r.sample(NEGATIVE_SHAPES, r.randint(1, 2))
        if k < len(NEGATIVE_SHAPES):
            negatives = sorted(set(negatives) | {NEGATIVE_SHAPES[k]})
        shapes = set(positives) | set(negatives)

        # Plain modules of this domain first, so layered modules can import them.
        local_plain = []
        for i in range(plain_count):
            kind = r.choice(["text", "mathx", "dates", "fmt", "calc", "grids", "strings", "stats"])
            mod = f"{pkg}.{kind}_{i:02d}"
            importable = local_plain[-4:] + r.sample(all_plain, min(len(all_plain), 2))
            self.plain_module(mod, f"{base}/{kind}_{i:02d}.py", importable, leaf=(i == plain_count - 1))
            local_plain.append(mod)
        all_plain.extend(local_plain[:3])
        helper = local_plain[0] if local_plain else None

        self.write(f"{base}/__init__.py", f'"""The {pkg.rpartition(".")[2].split("_")[0]} domain."""\n')
        self.models(pkg, base)
        self.settings(pkg, base, region, home_region)
        self.clients(pkg, base, shapes, helper)
        self.payloads(pkg, base, shapes, prev_models, helper)
        self.services(pkg, base, shapes, region_j, helper)
        self.views(pkg, base, shapes, helper)

    def models(self, pkg: str, base: str) -> None:
        src = Source()
        src.add('''
            """Domain models: plain dataclasses."""

            from dataclasses import dataclass, field
            from typing import Optional


            @dataclass
            class Customer:
                customer_id: int
                full_name: str
                email: str
                phone_number: str
                home_address: str
                id_card_number: str
                birth_date: str
                tier: str = "basic"
                created_at: float = 0.0
                status: str = "active"

                def display_tier(self) -> str:
                    return self.tier.upper()

                def is_active(self) -> bool:
                    return self.status == "active"


            @dataclass
            class Order:
                order_id: int
                sku: str
                quantity: int
                total_cents: int
                currency: str = "cny"
                status: str = "new"
                customer: Optional[Customer] = None
                tags: list = field(default_factory=list)

                def subtotal(self) -> int:
                    return self.total_cents * self.quantity

                def tagged(self, tag: str) -> bool:
                    return tag in self.tags


            @dataclass
            class Shipment:
                shipment_id: int
                order_id: int
                carrier: str
                weight_grams: int
                parcel_count: int = 1

                def heavy(self) -> bool:
                    return self.weight_grams > 20000


            @dataclass
            class StockLevel:
                sku: str
                warehouse: str
                on_hand: int
                reserved: int = 0

                def available(self) -> int:
                    return max(0, self.on_hand - self.reserved)
            ''')
        src.blank()
        Plain(self.rng).fill(src, self.target_lines() - 40, [], [])
        self.write(f"{base}/models.py", src)

    def settings(self, pkg: str, base: str, region: str, home_region: str) -> None:
        r = self.rng
        src = Source()
        src.add('''
            """Settings of the domain: endpoints, regions, limits."""

            import os

            PAYMENT_API = "https://api.stripe.com/v1"
            ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do"
            MIXPANEL_TRACK_URL = "https://api.mixpanel.com/track"
            SEGMENT_IDENTIFY_URL = "https://api.segment.io/v1/identify"
            METRICS_URL = "https://api.segment.io/v1/track"
            SMTP_HOST = os.environ.get("SMTP_HOST", "smtp.sendgrid.net")
            MAIL_SENDER = "noreply@example.cn"
            ARCHIVE_REGION = "{region}"
            ARCHIVE_BUCKET = "{bucket}-archive"
            KYC_REGION = "{home_region}"
            KYC_BUCKET = "{bucket}-kyc"
            ''', region=region, home_region=home_region, bucket=pkg.rpartition(".")[2].replace("_", "-"))
        src.blank(1)
        for i in range(r.randint(30, 60)):
            choice = r.randrange(4)
            if choice == 0:
                src.add(f"PAGE_SIZE_{i} = {r.randint(10, 500)}")
            elif choice == 1:
                src.add(f"RETRY_LIMIT_{i} = int(os.environ.get(\"RETRY_LIMIT_{i}\", \"{r.randint(1, 9)}\"))")
            elif choice == 2:
                src.add(f"FEATURE_{i} = {{\"enabled\": {r.choice(['True', 'False'])}, \"ratio\": {r.random():.2f}}}")
            else:
                src.add(f"TIMEOUT_{i} = {r.randint(1, 60)}.0")
        self.write(f"{base}/settings.py", src)

    def clients(self, pkg: str, base: str, shapes: set, helper: str | None) -> None:
        src = Source()
        src.add('''
            """Thin wrappers around the HTTP, storage and mail libraries."""

            import smtplib

            import boto3
            import httpx
            import requests

            from . import settings
            from .settings import KYC_BUCKET, KYC_REGION
            ''')
        src.blank()
        rel = f"{base}/clients.py"
        self.client_marks = {}
        if "session-client-3hop" in shapes:
            src.add('''
                class AnalyticsClient:
                    """Events to the product-analytics SaaS."""

                    def __init__(self, timeout=5):
                        self.endpoint = settings.MIXPANEL_TRACK_URL
                        self.session = requests.Session()
                        self.timeout = timeout

                    def track(self, event_name, body):
                        body = dict(body, event=event_name)
                        response = self.session.post(self.endpoint, json=body, timeout=self.timeout)  @@SINK@@
                        return response.status_code == 200
                ''')
            self.client_marks["session-client-3hop"] = (rel, src.take_mark())
            src.blank()
        if "boto3-class-3hop" in shapes:
            src.add('''
                class ArchiveStore:
                    """Long-term archive in object storage."""

                    def __init__(self):
                        self.bucket = settings.ARCHIVE_BUCKET
                        self.s3 = boto3.client("s3", region_name=settings.ARCHIVE_REGION)

                    def save(self, key, body):
                        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)  @@SINK@@
                        return key
                ''')
            self.client_marks["boto3-class-3hop"] = (rel, src.take_mark())
            src.blank()
        if "home-s3" in shapes:
            src.add('''
                class KycStore:
                    """Identity documents stay in the home region."""

                    def __init__(self):
                        self.s3 = boto3.client("s3", region_name=KYC_REGION)

                    def keep(self, key, document):
                        self.s3.put_object(Bucket=KYC_BUCKET, Key=key, Body=document)  @@SINK@@
                ''')
            self.client_marks["home-s3"] = (rel, src.take_mark())
            src.blank()
        if "httpx-function-2hop" in shapes:
            src.add('''
                def send_traits(traits, timeout=5):
                    """Push profile traits to the customer-data platform."""
                    reply = httpx.post(settings.SEGMENT_IDENTIFY_URL, json=traits, timeout=timeout)  @@SINK@@
                    return reply.status_code
                ''')
            self.client_marks["httpx-function-2hop"] = (rel, src.take_mark())
            src.blank()
        if "smtp-class" in shapes:
            src.add('''
                class Mailer:
                    """Transactional mail through the hosted relay."""

                    def __init__(self, host=None):
                        self.host = settings.SMTP_HOST
                        self.sender = settings.MAIL_SENDER

                    def send(self, to, subject, text):
                        message = f"Subject: {subject}\\n\\n{text}"
                        with smtplib.SMTP(self.host, 587) as smtp:
                            smtp.sendmail(self.sender, [to], message)  @@SINK@@
                ''')
            self.client_marks["smtp-class"] = (rel, src.take_mark())
            src.blank()
        Plain(self.rng).fill(src, self.target_lines() - 40, [], [])
        self.write(rel, src)

    def payloads(self, pkg: str, base: str, shapes: set, prev_models: str | None, helper: str | None) -> None:
        src = Source()
        models = prev_models or f"{pkg}.models"
        src.add('''
            """Request bodies built from the models."""

            from {models} import Customer, Order
            ''', models=models)
        src.blank()
        src.add('''
            def signup_event(customer: Customer) -> dict:
                return {"distinct_id": customer.phone_number, "plan": customer.tier, "status": customer.status}


            def archive_record(customer: Customer) -> str:
                return f"{customer.full_name};{customer.id_card_number};{customer.tier}"


            def profile_traits(customer: Customer) -> dict:
                traits = {"tier": customer.tier, "created": customer.created_at}
                traits["address"] = customer.home_address
                return traits


            def stock_report(order: Order) -> dict:
                return {"sku": order.sku, "quantity": order.quantity, "status": order.status}
            ''')
        src.blank()
        Plain(self.rng).fill(src, self.target_lines(), [], [])
        self.write(f"{base}/payloads.py", src)

    def services(self, pkg: str, base: str, shapes: set, region_j: str, helper: str | None) -> None:
        r = self.rng
        rel = f"{base}/services.py"
        src = Source()
        src.add('''
            """Use cases: what the views ask for."""

            import hashlib

            import requests

            from . import clients, payloads, settings
            from .models import Customer, Order
            ''')
        src.blank()
        if "direct-requests" in shapes:
            src.add('''
                def charge_card(order: Order, customer: Customer) -> dict:
                    """Card payments: the receipt e-mail goes to the payment provider."""
                    payload = {
                        "amount": order.total_cents,
                        "currency": order.currency,
                        "receipt_email": customer.email,
                        "metadata": {"order_id": order.order_id, "sku": order.sku},
                    }
                    response = requests.post(f"{settings.PAYMENT_API}/charges", data=payload, timeout=10)  @@SINK@@
                    return response.json()
                ''')
            self.plant(rel, src.take_mark(), PERSONAL["email"], "US", "report", "direct-requests")
            src.blank()
        if "home-alipay" in shapes:
            src.add('''
                def charge_alipay(order: Order, customer: Customer) -> dict:
                    """The wallet gateway is at home: no transfer."""
                    body = {"out_trade_no": order.order_id, "buyer_phone": customer.phone_number}
                    return requests.post(settings.ALIPAY_GATEWAY, data=body, timeout=10).json()  @@SINK@@
                ''')
            self.plant(rel, src.take_mark(), PERSONAL["phone_number"], "CN", "silent", "home-alipay")
            src.blank()
        if "hashed-id" in shapes:
            src.add('''
                def track_pageview(customer: Customer, order: Order) -> None:
                    """A hashed phone number and the SKU: nothing personal leaves."""
                    visitor = hashlib.sha256(customer.phone_number.encode()).hexdigest()
                    event = {"event": "view", "properties": {"distinct_id": visitor, "sku": order.sku}}
                    requests.post(settings.MIXPANEL_TRACK_URL, json=event, timeout=5)  @@SINK@@
                ''')
            self.plant(rel, src.take_mark(), PERSONAL["phone_number"], "US", "silent", "hashed-id")
            src.blank()
        if "non-personal" in shapes:
            src.add('''
                def report_stock(order: Order) -> None:
                    """Stock metrics carry no personal data."""
                    requests.post(settings.METRICS_URL, json=payloads.stock_report(order), timeout=5)  @@SINK@@
                ''')
            self.plant(rel, src.take_mark(), "*", "US", "silent", "non-personal")
            src.blank()
        if "session-client-3hop" in shapes:
            # hop 1: view -> services.track_signup; hop 2: payloads.signup_event; hop 3: AnalyticsClient.track
            if r.random() < 0.5:
                src.add('''
                    def track_signup(customer: Customer) -> bool:
                        event = payloads.signup_event(customer)
                        return clients.AnalyticsClient().track("signup", event)
                    ''')
            else:
                src.add('''
                    _analytics = clients.AnalyticsClient(timeout=3)


                    def track_signup(customer: Customer) -> bool:
                        event = payloads.signup_event(customer)
                        return _analytics.track("signup", event)
                    ''')
            path, line = self.client_marks["session-client-3hop"]
            self.plant(path, line, PERSONAL["phone_number"], "US", "report", "session-client-3hop")
            src.blank()
        if "boto3-class-3hop" in shapes:
            src.add('''
                def archive_customer(customer: Customer) -> str:
                    record = payloads.archive_record(customer)
                    store = clients.ArchiveStore()
                    return store.save(f"customers/{customer.customer_id}", record)
                ''')
            path, line = self.client_marks["boto3-class-3hop"]
            self.plant(path, line, PERSONAL["full_name"], region_j, "report", "boto3-class-3hop")
            self.plant(path, line, PERSONAL["id_card_number"], region_j, "report", "boto3-class-3hop")
            self.plant(path, line, PERSONAL["customer_id"], region_j, "report", "boto3-class-3hop")
            src.blank()
        if "home-s3" in shapes:
            src.add('''
                def keep_id_scan(customer: Customer, scan: bytes) -> None:
                    clients.KycStore().keep(f"kyc/{customer.customer_id}", customer.id_card_number)
                ''')
            path, line = self.client_marks["home-s3"]
            self.plant(path, line, PERSONAL["id_card_number"], "CN", "silent", "home-s3")
            src.blank()
        if "httpx-function-2hop" in shapes:
            src.add('''
                def sync_profile(customer: Customer) -> int:
                    traits = payloads.profile_traits(customer)
                    return clients.send_traits(traits)
                ''')
            path, line = self.client_marks["httpx-function-2hop"]
            self.plant(path, line, PERSONAL["home_address"], "US", "report", "httpx-function-2hop")
            src.blank()
        if "smtp-class" in shapes:
            src.add('''
                def send_receipt(customer: Customer, order: Order) -> None:
                    mailer = clients.Mailer()
                    mailer.send(customer.email, "Your order", f"Order {order.order_id} is paid")
                ''')
            path, line = self.client_marks["smtp-class"]
            self.plant(path, line, PERSONAL["email"], "US", "report", "smtp-class")
            src.blank()
        Plain(r).fill(src, self.target_lines(), [], [])
        self.write(rel, src)

    def views(self, pkg: str, base: str, shapes: set, helper: str | None) -> None:
        src = Source()
        src.add('''
            """Request handlers."""

            from app.common import monitoring

            from . import services
            from .models import Customer, Order


            def _customer(request) -> Customer:
                return Customer(
                    customer_id=request.user_id,
                    full_name=request.form["full_name"],
                    email=request.form["email"],
                    phone_number=request.form["phone"],
                    home_address=request.form["address"],
                    id_card_number=request.form["id_card"],
                    birth_date=request.form["birthday"],
                )


            def _order(request, customer: Customer) -> Order:
                return Order(order_id=request.form["order"], sku=request.form["sku"], quantity=1, total_cents=9900, customer=customer)
            ''')
        src.blank()
        calls = {
            "direct-requests": "services.charge_card(order, customer)",
            "home-alipay": "services.charge_alipay(order, customer)",
            "hashed-id": "services.track_pageview(customer, order)",
            "non-personal": "services.report_stock(order)",
            "session-client-3hop": "services.track_signup(customer)",
            "boto3-class-3hop": "services.archive_customer(customer)",
            "home-s3": "services.keep_id_scan(customer, request.body)",
            "httpx-function-2hop": "services.sync_profile(customer)",
            "smtp-class": "services.send_receipt(customer, order)",
        }
        body = "\n".join(f"    {calls[s]}" for s in sorted(shapes))
        src.add("def checkout(request):\n    customer = _customer(request)\n    order = _order(request, customer)\n"
                "    monitoring.identify(customer)\n" + body + "\n    return {\"ok\": True}")
        src.blank()
        Plain(self.rng).fill(src, self.target_lines() - 30, [], [])
        self.write(f"{base}/views.py", src)

    # -- the project

    def common(self, plain_count: int, all_plain: list[str]) -> None:
        self.write("app/__init__.py", '"""Synthetic application generated by bench/synth.py."""\n')
        self.write("app/common/__init__.py", '"""Shared helpers."""\n')
        rel = "app/common/monitoring.py"
        src = Source()
        src.add('''
            """Error monitoring, configured once for the whole application."""

            import os

            import sentry_sdk

            SENTRY_DSN = os.getenv("SENTRY_DSN", "https://4f1e@o4504.ingest.us.sentry.io/4504")

            sentry_sdk.init(dsn=SENTRY_DSN, traces_sample_rate=0.1)


            def identify(user):
                sentry_sdk.set_user({"id": user.customer_id, "email": user.email})  @@SINK@@


            def report_failure(order, error):
                sentry_sdk.set_context("order", {"order_id": order.order_id, "sku": order.sku})
                sentry_sdk.capture_exception(error)
            ''')
        line = src.take_mark()
        self.plant(rel, line, PERSONAL["email"], "US", "report", "sentry-global")
        self.plant(rel, line, PERSONAL["customer_id"], "US", "report", "sentry-global")
        src.blank()
        Plain(self.rng).fill(src, self.target_lines() - 40, [], [])
        self.write(rel, src)
        for i in range(plain_count):
            kind = self.rng.choice(["text", "mathx", "timefmt", "numbers", "collections_ext", "iters"])
            mod = f"app.common.{kind}_{i:03d}"
            self.plain_module(mod, f"app/common/{kind}_{i:03d}.py", all_plain[-6:], leaf=False)
            all_plain.append(mod)

    def generate(self) -> dict:
        fixed = 3  # app/__init__, app/common/__init__, app/common/monitoring
        domains = max(1, (self.n - fixed - 4) // MODULES_PER_DOMAIN)
        common_plain = max(0, self.n - fixed - domains * MODULES_PER_DOMAIN)
        all_plain: list[str] = []
        # A first batch of shared helpers, so domain code can import them.
        first = min(common_plain, 8)
        self.common(first, all_plain)
        prev_models = None
        for k in range(domains):
            name = f"{DOMAIN_NAMES[k % len(DOMAIN_NAMES)]}_{k:03d}"
            pkg = f"app.{name}"
            self.domain(k, pkg, MODULES_PER_DOMAIN - len(LAYERED), all_plain, prev_models if k % 3 == 2 else None)
            prev_models = f"{pkg}.models"
        for i in range(first, common_plain):
            kind = self.rng.choice(["text", "mathx", "timefmt", "numbers", "collections_ext", "iters"])
            mod = f"app.common.{kind}_{i:03d}"
            self.plain_module(mod, f"app/common/{kind}_{i:03d}.py", all_plain[-6:], leaf=(i == common_plain - 1))
            all_plain.append(mod)

        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)
        (self.root / "pyproject.toml").write_text('[project]\nname = "synapp"\nversion = "0.0.0"\n\n[tool.xborder]\nhome = "CN"\n')
        lines = 0
        for rel, text in sorted(self.files.items()):
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            lines += text.count("\n")
        info = {
            "modules": len(self.files), "lines": lines, "root": str(self.root),
            "leaf": self.leaves[len(self.leaves) // 2] if self.leaves else sorted(self.files)[-1],
            "flows": sorted(self.manifest, key=lambda f: (f["sink_path"], f["sink_line"], f["category"])),
        }
        (self.out / "manifest.json").write_text(json.dumps(info, indent=1) + "\n")
        return info


def generate(out: Path, modules: int, seed: int = 7) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    return Generator(out, modules, seed).generate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write project/ and manifest.json into")
    parser.add_argument("--modules", "-n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    info = generate(args.out, args.modules, args.seed)
    report = sum(1 for f in info["flows"] if f["expect"] == "report")
    print(f"{info['modules']} modules, {info['lines']} lines, {report} planted flows "
          f"(+{len(info['flows']) - report} look-alikes) in {info['root']}")


if __name__ == "__main__":
    main()
