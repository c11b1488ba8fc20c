"""The screenshots of the audit report in docs/: headless Chromium, 1280 pixels wide, the top of the page.

    python bench/screenshots.py [--height 1800] [--out docs]

Three reports: `xborder audit fixtures/shop`; a synthetic ScanResult of 5,000 flows
(tests/synthetic_result.py: 30 vendors in 14 countries abroad, most flows at home, names made long on
purpose); and a real application, django-helpdesk 2.6.1 from PyPI, fetched and checked as
bench/real.py does. With Pillow importable the PNGs are reduced to 192 colours, else written as
Chromium makes them. tests/test_audit.py measures the same renderings by script; these are for people.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

import real  # noqa: E402  (bench/real.py: the pinned applications)
from synthetic_result import synthetic_result  # noqa: E402

from xborder.report import html  # noqa: E402


def audit(target: Path, out: Path, *args: str) -> Path:
    subprocess.run([sys.executable, "-m", "xborder", "audit", str(target), "--output", str(out), *args], check=False,
                   capture_output=True)
    return out / "report.html"


def shoot(report: Path, png: Path, width: int, height: int, work: Path) -> None:
    browser = next(p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p)
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={work / 'profile'}", f"--window-size={width},{height}", f"--screenshot={png}",
                    report.resolve().as_uri()], capture_output=True, check=True, timeout=300)
    try:
        from PIL import Image
    except ImportError:
        return
    image = Image.open(png).convert("RGB")
    image.quantize(colors=192, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--height", type=int, default=1800)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        synthetic = work / "synthetic" / "report.html"
        synthetic.parent.mkdir()
        synthetic.write_text(html.render(synthetic_result(5000)), encoding="utf-8")
        helpdesk = real.fetch(real.load(HERE / "real" / "django-helpdesk.toml"))
        reports = {"report-shop.png": audit(ROOT / "fixtures" / "shop", work / "shop"),
                   "report-5000-flows.png": synthetic,
                   "report-django-helpdesk.png": audit(helpdesk, work / "helpdesk", "--home", "CN")}
        for name, report in reports.items():
            shoot(report, args.out / name, args.width, args.height, work)
            print(f"{args.out / name}: {(args.out / name).stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
