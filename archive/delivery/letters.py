"""The letters a requester gets, in the requester's language (kk, ru, en): subject and plain text."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from babel.dates import format_date

from archive.grammar import dative
from archive.vocabulary import INTERFACE_LANGUAGES

SUBJECTS = {
    "received": {"kk": "Өтінішіңіз қабылданды: {code}", "ru": "Заявка принята: {code}",
                 "en": "Your request is received: {code}"},
    "question": {"kk": "Өтінішіңіз бойынша сұрақ: {code}", "ru": "Вопрос по вашей заявке: {code}",
                 "en": "A question about your request: {code}"},
    "delivered": {"kk": "Көшірмеңіз дайын: {code}", "ru": "Ваша копия готова: {code}",
                  "en": "Your copy is ready: {code}"},
    "refused": {"kk": "Өтінішіңіз орындалмады: {code}", "ru": "Заявка не может быть выполнена: {code}",
                "en": "Your request cannot be fulfilled: {code}"},
    "cancelled": {"kk": "Өтінішіңіз тоқтатылды: {code}", "ru": "Заявка отменена: {code}",
                  "en": "Your request is cancelled: {code}"},
    "expired": {"kk": "Өтініш мерзімі өтті: {code}", "ru": "Срок заявки истёк: {code}",
                "en": "Your request has expired: {code}"},
}

BODIES = {
    "received": {
        "kk": "Сәлеметсіз бе, {name}!\n\nЭлектрондық құжат жеткізу өтінішіңіз қабылданды.\n\nӨтініш коды: {code}\n"
              "Сұралғаны: {title}\n\nӨтініштің барысын мына бетте код пен электрондық пошта арқылы көре аласыз:\n"
              "{status_url}\n\nКодты сақтап қойыңыз.",
        "ru": "Здравствуйте, {name}!\n\nВаша заявка на электронную доставку документа принята.\n\nКод заявки: {code}\n"
              "Запрошено: {title}\n\nХод выполнения можно посмотреть по коду и адресу электронной почты:\n"
              "{status_url}\n\nСохраните этот код.",
        "en": "Hello {name},\n\nYour request for electronic document delivery is received.\n\nRequest code: {code}\n"
              "Asked for: {title}\n\nYou can follow it with the code and your e-mail address at:\n{status_url}\n\n"
              "Please keep this code.",
    },
    "question": {
        "kk": "Сәлеметсіз бе, {name}!\n\n{code} өтінішіңізді орындау үшін кітапхана қызметкері нақтылауды сұрайды:\n\n"
              "{text}\n\nЖауабыңызды мына бетте жаза аласыз:\n{status_url}",
        "ru": "Здравствуйте, {name}!\n\nЧтобы выполнить заявку {code}, сотрудник библиотеки просит уточнить:\n\n"
              "{text}\n\nОтветить можно на странице заявки:\n{status_url}",
        "en": "Hello {name},\n\nTo fulfil your request {code}, the library asks:\n\n{text}\n\n"
              "You can answer on your request's page:\n{status_url}",
    },
    "delivered": {
        "kk": "Сәлеметсіз бе, {name}!\n\n{code} өтінішіңіз бойынша көшірме дайын ({pages} бет):\n{title}\n\n"
              "Жүктеп алу сілтемесі:\n{download_url}\n\nСілтеме {expires} дейін жұмыс істейді, көшірмені {downloads} "
              "рет жүктеуге болады.\n\n{terms}",
        "ru": "Здравствуйте, {name}!\n\nКопия по заявке {code} готова ({pages} стр.):\n{title}\n\n"
              "Ссылка для скачивания:\n{download_url}\n\nСсылка действует до {expires}, скачать копию можно "
              "{downloads} раз.\n\n{terms}",
        "en": "Hello {name},\n\nThe copy for your request {code} is ready ({pages} pages):\n{title}\n\n"
              "Download it here:\n{download_url}\n\nThe link works until {expires}, for at most {downloads} "
              "downloads.\n\n{terms}",
    },
    "refused": {
        "kk": "Сәлеметсіз бе, {name}!\n\nӨкінішке қарай, {code} өтінішіңізді орындау мүмкін емес.\nСебебі: {reason}\n"
              "{text}\n\nСұрақтарыңыз болса, кітапханаға хабарласыңыз.",
        "ru": "Здравствуйте, {name}!\n\nК сожалению, заявку {code} выполнить нельзя.\nПричина: {reason}\n{text}\n\n"
              "Если у вас есть вопросы, обратитесь в библиотеку.",
        "en": "Hello {name},\n\nWe are sorry: your request {code} cannot be fulfilled.\nReason: {reason}\n{text}\n\n"
              "If you have questions, please contact the library.",
    },
    "cancelled": {
        "kk": "Сәлеметсіз бе, {name}!\n\n{code} өтініші тоқтатылды.\n{text}",
        "ru": "Здравствуйте, {name}!\n\nЗаявка {code} отменена.\n{text}",
        "en": "Hello {name},\n\nThe request {code} is cancelled.\n{text}",
    },
    "expired": {
        "kk": "Сәлеметсіз бе, {name}!\n\n{code} өтінішін мерзімінде орындау мүмкін болмады, ол жабылды. Көшірме әлі "
              "керек болса, жаңа өтініш жіберіңіз.",
        "ru": "Здравствуйте, {name}!\n\nЗаявку {code} не удалось выполнить в срок, она закрыта. Если копия ещё нужна, "
              "отправьте новую заявку.",
        "en": "Hello {name},\n\nYour request {code} could not be fulfilled in time and is closed. If you still need "
              "the copy, please send a new request.",
    },
}

REASONS = {
    "copyright": {"kk": "авторлық құқық көшірме жасауға рұқсат бермейді", "ru": "авторское право не позволяет копирование",
                  "en": "copyright does not allow the copy"},
    "not_in_collection": {"kk": "құжат кітапхана қорында жоқ", "ru": "документа нет в фонде библиотеки",
                          "en": "the document is not in the library's collection"},
    "too_much": {"kk": "сұралған көлем көшіру ережелерінен асады", "ru": "запрошенный объём превышает правила копирования",
                 "en": "more than the copying rules allow"},
    "damaged_original": {"kk": "түпнұсқа тым тозған", "ru": "оригинал слишком повреждён",
                         "en": "the original is too damaged to copy"},
    "incomplete_request": {"kk": "өтініште не керек екені анық емес", "ru": "в заявке неясно, что требуется",
                           "en": "the request does not say clearly what is wanted"},
    "other": {"kk": "басқа себеп", "ru": "другая причина", "en": "another reason"},
}

SIGNATURE = {"kk": "\n\n—\n{library}\nЭлектрондық құжат жеткізу қызметі", "ru": "\n\n—\n{library}\nСлужба "
             "электронной доставки документов", "en": "\n\n—\n{library}\nElectronic document delivery"}


def until_day(value: str, language: str) -> str:
    """An ISO day as the letter's language writes it before "until" (in Kazakh, in the dative:
    "2027 ж. 2 қаңтарға дейін"); anything else as it is."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    written = format_date(day, "long", locale=language)
    return dative(written) if language == "kk" else written


def status_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/request/status?code={quote(code)}"


def compose(letter: str, language: str, library: str, **values) -> tuple[str, str]:
    """(subject, body) of ``letter`` in ``language`` (falling back to English)."""
    language = language if language in INTERFACE_LANGUAGES else "en"
    values.setdefault("text", "")
    if "expires" in values:
        values["expires"] = until_day(values["expires"], language)
    if "reason" in values:
        values["reason"] = REASONS.get(values["reason"], REASONS["other"])[language]
    subject = SUBJECTS[letter][language].format(**values)
    body = BODIES[letter][language].format(**values).rstrip() + SIGNATURE[language].format(library=library)
    return subject, body
