from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from registry.directory.insurers import insurers_in
from registry.directory.regions import REGIONS
from registry.policies.schemas import InsurerOut, RegionOut

router = APIRouter(tags=["directory"])


@router.get("/regions", response_model=list[RegionOut], summary="The subjects of the Russian Federation")
async def list_regions() -> list[RegionOut]:
    return [RegionOut(code=code, name=name) for code, name in REGIONS.items()]


@router.get(
    "/insurers", response_model=list[InsurerOut], summary="ОМС insurers (СМО) of a region (synthetic)"
)
async def list_insurers(region: Annotated[str, Query(pattern=r"^\d{2}$")]) -> list[InsurerOut]:
    return [
        InsurerOut(code=i.code, name=i.name, phone=i.phone, synthetic=i.synthetic)
        for i in insurers_in(region)
    ]
