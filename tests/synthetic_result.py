"""A synthetic ScanResult of any size, for rendering the audit report at scale without scanning code.

The shape follows what real applications gave (issue 14: 842 flows, 790 of them to localhost): most
flows stay at home, a tail goes abroad to a few dozen vendors in a dozen countries, some are
unresolved, a few are approved. Names are long on purpose (a host of 90 characters, deep paths,
long qualified names), since the report must wrap them, never clip them. A pure function of
(flows, seed).

    python tests/synthetic_result.py OUT.html [--flows 5000]   # the report, for a screenshot
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from xborder.knowledge.config import Allow
from xborder.results import Coverage, Destination, FileError, Finding, Flow, Hop, ScanResult, Unmodeled
from xborder.summary import Source

CATEGORIES = {
    "user.contact.email": ("Email address", False), "user.contact.phone_number": ("Telephone number", False),
    "user.name": ("Person name", False), "user.contact.address": ("Postal address", False),
    "user.unique_id": ("Person identifier", False), "user.device.ip_address": ("IP address", False),
    "user.government_id.cn_resident_id": ("China resident identity card number", True),
    "user.financial.bank_account": ("Bank account number", True), "user.location.precise": ("Precise location", True),
    "user.demographic.date_of_birth": ("Date of birth", False), "user.content.private": ("Private messages", False),
    "user.authorization.credentials": ("Credentials", False), "user.health_and_medical": ("Health data", True),
    "user.behavior.browsing_history": ("Browsing history", False),
}
LONG_HOST = "a-rather-long-tenant-subdomain-name.eu-central-1.ingest.analytics-platform-for-enterprise.example.com"
VENDORS = [  # (vendor name, host, jurisdiction)
    ("Mixpanel", "api.mixpanel.com", "US"), ("Stripe", "api.stripe.com", "US"), ("Sentry", "o4504.ingest.us.sentry.io", "US"),
    ("SendGrid", "smtp.sendgrid.net", "US"), ("Amazon Web Services", "us-west-2", "US"), ("Amazon Web Services", "eu-central-1", "DE"),
    ("Amazon Web Services", "ap-southeast-1", "SG"), ("Twilio", "api.twilio.com", "US"), ("Segment", "api.segment.io", "US"),
    ("Intercom", "api.intercom.io", "US"), ("Zendesk", "example.zendesk.com", "US"), ("Slack", "hooks.slack.com", "US"),
    ("Mailgun (EU region, Sinch Email Europe AB)", "api.eu.mailgun.net", "EU"), ("Algolia", "example-dsn.algolia.net", "US"),
    ("Cloudflare", "api.cloudflare.com", "US"), ("Google Analytics", "www.google-analytics.com", "US"),
    ("Datadog", "http-intake.logs.datadoghq.eu", "DE"), ("LINE", "api.line.me", "JP"), ("Kakao", "kapi.kakao.com", "KR"),
    ("Yandex", "api.metrika.yandex.net", "RU"), ("Razorpay", "api.razorpay.com", "IN"), ("Paystack", "api.paystack.co", "NG"),
    ("Mercado Pago", "api.mercadopago.com", "BR"), ("Xero", "api.xero.com", "NZ"), ("Atlassian", "api.atlassian.com", "AU"),
    ("Telegram", "api.telegram.org", "GB"), ("Enterprise Analytics Platform Incorporated", LONG_HOST, "DE"),
    ("OVHcloud", "storage.gra.cloud.ovh.net", "FR"), ("Hetzner", "fsn1.your-objectstorage.com", "DE"),
    ("Pusher", "api-mt1.pusher.com", "US"), ("Mapbox", "api.mapbox.com", "US"), ("HubSpot", "api.hubapi.com", "US"),
]
HOME = [("Alipay", "openapi.alipay.com"), ("", "localhost"), ("", "cn-north-1"), ("", "smtp.mail.internal"),
        ("", "logs.internal.example.cn"), ("Tencent Cloud", "cos.ap-shanghai.myqcloud.com"), ("", "redis.internal"),
        ("", None)]  # a file written locally
UNRESOLVED = ["settings.WEBHOOK_URL", "os.environ[API_BASE]", "self.endpoint", "config.PARTNER_URL"]
KINDS = ("network", "storage", "email", "telemetry", "logging")


def synthetic_result(flows: int = 5000, seed: int = 14, root: str = "/nonexistent/synthetic-app") -> ScanResult:
    rng = random.Random(seed)
    files = [f"src/enterprise_platform/{d}/{m}.py" for d in ("billing", "accounts", "notifications", "integrations",
                                                            "reporting", "customer_relationship_management")
             for m in ("views", "services", "clients", "tasks", "signals", "serializers", "admin_actions", "webhooks")]
    functions = [f"{cls}.{verb}_{noun}" for cls in ("CustomerNotificationDispatcher", "Billing", "ExportJob", "Sync")
                 for verb in ("send", "push", "sync", "export", "notify") for noun in ("profile", "invoice", "event", "digest",
                                                                                    "reminder_with_a_long_descriptive_name")]
    out, findings, approved, seen = [], [], [], set()
    allow = Allow(("*",), ("EU",), "gdpr-adequacy-decision", "DPA-2024-17")
    while len(out) < flows:
        path, line = rng.choice(files), rng.randrange(10, 900)
        destination = _destination(rng)
        category = _category(rng, destination)
        if (category, path, line, destination) in seen:
            continue
        seen.add((category, path, line, destination))
        flow = _flow(rng, category, path, line, destination, rng.choice(functions))
        out.append(flow)
        j = destination.jurisdiction
        if j == "EU":
            approved.append((flow, allow))
        elif j is None:
            findings.append(Finding("XB201", "warning", f"{category} goes to an unresolved destination", flow, f"fp{len(out)}"))
        elif j != "CN":
            rule = "XB102" if CATEGORIES[category][1] else "XB101"
            findings.append(Finding(rule, "error", f"{category} leaves CN for {j} via {flow.callee} to {destination.host}",
                                    flow, f"fp{len(out)}"))
    unresolved = sum(f.destination.jurisdiction is None for f in out)
    return ScanResult(root=root, home=("CN",), regime="pipl", findings=tuple(findings),
                      errors=(FileError("src/enterprise_platform/legacy/broken_module.py", 12, "invalid syntax"),),
                      files=len(files) + 1, approved=tuple(approved), flows=tuple(out), categories=dict(CATEGORIES),
                      at_home=frozenset({"CN"}),
                      coverage=Coverage(len(files) + 1, 1, unresolved, (Unmodeled("aiohttp.ClientSession.post", "aiohttp",
                                                                                 (("src/enterprise_platform/billing/clients.py", 40),), ()),)))


def _destination(rng) -> Destination:
    roll = rng.random()
    if roll < 0.7:
        vendor, host = rng.choice(HOME)
        if host is None:
            return Destination(None, None, "CN", "local file or database", rule="local storage")
        return Destination(host, None, "CN", f"home host {host}", vendor=vendor)
    if roll < 0.75:
        return Destination(None, None, None, f"destination from {rng.choice(UNRESOLVED)}")
    vendor, host, j = VENDORS[min(int(rng.expovariate(0.12)), len(VENDORS) - 1)]  # a long tail of vendors
    return Destination(host, None, j, f"saas: {vendor} ({host})", rule=f"saas: {vendor}", vendor=vendor)


def _category(rng, destination: Destination) -> str:
    """Any category stays at home or goes nobody knows where; a vendor gets the three its API takes."""
    names = sorted(CATEGORIES)
    if destination.vendor and destination.jurisdiction != "CN":
        start = sum(map(ord, destination.vendor))
        return names[(start + rng.randrange(3) * 5) % len(names)]
    return rng.choice(names)


def _flow(rng, category, path, line, destination, function) -> Flow:
    source_path = path.replace("clients", "views")
    trace = (Hop(source_path, line - 5, 9, f"{category} read from request.user"), Hop(path, line - 2, 5, "passed as 'payload'"),
             Hop(path, line, 9, "sent"))
    return Flow(category, Source(category, 0, "request.user." + category.rsplit(".", 1)[-1], function), source_path, line - 5, 9,
                path, line, 9, "requests.Session.post", rng.choice(KINDS), destination, trace, function)


if __name__ == "__main__":
    from xborder.report import html

    count = int(sys.argv[sys.argv.index("--flows") + 1]) if "--flows" in sys.argv else 5000
    Path(sys.argv[1]).write_text(html.render(synthetic_result(count)), encoding="utf-8")
