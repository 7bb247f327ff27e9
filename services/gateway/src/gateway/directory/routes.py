from typing import Annotated

from fastapi import APIRouter, Query

from gateway.directory import service
from gateway.directory.models import DirectoryEntry
from gateway.directory.schemas import InsurerList, InsurerOut, LicenceOut
from kit.errors import Problem, ProblemError
from kit.http import Runtime

router = APIRouter(prefix="/insurers", tags=["directory"])


def _out(entry: DirectoryEntry) -> InsurerOut:
    return InsurerOut.model_validate(
        {
            **{c: getattr(entry, c) for c in InsurerOut.model_fields if c != "licence"},
            "licence": LicenceOut(number=entry.licence_number, issued_on=entry.licence_issued_on),
        }
    )


@router.get("", response_model=InsurerList, summary="Insurers taking part in the interchange")
async def list_insurers(
    runtime: Runtime,
    region: Annotated[
        str | None, Query(pattern=r"^\d{2}$", description="Only insurers serving this region code")
    ] = None,
) -> InsurerList:
    async with runtime.db.transaction() as session:
        entries = await service.list_insurers(session, region=region)
        return InsurerList(items=[_out(entry) for entry in entries])


@router.get(
    "/{code}",
    response_model=InsurerOut,
    summary="One insurer",
    responses={404: {"model": Problem, "description": "No insurer with this code"}},
)
async def get_insurer(runtime: Runtime, code: str) -> InsurerOut:
    async with runtime.db.transaction() as session:
        entry = await service.get_insurer(session, code)
        if entry is None:
            raise ProblemError(
                404,
                rule="insurer-not-found",
                title_ru="Страховщик не найден",
                title_en="Insurer not found",
                detail_ru=f"Страховщик с кодом «{code}» не зарегистрирован",
                detail_en=f"No insurer with code '{code}' is registered",
            )
        return _out(entry)
