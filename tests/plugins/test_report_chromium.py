"""The HTML report as a browser shows it: headless Chromium (Debian's ``chromium``).

The report is rendered to a file and opened in Chromium three ways:

- a copy of the page with a measuring script added at its end (the report itself has
  no script) is loaded with ``--dump-dom`` in a window as wide as an A4 page's printed
  area; the script writes what the browser laid out (the summary's counts, the page's
  visible text, every text box of every chart) into the DOM, which the test reads;
- the page is printed with ``--print-to-pdf``: A4 pages, a sane number of them;
- a screenshot is saved as a CI artefact: ``artifacts/report.png`` at the top of the
  checkout (``CLUSTERKIT_ARTIFACTS`` names another folder), with the PDF beside it.

Without Chromium the tests are skipped, unless ``CLUSTERKIT_REQUIRE_CHROMIUM=1`` (as
``.ci/run`` sets), when they fail. ``CLUSTERKIT_CHROMIUM`` names another browser binary.
Chromium is never downloaded.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clusterkit.lang import evaluate, load_rules
from clusterkit.model import Dataset
from clusterkit.plugins import REPORTERS, ReportContext, discover
from tests.plugins.conftest import ROOT

#: An A4 page's width less the print stylesheet's margins (210 mm − 2 × 12 mm), in CSS px.
A4_PRINTED_WIDTH = round((210 - 24) / 25.4 * 96)
#: A4 in PDF points (1/72 inch).
A4_POINTS = (595.28, 841.89)

_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str | None:
    named = os.environ.get("CLUSTERKIT_CHROMIUM")
    if named is not None:
        return named if os.access(named, os.X_OK) else None
    for candidate in _CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium() -> str:
    found = _chromium()
    if found is None:
        if os.environ.get("CLUSTERKIT_REQUIRE_CHROMIUM") == "1":
            pytest.fail("CLUSTERKIT_REQUIRE_CHROMIUM=1 but Debian's chromium is not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium); set "
                    "CLUSTERKIT_REQUIRE_CHROMIUM=1 to make this a failure")  # fmt: skip
    return found


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("CLUSTERKIT_ARTIFACTS") or ROOT / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def browse(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a throw-away profile and no network of its own."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--lang=ru-RU",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


# Reads what the browser laid out and writes it into the page as JSON.
MEASURE = """
<script>
(() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && style.display !== "none";
  };
  const counts = [...document.querySelectorAll("#summary .count")].map((el) => ({
    outcome: el.dataset.outcome,
    number: el.querySelector(".number").innerText.trim(),
    label: el.querySelector(".what").innerText.trim(),
    shown: shown(el) && shown(el.querySelector(".number")),
    inside: el.getBoundingClientRect().right <= window.innerWidth,
  }));
  const outside = [];
  const charts = [...document.querySelectorAll(".chart")];
  charts.forEach((chart, index) => {
    const area = chart.getBoundingClientRect();
    const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) {
        if (box.left < area.left - 0.5 || box.right > area.right + 0.5
            || box.top < area.top - 0.5 || box.bottom > area.bottom + 0.5) {
          outside.push({chart: index, text: node.textContent.trim().slice(0, 80)});
        }
      }
      const parent = node.parentElement;
      if (parent.scrollWidth > parent.clientWidth + 1
          && getComputedStyle(parent).overflowX !== "visible") {
        outside.push({chart: index, text: "clipped: " + node.textContent.trim().slice(0, 80)});
      }
    }
  });
  const body = document.body.getBoundingClientRect();
  const wide = [...document.querySelectorAll("table, figure, article, dl")]
    .filter((el) => el.getBoundingClientRect().right > body.right + 0.5)
    .map((el) => el.tagName + " " + (el.id || el.className));
  const result = {
    counts,
    text: document.body.innerText,
    charts: charts.length,
    outside,
    wide,
    pageWidth: document.documentElement.scrollWidth,
    viewWidth: window.innerWidth,
  };
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>
"""


@pytest.fixture(scope="module")
def report(example: Dataset, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The example's Russian report with the check results, as an HTML file, and its
    results."""
    program = load_rules([ROOT / "rules"])
    results = evaluate(program, example, dt.date(2021, 6, 30))
    page = (
        discover([REPORTERS]).get(REPORTERS, "html").render(ReportContext(example, results, "ru"))
    )
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path, results


@pytest.fixture(scope="module")
def measured(
    chromium: str, report: tuple[Path, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    path, _ = report
    copy = path.with_name("measured.html")
    copy.write_text(
        path.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8"
    )
    profile = tmp_path_factory.mktemp("chromium-profile")
    done = browse(
        chromium, profile, f"--window-size={A4_PRINTED_WIDTH},1200", "--dump-dom", copy.as_uri()
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found is not None, done.stdout[-2000:]
    document: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return document


def test_the_summary_counts_are_visible(measured: dict[str, Any], report: tuple[Path, Any]) -> None:
    _, results = report
    expected = {o.value: str(n) for o, n in results.by_outcome().items()}
    counts = {c["outcome"]: c["number"] for c in measured["counts"]}
    assert counts == expected
    assert all(c["shown"] and c["inside"] for c in measured["counts"]), measured["counts"]
    labels = [c["label"] for c in measured["counts"]]
    assert "не выполнено" in labels
    assert "Сводка заключений" in measured["text"]


def test_numbers_units_and_dates_are_localized_on_screen(measured: dict[str, Any]) -> None:
    text = measured["text"]
    assert "66\u00a0740 млн ₸" in text
    assert "45 млн ₸/чел." in text
    assert "1 июня 2021\u202fг." in text
    assert "Строительный кластер Карагандинской области" in text
    assert "construction-karaganda" not in text


def test_no_chart_text_leaves_its_chart(measured: dict[str, Any]) -> None:
    assert measured["charts"] == 5  # the summary's and one per indicator
    assert measured["outside"] == []


def test_the_page_fits_an_a4_pages_width(measured: dict[str, Any]) -> None:
    assert measured["viewWidth"] == A4_PRINTED_WIDTH
    assert measured["pageWidth"] <= measured["viewWidth"]
    assert measured["wide"] == []


def test_it_prints_on_a4(
    chromium: str,
    report: tuple[Path, Any],
    artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path, _ = report
    pdf = artifacts / "report.pdf"
    profile = tmp_path_factory.mktemp("chromium-profile")
    browse(chromium, profile, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert 2 <= pages <= 12
    assert len(boxes) >= pages
    for width, height in boxes:
        assert abs(float(width) - A4_POINTS[0]) < 1.5
        assert abs(float(height) - A4_POINTS[1]) < 1.5


def test_a_screenshot_is_kept(
    chromium: str,
    report: tuple[Path, Any],
    artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path, _ = report
    shot = artifacts / "report.png"
    shot.unlink(missing_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    browse(chromium, profile, "--window-size=1100,2600", f"--screenshot={shot}", path.as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 2600)


@pytest.mark.parametrize(("required", "outcome"), [("", "1 skipped"), ("1", "1 error")])
def test_without_chromium_the_tests_skip_unless_required(
    required: str, outcome: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "CLUSTERKIT_CHROMIUM": str(tmp_path / "no-such-browser"),
        "CLUSTERKIT_REQUIRE_CHROMIUM": required,
        "CLUSTERKIT_ARTIFACTS": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         f"{__file__}::test_the_summary_counts_are_visible"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert outcome in done.stdout, done.stdout[-3000:]
    if required:
        assert "CLUSTERKIT_REQUIRE_CHROMIUM=1 but Debian's chromium is not installed" in done.stdout
    else:
        assert "Chromium is not installed" in done.stdout
