"""Which files are production code, and what each module is called (issue 11): tests, fixtures,
migrations and benchmarks are left out unless asked for; modules are named from their import
root (the folder above their top-level package, a `src` key, or the scanned package itself)."""

from __future__ import annotations

from pathlib import Path

from xborder.discover import discover, test_support as support_modules
from xborder.link import MAX_TAIL_PARTS, imported_as, module_aliases
from xborder.summary import ModuleSummary
from conftest import FIXTURES, scan_json, write_project

ROOTS = FIXTURES / "flows" / "source_roots"
SEND = "import requests\n\n\ndef send(user):\n    requests.post('https://api.segment.io/v1', json={'email': user.email})\n"
FORWARD = "import requests\n\n\ndef send(payload):\n    requests.post('https://api.segment.io/v1', json=payload)\n"
CALLER = "from {module} import send\n\n\ndef signup(customer):\n    send({{'email': customer.email}})\n"


def test_tests_and_migrations_are_left_out_unless_asked_for():
    # Left out also: test support beside the code (create_test_data.py, which only tests import,
    # and seeding.py, which only it imports); testing.py, which production code imports, stays.
    code, data, _ = scan_json(ROOTS)
    assert code == 1 and sorted(f["sink"]["path"] for f in data["findings"]) == ["src/billing/gateway.py", "src/billing/testing.py"]
    assert data["stats"]["files"] == 4
    code, data, _ = scan_json(ROOTS, "--include-tests")
    assert sorted({f["sink"]["path"] for f in data["findings"]}) == [
        "alembic/versions/0001_seed.py", "migrations/0002_backfill.py", "src/billing/create_test_data.py",
        "src/billing/gateway.py", "src/billing/seeding.py", "src/billing/test_helpers.py", "src/billing/testing.py", "tests/test_signup.py"]


def test_include_tests_in_the_config(tmp_path):
    write_project(tmp_path, {"xborder.toml": 'home = "CN"\ninclude-tests = true\n', "tests/test_send.py": SEND})
    code, data, _ = scan_json(tmp_path)
    assert code == 1 and len(data["findings"]) == 1


def _modules(root: Path, src: tuple = ()) -> dict:
    return {f.rel: f.module for f in discover(root, [root], src=src)}


def _named(modules: list) -> dict:
    """Module name -> a summary of it, at the path its name gives."""
    return {m: ModuleSummary(m.replace(".", "/") + ".py", m, "") for m in modules}


def test_modules_are_named_from_their_import_root(tmp_path):
    write_project(tmp_path, {
        "manage.py": "", "src/shop/__init__.py": "", "src/shop/orders/__init__.py": "", "src/shop/orders/views.py": "",
        "apps/billing/__init__.py": "", "apps/billing/api.py": "", "scripts/deploy.py": "", "src/tool.py": "",
    })
    assert _modules(tmp_path) == {
        "manage.py": "manage", "src/shop/__init__.py": "shop", "src/shop/orders/__init__.py": "shop.orders",
        "src/shop/orders/views.py": "shop.orders.views", "apps/billing/__init__.py": "billing",
        "apps/billing/api.py": "billing.api", "scripts/deploy.py": "scripts.deploy", "src/tool.py": "tool",
    }


def test_folders_without_init_inside_a_package_continue_its_name(tmp_path):
    """backend/open_webui/ holds an __init__.py, its routers/ and utils/ none: Python imports them
    as namespace portions of the package, open_webui.routers.auths (not backend.open_webui...)."""
    write_project(tmp_path, {
        "xborder.toml": 'home = "CN"\n', "backend/open_webui/__init__.py": "",
        "backend/open_webui/utils/webhook.py": FORWARD,
        "backend/open_webui/routers/auths.py": CALLER.format(module="open_webui.utils.webhook"),
        "backend/scripts/run.py": "",
    })
    assert _modules(tmp_path) == {
        "backend/open_webui/__init__.py": "open_webui", "backend/open_webui/utils/webhook.py": "open_webui.utils.webhook",
        "backend/open_webui/routers/auths.py": "open_webui.routers.auths",
        "backend/scripts/run.py": "backend.scripts.run",
    }
    code, data, _ = scan_json(tmp_path)
    assert code == 1 and data["findings"][0]["source"]["path"] == "backend/open_webui/routers/auths.py"


