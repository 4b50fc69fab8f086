"""Regenerate the studio's pictures in docs/: `python docs/make_studio_images.py`.

Starts a real `handouts studio` in a temporary folder (no settings of this machine, a
cache of its own), drives Debian's chromium with Playwright through the library, the
packet builder and the editor, and saves each view as a small PNG (Pillow, 256 colours).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
WIDTH = 1100  # pixels of the saved picture


def save(png: bytes, name: str) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(DOCS / name, optimize=True)
    print(f"wrote docs/{name}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="studio-images-") as tmp:
        env = {**os.environ, "HANDOUTS_CONFIG": f"{tmp}/config.yaml", "HANDOUTS_CACHE": f"{tmp}/cache",
               "PYTHONPATH": str(DOCS.parent)}
        env.pop("HANDOUTS_LIBRARY", None)
        env.pop("DISPLAY", None)
        Path(f"{tmp}/config.yaml").write_text("practice: Riverside Counseling\nclinician: Alex Rivera, LMFT\n")
        proc = subprocess.Popen([sys.executable, "-m", "handoutkit", "studio", "--folder", f"{tmp}/folder", "--no-open"],
                                env=env, stdout=subprocess.PIPE, text=True)
        url = re.search(r"http://\S+/s/[^/ ]+/", proc.stdout.readline()).group(0)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.set_default_timeout(120_000)
                page.goto(url)
                page.wait_for_function("() => Array.from(document.images).every(i => i.complete && i.naturalWidth)")
                save(page.screenshot(), "studio-library.png")

                page.goto(url + "packet?add=what-is-sexual-coercion&add=grounding-5-4-3-2-1&add=help-now")
                page.fill("#f-title", "Session 3")
                page.fill("#f-client", "Jordan")
                page.wait_for_function("() => document.body.dataset.pending === '0'")
                page.wait_for_timeout(1500)  # the PDF viewer draws its pages
                save(page.screenshot(), "studio-packet.png")

                page.set_viewport_size({"width": 1440, "height": 1250})
                page.goto(url + "edit/grounding-5-4-3-2-1")
                page.click("#duplicate")
                page.wait_for_selector("#yaml")
                page.wait_for_function("() => document.body.dataset.pending === '0'")
                text = page.input_value("#yaml")
                page.fill("#yaml", text.replace("\nkind: exercise", "\nkind: excercise", 1))
                page.wait_for_function("() => document.body.dataset.pending === '0'")
                page.click("#findings li.error button")  # the text goes to the line told
                page.evaluate("window.scrollTo(0, 0)")
                page.wait_for_timeout(1500)
                save(page.screenshot(), "studio-editor.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
