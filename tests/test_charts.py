"""Charts stay readable: bars stand out from the page, Vietnamese labels get their room."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tipquiz import charts
from tipquiz.dashboard import Score, TopicAverage

WORDS_VI = charts.ChartWords(
    rounds={"before": "Trước buổi học", "after": "Sau buổi học", "all": "Tất cả"},
    correct="Đáp án đúng",
    most_chosen_wrong="Đáp án sai được chọn nhiều nhất",
    points=lambda change: f"{change:+d} điểm",
    no_answers="Chưa có câu trả lời",
)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("kind", sorted(charts.FILLS))
def test_every_bar_keeps_3_to_1_contrast_with_the_page(kind):
    for fill in charts.FILLS[kind]:
        assert contrast(fill, "#ffffff") >= 3, (kind, fill)
        assert contrast(fill, "#fdfcf9") >= 3, (kind, fill)


def test_vietnamese_round_labels_and_values_have_room_before_and_after_the_bars():
    topics = [
        TopicAverage("a", {"vi": "Dấu hiệu cảnh báo"}, {"before": Score(1, 2)}),
        TopicAverage("b", {"vi": "Di cư an toàn"}, {"before": Score(2, 2), "after": Score(2, 2)}),
    ]
    soup = BeautifulSoup(
        charts.topic_chart(topics, ["before", "after"], WORDS_VI, "vi", "t", "Điểm"),
        "html.parser",
    )
    width = int(soup.svg["viewbox"].split()[2])
    estimate = charts.LABEL_SIZE * 0.6  # a wide Vietnamese character, in font-size units
    for row in soup.find_all("g", class_="row"):
        labels = row.find_all("text", class_="round")
        tracks = row.find_all("rect", fill="none")
        values = row.find_all("text", class_="value")
        assert [t.get_text() for t in labels] == ["Trước buổi học", "Sau buổi học"]
        for label, track, value in zip(labels, tracks, values, strict=True):
            assert len(label.get_text()) * estimate < float(track["x"])
            assert float(value["x"]) + len(value.get_text()) * estimate <= width