def test_a_src_key_names_the_import_roots(tmp_path):
    write_project(tmp_path, {"backend/api/views.py": "", "backend/api/models.py": ""})  # namespace packages
    assert _modules(tmp_path) == {"backend/api/views.py": "backend.api.views", "backend/api/models.py": "backend.api.models"}
    assert _modules(tmp_path, ("backend",)) == {"backend/api/views.py": "api.views", "backend/api/models.py": "api.models"}


def test_a_scanned_package_keeps_its_name(tmp_path):
    """Scanning the package folder itself: `from shop.gateway import send` still resolves."""
    package = write_project(tmp_path / "shop", {
        "__init__.py": "", "gateway.py": FORWARD, "views.py": CALLER.format(module="shop.gateway"),
    })
    assert _modules(package)["gateway.py"] == "shop.gateway"
    code, data, _ = scan_json(package, "--home", "CN")
    assert code == 1 and data["findings"][0]["source"]["path"] == "views.py"


def test_a_src_key_in_the_config_resolves_absolute_imports(tmp_path):
    write_project(tmp_path, {
        "xborder.toml": 'home = "CN"\nsrc = ["backend"]\n',
        "backend/api/gateway.py": FORWARD, "backend/api/views.py": CALLER.format(module="api.gateway"),
    })
    code, data, _ = scan_json(tmp_path)
    assert code == 1 and data["findings"][0]["source"]["path"] == "backend/api/views.py"


def test_settings_configure_only_the_code_of_their_own_import_root(tmp_path):
    """A sandbox project's settings (console mail) do not say where the library beside it mails."""
    write_project(tmp_path, {
        "xborder.toml": 'home = "CN"\n',
        "mylib/__init__.py": "",
        "mylib/mail.py": "from django.core.mail import send_mail\n\n\ndef welcome(user):\n    send_mail('Hi', 'Hi', None, [user.email])\n",
        "sandbox/site/__init__.py": "",
        "sandbox/site/settings.py": "EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'\n",
        "sandbox/site/mail.py": "from django.core.mail import send_mail\n\n\ndef welcome(user):\n    send_mail('Hi', 'Hi', None, [user.email])\n",
    })
    code, data, _ = scan_json(tmp_path)
    assert [(f["sink"]["path"], f["rule"]) for f in data["findings"]] == [("mylib/mail.py", "XB201")]
    assert "configured by the deployment" in data["findings"][0]["destination"]["evidence"]


def test_a_module_is_found_by_the_tail_of_its_name_only_when_one_module_ends_so():
    aliases = module_aliases(_named(["studio.core.notify", "studio.alpha.util.send", "studio.beta.util.send", "studio.tasks.hooks"]))
    assert imported_as("core.notify.post_event", aliases) == "studio.core.notify.post_event"
    assert imported_as("util.send.push", aliases) is None  # alpha's or beta's
    assert imported_as("studio.core.notify", aliases) is None  # the project's own top-level name: resolved as it is
    assert imported_as("requests.post", aliases) is None


