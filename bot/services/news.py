"""A worker's choice to receive /siaran news: the words that stop it, and turning it on or off.

The choice is `broadcast_opt_in` of the worker's lead (asked in the registration form).
Stopping also records when (`broadcast_opted_out_at`, counted in /stats) and drops what a
broadcast under way still had pending for the worker; /langganan turns it on again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from db import broadcasts as queries
from db.session import Sessions

# Typed words, normalised: chat spellings of the words below.
SPELLINGS = {
    "jgn": "jangan", "jngn": "jangan", "jangn": "jangan", "jan": "jangan", "gausah": "tidak usah",
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "g": "tidak", "nggak": "tidak",
    "ngga": "tidak", "nggk": "tidak", "enggak": "tidak", "engga": "tidak", "tdk": "tidak",
    "tak": "tidak", "gaush": "tidak usah", "ndak": "tidak", "usa": "usah", "perlu": "usah",
    "pengen": "mau", "ingin": "mau", "pingin": "mau", "want": "mau",
    "lg": "lagi", "lgi": "lagi", "agi": "lagi",
    "krm": "kirim", "kirimi": "kirim", "kirimin": "kirim", "kirimkan": "kirim",
    "dikirim": "kirim", "dikirimi": "kirim", "dikirimin": "kirim", "ngirim": "kirim",
    "ngirimin": "kirim", "mengirim": "kirim", "mengirimi": "kirim", "send": "kirim",
    "sending": "kirim", "menerima": "terima", "nerima": "terima", "receive": "terima",
    "receiving": "terima",
    "brhnti": "berhenti", "berhnti": "berhenti", "brenti": "berhenti", "brhenti": "berhenti",
    "behenti": "berhenti", "hentikan": "berhenti", "berhentikan": "berhenti",
    "stp": "stop", "stopkan": "stop", "setop": "stop", "unsubscribe": "stop", "unsub": "stop",
    "inpo": "info", "informasi": "info", "berita": "info", "pesan": "info", "siaran": "info",
    "broadcast": "info", "kabar": "info", "pemberitahuan": "info", "notif": "info",
    "notifikasi": "info", "news": "info", "message": "info", "messages": "info", "sms": "info",
    "langganan": "info", "berlangganan": "info", "chat": "info", "spam": "info",
}
STOP_WORDS = frozenset({"stop", "berhenti"})
SEND_WORDS = frozenset({"kirim", "terima"})
# "jangan kirim", "tidak usah kirim", "tidak mau terima"; a bare "tidak" is not a request:
# "kok tidak kirim info?" complains that the news did not come.
DONT = ("jangan",)
NEED_NOT = ("usah", "mau")
# Words that may stand around the request without changing it: "tolong stop ya min".
FILLER = frozenset({
    "info", "lagi", "usah", "mau", "tidak", "jangan", "saya", "aku", "sy", "gue", "gw", "kami",
    "mas", "mbak", "mba", "pak", "bu", "bapak", "ibu", "kak", "min", "admin", "bot", "sinergi",
    "tolong", "tlg", "mohon", "please", "pls", "ya", "yah", "iya", "aja", "saja", "ajah",
    "dong", "deh", "sih", "lah", "nih", "sudah", "udah", "udh", "sdh", "dah", "ok",
    "oke", "makasih", "terimakasih", "kasih", "thanks", "thank", "you", "trims", "tq", "ke",
    "dari", "bpjs", "ini", "itu", "semua", "nya", "kan", "the", "me", "to", "menerima",
    "untuk", "buat", "sekarang", "aj", "yg", "yang", "dulu", "cukup",
})
VOCABULARY = STOP_WORDS | SEND_WORDS | FILLER
WORD = re.compile(r"[a-z]+")


def asks_to_stop(text: str) -> bool:
    """True for a message that only asks to stop the news: "stop", "berhenti", "jgn kirim
    info lg", "ga usah kirim info lagi". Never for a question that merely contains such a
    word ("sy sudah berhenti kerja, jht bisa cair?"): every word must belong to the request.
    """
    text = re.sub(r"\bterima\s*kasih\b", "makasih", text.lower())  # thanks, not "receive"
    words = [_word(raw) for raw in WORD.findall(text)]
    words = " ".join(words).split()  # "gausah" -> "tidak usah"
    if not words or len(words) > 12:
        return False
    if not all(word in VOCABULARY for word in words):
        return False
    if any(word in STOP_WORDS for word in words):
        return True
    for at, word in enumerate(words):
        rest = words[at + 1:at + 4]
        if word == "tidak" and rest and rest[0] in NEED_NOT:
            rest = words[at + 2:at + 5]
        elif word not in DONT:
            continue
        if any(later in SEND_WORDS for later in rest):
            return True
    return False


def _word(raw: str) -> str:
    """A typed word in the vocabulary's spelling: "stopppp", "stopp" -> "stop"."""
    word = re.sub(r"(.)\1{2,}", r"\1", raw)
    if word not in SPELLINGS and word not in VOCABULARY:
        word = re.sub(r"(.)\1+", r"\1", word)
    return SPELLINGS.get(word, word)


@dataclass(frozen=True)
class NewsChoice:
    registered: bool  # the user has a lead (not erased): only leads receive news
    receiving: bool  # after the request
    changed: bool


async def choose(sessions: Sessions, *, telegram_user_id: int, receive: bool,
                 now: datetime) -> NewsChoice:
    """Turns the news on or off for the worker's lead, in one transaction."""
    async with sessions.begin() as session:
        current = await queries.news_opt_in(session, telegram_user_id)
        if current is None:
            return NewsChoice(registered=False, receiving=False, changed=False)
        if current == receive:
            return NewsChoice(registered=True, receiving=receive, changed=False)
        await queries.set_news_opt_in(session, telegram_user_id, receive, now)
        if not receive:  # a broadcast under way does not reach them any more
            await queries.skip_pending_deliveries(session, telegram_user_id, now)
        return NewsChoice(registered=True, receiving=receive, changed=True)

