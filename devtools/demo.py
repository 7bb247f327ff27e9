"""``make demo``: the ДМС-мигрант story against the running interchange (``make run`` first),
printed step by step as the applicant would follow it in the cabinet; ``--oms`` plays the ОМС one
(a citizen's policy, a child's, suspending and resuming; a foreigner's application with scans).

    python -m devtools.demo [--gateway http://127.0.0.1:8000] [--region 77] [--decline-first] [--oms]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from devtools.cabinet import (
    CARD_INSUFFICIENT_FUNDS,
    CARD_SUCCESS,
    Cabinet,
    FlowError,
    application_for,
    foreigner_oms_application_for,
    oms_child_for,
    pay,
)
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


async def wait_until(cabinet: Cabinet, path: str, done: Any, timeout: float = 30.0) -> Any:
    for _ in range(int(timeout / 0.3)):
        found = await cabinet.get(path)
        if done(found):
            return found
        await asyncio.sleep(0.3)
    raise FlowError(f"{path} did not reach the expected state in {timeout:.0f} s: {found}")


async def post(cabinet: Cabinet, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await cabinet.post(path, body)
    if response.status_code >= 300:
        raise FlowError(f"POST {path} answered {response.status_code}: {response.text}")
    answer: dict[str, Any] = response.json()
    return answer


def print_policies(listing: dict[str, Any]) -> None:
    for p in listing["items"]:
        whose = f"ребёнок {p['insured_name']}" if p["insured"] == "child" else "мой / mine"
        until = p["valid_until"] or "бессрочно"
        print(
            f"  ЕНП {p['enp']} ({whose}): {p['status']}, {p['insurer_name']} {p['insurer_phone']}, до {until}"
        )


async def oms_story(gateway: str, region: str) -> None:
    citizen_account = next(a for a in DEMO_ACCOUNTS if a.key == "citizen")
    worker_account = next(a for a in DEMO_ACCOUNTS if a.key == "worker")
    citizen, worker = Cabinet(gateway), Cabinet(gateway)
    try:
        say("1. Вход гражданина РФ / A citizen logs in", citizen_account.login)
        await citizen.login(citizen_account.login, citizen_account.password)
        lookup = (await citizen.get("/oms/policies"))["lookup"]
        print(f"  реестр / the register: {lookup['message_ru']}")
        lookup = (await wait_until(citizen, "/oms/policies", lambda r: r["lookup"]["status"] != "pending"))[
            "lookup"
        ]
        print(f"  → {lookup['message_ru']}")

        say("2. Заявление на полис ОМС для себя / Asking for my own policy (OMS-01)")
        asked = await post(citizen, "/oms/requests", {"region": region, "insurer": "smo-alfa"})
        answered = await wait_until(
            citizen,
            "/oms/requests",
            lambda r: next(i for i in r["items"] if i["id"] == asked["id"])["status"] != "submitted",
        )
        mine = next(i for i in answered["items"] if i["id"] == asked["id"])
        print(f"  ответ реестра / the answer: {mine['status']}, ЕНП {mine['enp']} {mine['rule'] or ''}")

        say("3. Полис для ребёнка по свидетельству о рождении / A child's policy by the birth certificate")
        born = business_day(utcnow()).replace(year=business_day(utcnow()).year - 5, day=1)
        child = oms_child_for(born)
        await post(citizen, "/oms/requests", {"region": region, "insurer": "smo-vita", "child": child})
        policies = await wait_until(citizen, "/oms/policies", lambda r: len(r["items"]) >= 2)
        print_policies(policies)

        say("4. Приостановить и возобновить / Suspend (military service) and resume (OMS-06)")
        enp = next(p["enp"] for p in policies["items"] if p["insured"] == "self")
        for operation, reason, status in (
            ("suspend", "призыв на военную службу", "suspended"),
            ("resume", "окончание военной службы", "active"),
        ):
            await post(citizen, f"/oms/policies/{enp}/operations", {"operation": operation, "reason": reason})
            await wait_until(
                citizen,
                "/oms/policies",
                lambda r, s=status: any(p["enp"] == enp and p["status"] == s for p in r["items"]),
            )
            print(f"  {operation}: {status}")

        say("5. Иностранный гражданин: заявление со сканами / A foreigner applies with scans (OMS-05)")
        await worker.login(worker_account.login, worker_account.password)
        today = business_day(utcnow())
        data = foreigner_oms_application_for(
            today,
            stay_until=today + timedelta(days=180),
            contract_until=today + timedelta(days=365),
            region=region,
        )
        application = await post(worker, "/oms/foreigner-applications", data)
        path = f"/oms/foreigner-applications/{application['id']}"
        for kind, content, content_type in (
            ("passport", b"\xff\xd8\xff\xe0" + bytes(2000), "image/jpeg"),
            ("migration_card", b"%PDF-1.4\n" + bytes(2000), "application/pdf"),
        ):
            uploaded = await worker.http.put(
                f"{path}/scans/{kind}",
                content=content,
                headers={**worker.headers, "Content-Type": content_type},
            )
            print(f"  скан / scan {kind}: {uploaded.status_code} {uploaded.json().get('sha256', '')[:16]}…")
        await post(worker, f"{path}/submit")
        reviewed = await wait_until(worker, path, lambda a: a["status"] not in {"submitted"})
        print(f"  решение / review: {reviewed['status']}, ЕНП {reviewed['enp']}")
        print_policies(await worker.get("/oms/policies"))

        say("6. Уведомления / Notifications")
        for cabinet in (citizen, worker):
            for note in reversed((await cabinet.notifications())["items"][:8]):
                print(f"  • {note['created_at'][11:19]} {note['title']}")
    finally:
        await citizen.close()
        await worker.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--region", default="77")
    parser.add_argument("--decline-first", action="store_true", help="pay with a declined card first")
    parser.add_argument("--oms", action="store_true", help="the ОМС story instead of the ДМС one")
    args = parser.parse_args()
    try:
        if args.oms:
            asyncio.run(oms_story(args.gateway, args.region))
        else:
            asyncio.run(story(args.gateway, args.region, args.decline_first))
    except (FlowError, httpx.HTTPError) as exc:
        print(f"\n✗ {exc}\n  Is the interchange running? Start it with `make run`.", file=sys.stderr)
        return 1
    print("\n✓ Готово / Done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
