"""Accounts and partner grants. Functions run inside the caller's transaction and never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.demo import DEMO_ACCOUNTS
from gateway.accounts.models import Account, AccountMatchKey, PartnerGrant
from gateway.accounts.passwords import DUMMY_HASH, hash_password, verify_password
from gateway.accounts.profile import AccountProfile, AssuranceLevel, profile_problems
from kit.contracts.oms import person_match_values
from kit.crypto import DataCipher
from kit.messaging.envelope import utcnow


@dataclass(frozen=True)
class AccountView:
    id: str
    login: str
    level: AssuranceLevel
    profile: AccountProfile


def view(account: Account, cipher: DataCipher) -> AccountView:
    return AccountView(
        account.id,
        account.login,
        account.level,
        AccountProfile.model_validate(cipher.decrypt(account.profile)),
    )


async def get_account(session: AsyncSession, cipher: DataCipher, account_id: str) -> AccountView | None:
    account = await session.get(Account, account_id)
    return view(account, cipher) if account is not None else None


async def authenticate(session: AsyncSession, login: str, password: str) -> Account | None:
    account = await session.scalar(select(Account).where(Account.login == login.strip().lower()))
    # An unknown login costs a hash check too: timing does not tell which logins exist.
    if not verify_password(password, account.password_hash if account else DUMMY_HASH):
        return None
    return account


async def create_or_update(
    session: AsyncSession,
    cipher: DataCipher,
    *,
    login: str,
    password: str,
    level: AssuranceLevel,
    profile: AccountProfile,
) -> Account:
    problems = profile_problems(level, profile)
    if problems:
        raise ValueError("; ".join(problems))
    now = utcnow()
    login = login.strip().lower()
    account = await session.scalar(select(Account).where(Account.login == login))
    if account is None:
        account = Account(id=str(uuid.uuid4()), login=login, created_at=now)
        session.add(account)
    elif verify_password(password, account.password_hash):
        password = ""  # unchanged: keep the stored hash rather than rehashing at every start
    if password:
        account.password_hash = hash_password(password)
    account.level = level
    account.profile = cipher.encrypt(profile.model_dump(mode="json"))
    account.updated_at = now
    await session.flush()
    await _index(session, cipher, account.id, profile)
    return account


async def _index(session: AsyncSession, cipher: DataCipher, account_id: str, profile: AccountProfile) -> None:
    await session.execute(delete(AccountMatchKey).where(AccountMatchKey.account_id == account_id))
    if profile.birth_date is None:
        return
    name = profile.name_cyrillic
    for value in person_match_values(
        name.last_name, name.first_name, name.patronymic, profile.birth_date, profile.snils
    ):
        session.add(AccountMatchKey(key=cipher.blind_index(value), account_id=account_id))


async def accounts_matching(session: AsyncSession, cipher: DataCipher, values: list[str]) -> list[str]:
    """The accounts whose holder is the person these match values describe."""
    keys = [cipher.blind_index(value) for value in values]
    query = select(AccountMatchKey.account_id).where(AccountMatchKey.key.in_(keys)).distinct()
    return list((await session.scalars(query)).all())


async def upsert_demo_accounts(session: AsyncSession, cipher: DataCipher) -> None:
    for demo in DEMO_ACCOUNTS:
        await create_or_update(
            session, cipher, login=demo.login, password=demo.password, level=demo.level, profile=demo.profile
        )


# -- partner grants ---------------------------------------------------------------------------------


async def active_grant(session: AsyncSession, account_id: str, client_id: str) -> PartnerGrant | None:
    grant = await session.get(PartnerGrant, (account_id, client_id))
    return grant if grant is not None and grant.revoked_at is None else None


async def grants_of(session: AsyncSession, account_id: str) -> Sequence[PartnerGrant]:
    query = select(PartnerGrant).where(PartnerGrant.account_id == account_id).order_by(PartnerGrant.client_id)
    return (await session.scalars(query)).all()


async def grant(session: AsyncSession, account_id: str, client_id: str, scopes: list[str]) -> PartnerGrant:
    record = await session.get(PartnerGrant, (account_id, client_id), with_for_update=True)
    if record is None:
        record = PartnerGrant(account_id=account_id, client_id=client_id)
        session.add(record)
    record.scopes = sorted(set(scopes))
    record.granted_at = utcnow()
    record.revoked_at = None
    return record


async def revoke(session: AsyncSession, account_id: str, client_id: str) -> bool:
    record = await session.get(PartnerGrant, (account_id, client_id), with_for_update=True)
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    return True
