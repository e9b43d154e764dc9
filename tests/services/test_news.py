"""Which typed messages stop the news, and what stopping does to a broadcast under way."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from bot.services import broadcasts, news
from db.models import BroadcastDelivery
from db.session import Sessions
from tests.services.test_broadcasts import WORKERS, confirmed, run

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

STOPS = ["stop", "Stop", "STOP!!!", "stopp", "berhenti", "berhentiii", "/stop", "unsubscribe",
         "jgn kirim info lg", "ga usah kirim info lagi", "gausah kirim2 info lagi",
         "tolong stop kirim pesan ya min", "saya mau berhenti menerima info",
         "tidak mau terima info lagi", "jangan kirimi saya pesan lagi", "stop info",
         "berhenti langganan", "udah stop aja mas, makasih", "stop, terima kasih"]
NOT_STOPS = ["saya sudah berhenti kerja, jht bisa cair?", "berhenti kerja", "jht stop kerja",
             "kalau berhenti bayar iuran bagaimana?", "kok tidak kirim info?",
             "saya tidak terima info", "tidak, terima kasih", "ga usah kirim berkas klaim?",
             "tidak perlu kirim dokumen jht", "info", "halo", "", "tidak", "mau info iuran",
             "berhenti jadi peserta bpu gimana caranya"]


@pytest.mark.parametrize("text", STOPS)
def test_requests_to_stop_are_recognised(text: str) -> None:
    assert news.asks_to_stop(text)


@pytest.mark.parametrize("text", NOT_STOPS)
def test_questions_and_complaints_are_not_requests_to_stop(text: str) -> None:
    assert not news.asks_to_stop(text)


async def test_a_stop_drops_what_a_broadcast_under_way_still_had_pending(
        sessions: Sessions) -> None:
    broadcast_id = await confirmed(sessions)
    stopped = await news.choose(sessions, telegram_user_id=WORKERS[3], receive=False, now=NOW)
    assert stopped == news.NewsChoice(registered=True, receiving=False, changed=True)
    log: Counter[int] = Counter()
    done = await run(sessions, broadcast_id, "a", log)
    assert done is not None and done.sent == len(WORKERS) - 1 and done.stopped == 1
    assert WORKERS[3] not in log
    async with sessions() as session:
        row = await session.get(BroadcastDelivery, (broadcast_id, WORKERS[3]))
        assert row is not None and row.status == "stopped"
    again = await news.choose(sessions, telegram_user_id=WORKERS[3], receive=False, now=NOW)
    assert not again.changed
    draft = await broadcasts.prepare(sessions, text="Lagi", created_by=1, chat_id=-5, now=NOW)
    assert draft.recipients == len(WORKERS) - 1
