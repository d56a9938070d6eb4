"""Draw the app package's two icons (run once; the PNGs are committed):
color.png 192x192 (a full-colour tile), outline.png 32x32 (white on transparent), as Teams asks."""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
GREEN = (46, 125, 91, 255)
WHITE = (255, 255, 255, 255)


RGBA = tuple[int, int, int, int]


def draw(size: int, background: RGBA | None, ink: RGBA) -> Image.Image:
    image = Image.new("RGBA", (size, size), background or (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    s = size / 32
    # three people around a table: the learning team
    for cx in (9, 16, 23):
        pen.ellipse([(cx - 3) * s, 6 * s, (cx + 3) * s, 12 * s], fill=ink)
        pen.rounded_rectangle([(cx - 4) * s, 13 * s, (cx + 4) * s, 21 * s], radius=3 * s, fill=ink)
    pen.rectangle([4 * s, 22 * s, 28 * s, 25 * s], fill=ink)
    return image


if __name__ == "__main__":
    draw(192, GREEN, WHITE).save(HERE / "color.png")
    draw(32, None, WHITE).save(HERE / "outline.png")