def test_the_tails_of_a_deep_chain_of_packages_stay_bounded():
    """A hostile tree of 400 nested packages gives at most MAX_TAIL_PARTS tails of each module, none
    longer than that, and a name is looked up by its first MAX_TAIL_PARTS parts at most (a longer
    prefix is never tried, whatever the table holds)."""
    modules = [".".join(["p"] + ["d%d" % i for i in range(depth)]) for depth in range(1, 400)]
    aliases = module_aliases(_named(modules))
    assert max(len(tail.split(".")) for tail in aliases) <= MAX_TAIL_PARTS
    assert len(aliases) <= MAX_TAIL_PARTS * len(modules)
    assert imported_as(".".join(["x"] * 10_000), aliases) is None
    # 400 folders without __init__.py above a package: its longer names stay as bounded
    beneath = module_aliases({"p.m": ModuleSummary("/".join(["d"] * 400) + "/p/m.py", "p.m", "")})
    assert beneath and max(len(name.split(".")) for name in beneath) <= MAX_TAIL_PARTS and len(beneath) <= MAX_TAIL_PARTS
    longer = ".".join(f"t{i}" for i in range(MAX_TAIL_PARTS + 1))
    assert imported_as(f"{longer}.f", {longer: ["p.deep"]}) is None
    assert imported_as(f"{longer}.f", {longer.rpartition(".")[0]: ["p.deep"]}) == f"p.deep.t{MAX_TAIL_PARTS}.f"



def test_test_support_is_what_only_tests_and_test_support_import():
    def summary(module, *imported, dotted=()):
        return ModuleSummary(f"{module}.py", module, "", imports=tuple((q.rpartition(".")[2], q) for q in imported), unbound_imports=dotted)
    summaries = [
        summary("shop.fixtures", "shop.seed.make"),  # named as test support, imported by nothing
        summary("shop.seed", "shop.fixtures.load"),  # imported only by it (in a cycle with it)
        summary("shop.models"),
        summary("shop.views", "shop.models.Order", dotted=("shop.test_mail",)),  # production imports test_mail
        summary("shop.test_mail"),
        summary("shop.mocks", "shop.models.Order"),  # imports production: that keeps nothing
        summary("shop.cli"),  # imported by nothing, no test word: a command loaded by name
    ]
    assert support_modules(summaries) == {"shop.fixtures", "shop.seed", "shop.mocks"}


def test_a_module_imported_under_a_name_imported_again_is_still_imported(tmp_path):
    """bodhi's tasks import `main` from each job's module, one after the other: the job named
    approve_testing is imported by production code, though `main` ends up standing for another."""
    write_project(tmp_path, {
        "xborder.toml": 'home = "CN"\n', "app/__init__.py": "",
        "app/tasks/__init__.py": "def approve_testing_task():\n    from .approve_testing import main\n    main()\n\n\n"
                                 "def work_on_bugs_task():\n    from .work_on_bugs import main\n    main()\n",
        "app/tasks/approve_testing.py": SEND.replace("def send(user)", "def main(user)"),
        "app/tasks/work_on_bugs.py": "def main():\n    return None\n",
    })
    code, data, _ = scan_json(tmp_path)
    assert code == 1 and data["findings"][0]["sink"]["path"] == "app/tasks/approve_testing.py"


def test_a_namespace_folder_above_a_package_is_part_of_its_imported_name(tmp_path):
    """bodhi/ holds no __init__.py, bodhi/server/ does (PEP 420): `from bodhi.server import mail`
    is bodhi/server/mail.py, and a test module under it is found through that name too."""
    write_project(tmp_path, {
        "xborder.toml": 'home = "CN"\n', "bodhi/server/__init__.py": "", "bodhi/server/mail.py": FORWARD,
        "bodhi/server/models.py": CALLER.format(module="bodhi.server.mail"),
        "bodhi/server/testing.py": SEND, "bodhi/server/views.py": "from bodhi.server.testing import send\n",
    })
    assert _modules(tmp_path)["bodhi/server/mail.py"] == "server.mail"
    code, data, _ = scan_json(tmp_path)
    assert code == 1 and sorted((f["source"]["path"], f["sink"]["path"]) for f in data["findings"]) == [
        ("bodhi/server/models.py", "bodhi/server/mail.py"), ("bodhi/server/testing.py", "bodhi/server/testing.py")]
