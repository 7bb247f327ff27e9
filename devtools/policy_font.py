"""Make the policy PDF's font: DejaVu Sans cut down to the scripts a policy prints.

    python -m devtools.policy_font /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

The full font has about 6 000 glyphs; fpdf2 measures every glyph of a font it loads and subsets the
font again for every document, so the cut-down font (Latin with its extensions, Cyrillic, the
punctuation and symbols of Russian documents) makes a policy several times cheaper to render.
The DejaVu licence allows modified copies under a name without "Bitstream" or "Vera".
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

TARGET = (
    Path(__file__).resolve().parent.parent / "services/insurer/src/insurer/dms/fonts/DejaVuSans-policy.ttf"
)
UNICODES = [
    *range(0x0020, 0x007F),  # Basic Latin
    *range(0x00A0, 0x0250),  # Latin-1 Supplement, Latin Extended-A and -B (names as in passports)
    *range(0x02B0, 0x0300),  # spacing modifiers (the Uzbek ʻ)
    *range(0x0400, 0x0530),  # Cyrillic and Cyrillic Supplement
    *range(0x2010, 0x2060),  # dashes, quotes, ellipsis
    0x20BD,  # ₽
    0x2116,  # №
]


def main() -> int:
    source = Path(sys.argv[1])
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge timestamps: nothing a PDF needs
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    subset.save_font(font, str(TARGET), options)
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
