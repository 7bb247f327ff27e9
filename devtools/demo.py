"""``make demo``: the ДМС-мигрант story against the running interchange (``make run`` first),
printed step by step as the applicant would follow it in the cabinet.

    python -m devtools.demo [--gateway http://127.0.0.1:8000] [--region 77] [--decline-first]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx

from devtools.cabinet import CARD_INSUFFICIENT_FUNDS, CARD_SUCCESS, Cabinet, FlowError, application_for, pay
from gateway.accounts.demo import DEMO_ACCOUNTS
from gateway.dms.service import rub
from kit.calendar import business_day
from kit.messaging.envelope import utcnow

ROOT = Path(__file__).resolve().parent.parent


def say(step: str, text: str = "") -> None:
    print(f"\n▶ {step}")
    if text:
        print(textwrap.indent(text, "  "))


async def show_policy(cabinet: Cabinet, app_id: str) -> None:
    say("7. Полис в личном кабинете / The policy in the cabinet")
    issued = await cabinet.wait_for(app_id, {"policy_issued"}, timeout=60)
    print(f"  оплачено / paid: {issued['paid_at']}")
    print(f"  полис должен быть до / due by: {issued['policy_due_by']}")
    print(f"  срок нарушен / deadline breached: {'да' if issued['deadline_breached'] else 'нет'}")
    policy = next(p for p in await cabinet.policies() if p["application_id"] == app_id)
    data = policy["data"]
    print(f"  полис {data['series']} № {data['number']}, контрольный номер {data['visual_control_number']}")
    print(
        f"  действует {data['valid_from']} — {data['valid_until']}, территория {', '.join(data['territory'])}"
    )
    document = await cabinet.policy_document(policy["id"])
    target = ROOT / "var" / f"polis-{data['series']}-{data['number']}.pdf".replace(" ", "_")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(document)
    print(f"  PDF: {target} ({len(document)} байт)")

    say("8. Уведомления / Notifications")
    notes: dict[str, Any] = await cabinet.notifications()
    for note in reversed(notes["items"][:12]):
        print(f"  • {note['created_at'][11:19]} {note['title']}")
    print(f"  непрочитанных / unread: {notes['unread']}")

    say("9. Хронология заявления / The application's timeline")
    for entry in issued["timeline"]:
        print(f"  {entry['at'][11:19]}  {entry['text']}")


async def show_offers(cabinet: Cabinet, app_id: str) -> list[dict[str, Any]]:
    say("4. Ждём предложения страховщиков / Waiting for the offers")
    current = await cabinet.wait_for(app_id, {"offers_received", "no_offers", "refused"}, timeout=60)
    print(f"  статус: {current['status_text']}")
    offers = await cabinet.offers(app_id)
    for offer in offers:
        print(
            f"  • {offer['insurer_name'] or offer['insurer']}: {rub(offer['premium']['kopecks'])}, "
            f"страховая сумма {rub(offer['sum_insured']['kopecks'])}, "
            f"{offer['cover_from']} — {offer['cover_until']}"
        )
    for answer in current["insurers"]:
        if answer["refusal"]:
            print(f"  • {answer['insurer']}: отказ — {answer['refusal']['reason']}")
    if not offers:
        raise FlowError("no offers")

    return offers


async def story(gateway: str, region: str, decline_first: bool) -> None:
    worker_account = next(a for a in DEMO_ACCOUNTS if a.key == "worker")
    cabinet = Cabinet(gateway)
    try:
        say(
            "1. Вход через ЕСИА-подобную учётную запись / Login",
            f"{worker_account.login} ({worker_account.description})",
        )
        token = await cabinet.login(worker_account.login, worker_account.password)
        me = await cabinet.me()
        profile = me["profile"]
        print(f"  уровень / level: {me['level']}; токен действует {token['expires_in']} с")

        say("2. Страховщики в регионе / Insurers in the region " + region)
        insurers = (await cabinet.get("/insurers", region=region))["items"]
        for insurer in insurers:
            print(f"  • {insurer['short_name']} ({insurer['code']})")
        if not insurers:
            raise FlowError(f"no insurer serves region {region}: are the insurers running?")

        say("3. Заявление ДМС-мигрант / Submitting the application")
        application = application_for(profile, today=business_day(utcnow()), region=region)
        response = await cabinet.submit(application)
        if response.status_code != 202:
            raise FlowError(f"submission answered {response.status_code}: {response.text}")
        app_id = response.json()["id"]
        names = profile["name_cyrillic"]
        print(f"  № {app_id}: {names['last_name']} {names['first_name']}")
        print(f"  срок / term: {application['term_months']} мес.")

        offers = await show_offers(cabinet, app_id)
        chosen = offers[0]
        say("5. Выбираем самое дешёвое / Accepting the cheapest offer", chosen["product_name"])
        await cabinet.accept(app_id, chosen["id"])
        link = (await cabinet.wait_for(app_id, {"awaiting_payment"}))["payment"]
        print(f"  ссылка на оплату / payment page: {link['url']}")

        async with httpx.AsyncClient(timeout=15) as browser:
            if decline_first:
                say(
                    "6a. Оплата картой без средств / Paying with a card that is declined",
                    CARD_INSUFFICIENT_FUNDS,
                )
                await pay(link["url"], CARD_INSUFFICIENT_FUNDS, http=browser)
                failed = await cabinet.wait_for(app_id, {"payment_failed"})
                print(f"  {failed['status_text']}: {failed['payment_failure']}; запрашиваем новую ссылку")
                await cabinet.new_payment_link(app_id)
                link = (await cabinet.wait_for(app_id, {"awaiting_payment"}))["payment"]
                print(f"  новая ссылка / new link: {link['url']}")
            say("6. Оплата на странице страховщика / Paying on the insurer's page", CARD_SUCCESS)
            await pay(link["url"], CARD_SUCCESS, http=browser)

        await show_policy(cabinet, app_id)
    finally:
        await cabinet.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--region", default="77")
    parser.add_argument("--decline-first", action="store_true", help="pay with a declined card first")
    args = parser.parse_args()
    try:
        asyncio.run(story(args.gateway, args.region, args.decline_first))
    except (FlowError, httpx.HTTPError) as exc:
        print(f"\n✗ {exc}\n  Is the interchange running? Start it with `make run`.", file=sys.stderr)
        return 1
    print("\n✓ Готово / Done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
