"""The README's opening picture: what ``outpaint paint --aspect 16:9`` makes of the photo
beside this script, with the shipped model and its defaults, under the photo itself.

    python docs/images/before_after.py

The photo and the picture are credited in CREDITS.md beside them.
"""

from pathlib import Path

from outpaint_lib.images import encode_image, load_image
from outpaint_lib.inference import Outpainter
from outpaint_lib.showcase import before_after

FOLDER = Path(__file__).resolve().parent


def main() -> None:
    picture = before_after(Outpainter.load(), load_image(FOLDER / "picos_de_europa.jpg"), aspect="16:9")
    (FOLDER / "before_after.jpg").write_bytes(encode_image(picture, ".jpg"))
    print(f"{FOLDER / 'before_after.jpg'}: {picture.shape[1]} x {picture.shape[0]}")


if __name__ == "__main__":
    main()
