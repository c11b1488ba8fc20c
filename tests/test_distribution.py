"""How `xborder models generate` fetches an SDK: from the package index's simple API (PEP 503), its
sha256 checked, never with pip, whose download of a source archive runs its build backend (the SDK's
setup.py). Tested on a package index written here as files (file:// URLs): no network."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import zipfile

import pytest

from xborder.errors import ConfigError
from xborder.generate import distribution


def sdist(name: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as t:
        for member, body in ((f"{name}/setup.py", b"raise SystemExit('a setup.py nobody may run')\n"),
                             (f"{name}/vendor_sdk/__init__.py", b"API = 'https://api.vendor.example'\n")):
            info = tarfile.TarInfo(member)
            info.size = len(body)
            t.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def wheel() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("vendor_sdk/__init__.py", "")
    return buffer.getvalue()


@pytest.fixture
def index(tmp_path, monkeypatch):
    """A simple index for `vendor-sdk`: 1.0 (sdist and a pure wheel), 1.2 (sdist only), 2.0rc1 (a
    pre-release) and 1.9 (yanked)."""
    files = {"vendor-sdk-1.0.tar.gz": sdist("vendor-sdk-1.0"), "vendor_sdk-1.0-py3-none-any.whl": wheel(),
             "vendor-sdk-1.2.tar.gz": sdist("vendor-sdk-1.2"), "vendor-sdk-2.0rc1.tar.gz": sdist("vendor-sdk-2.0rc1"),
             "vendor-sdk-1.9.tar.gz": sdist("vendor-sdk-1.9")}
    (tmp_path / "files").mkdir()
    links = []
    for name, data in files.items():
        (tmp_path / "files" / name).write_bytes(data)
        yanked = ' data-yanked=""' if "1.9" in name else ""
        links.append(f'<a href="../../files/{name}#sha256={hashlib.sha256(data).hexdigest()}"{yanked}>{name}</a>')
    (tmp_path / "simple" / "vendor-sdk").mkdir(parents=True)
    (tmp_path / "simple" / "vendor-sdk" / "index.html").write_text("<html><body>" + "<br>".join(links) + "</body></html>")
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "simple").as_uri())
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("nothing is run to fetch an SDK"))
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("nothing is run to fetch an SDK"))
    (tmp_path / "into").mkdir()
    return tmp_path


def test_the_newest_final_release_is_fetched_its_pure_wheel_first(index):
    assert distribution.download("Vendor_SDK", None, index / "into").name == "vendor-sdk-1.2.tar.gz"  # 2.0rc1 a pre-release, 1.9 yanked
    assert distribution.download("vendor-sdk", "1.0", index / "into").name == "vendor_sdk-1.0-py3-none-any.whl"
    assert distribution.download("vendor-sdk", "1.0", index / "into", sdist=True).name == "vendor-sdk-1.0.tar.gz"


def test_a_source_archive_is_unpacked_never_built(index, tmp_path):
    dist = distribution.downloaded("vendor-sdk==1.2", tmp_path / "cache")
    assert dist.version == "1.2" and dist.packages == ("vendor_sdk",) and (dist.root / "setup.py").is_file()


def test_a_file_whose_sha256_is_not_the_index_s_is_refused(index):
    (index / "files" / "vendor-sdk-1.2.tar.gz").write_bytes(b"tampered")
    with pytest.raises(ConfigError, match="sha256"):
        distribution.download("vendor-sdk", "1.2", index / "into")


def test_a_missing_version_or_package_is_a_clear_error(index):
    with pytest.raises(ConfigError, match="no file of vendor-sdk==3.0"):
        distribution.download("vendor-sdk", "3.0", index / "into")
    with pytest.raises(ConfigError, match="could not read the package index"):
        distribution.download("nothing-here", None, index / "into")


@pytest.mark.parametrize("filename, version", [
    ("python-alipay-sdk-3.3.0.tar.gz", "3.3.0"), ("vendor_sdk-1.0-py3-none-any.whl", "1.0"), ("sms77api-2.0.0.tar.gz", "2.0.0")])
def test_the_version_is_read_from_the_file_name(filename, version):
    assert distribution.version_of_file(filename) == version


@pytest.mark.parametrize("data_filter", [True, False], ids=["tarfile's data filter", "checked by hand (Python < 3.11.4)"])
def test_an_archive_member_leaving_the_folder_or_a_link_is_refused(tmp_path, monkeypatch, data_filter):
    if not data_filter:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    plain = tmp_path / "plain.tar.gz"
    plain.write_bytes(sdist("vendor-sdk-1.2"))
    distribution.extract(plain, tmp_path / "plain")
    assert (tmp_path / "plain" / "vendor-sdk-1.2" / "vendor_sdk" / "__init__.py").is_file()
    for name, member in (("escape", tarfile.TarInfo("../outside.py")), ("link", tarfile.TarInfo("pkg/link"))):
        if name == "link":
            member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as t:
            t.addfile(member, io.BytesIO(b""))
        (tmp_path / f"{name}.tar.gz").write_bytes(buffer.getvalue())
        with pytest.raises((ConfigError, tarfile.TarError)):
            distribution.extract(tmp_path / f"{name}.tar.gz", tmp_path / name)
        assert not (tmp_path / "outside.py").exists()
