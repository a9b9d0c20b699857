"""Sideways pages judged from their word boxes."""
from ocr.engine import Word
from ocr.orientation import sideways_rotation, turn_words


def column_of_words(downwards: bool) -> list[Word]:
    """Words of a page lying 90° clockwise: tall boxes following each other down the page."""
    words = []
    for n in range(12):
        y0 = 0.05 + n * 0.07 if downwards else 0.9 - n * 0.07
        words.append(Word("сөздер", 0.8, y0, 0.82, y0 + 0.065))
    return words


def test_upright_page_stays():
    words = [Word("кітапхана", 0.1 + (n % 4) * 0.2, 0.1 + n // 4 * 0.05, 0.25 + (n % 4) * 0.2,
                  0.13 + n // 4 * 0.05) for n in range(16)]
    assert sideways_rotation(words, aspect=0.7) == 0


def test_text_running_down_is_turned_counterclockwise():
    assert sideways_rotation(column_of_words(downwards=True), aspect=1.4) == 270
    assert sideways_rotation(column_of_words(downwards=False), aspect=1.4) == 90


def test_too_few_words_decide_nothing():
    assert sideways_rotation(column_of_words(True)[:5], aspect=1.4) == 0


def test_boxes_follow_the_turn():
    (word,) = turn_words([Word("a", 0.8, 0.1, 0.9, 0.3)], 270)
    assert (round(word.x0, 3), round(word.y0, 3), round(word.x1, 3), round(word.y1, 3)) == (0.1, 0.1, 0.3, 0.2)
    (word,) = turn_words([Word("a", 0.1, 0.6, 0.2, 0.9)], 90)
    assert (round(word.x0, 3), round(word.y0, 3), round(word.x1, 3), round(word.y1, 3)) == (0.1, 0.1, 0.4, 0.2)
